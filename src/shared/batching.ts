/**
 * Which VLM families may answer several prompts as one left-padded batch
 * (frozen data). A family is batched only where a forge model with its
 * export's layers gives the same answers batched as one by one
 * (test/unit/families.test.ts). Attention layers read the mask; Qwen3.5's
 * Gated DeltaNet layers run on fused ops that take no mask
 * (docs/fused-ops.md), and whether the exports zero padded inputs before
 * them is not known (REAL-WORLD.md), so padding could reach a row's
 * recurrent state: those prompts run one by one.
 */
import type { ModelFamily } from './model-spec';

/** Whether a family's VLM batches its prompts, and why not when it does not. */
export type BatchingPolicy = { readonly batched: true } | { readonly batched: false; readonly reason: string };

/** The policy per family. */
export const FAMILY_BATCHING = Object.freeze({
  idefics3: { batched: true },
  qwen3_5: {
    batched: false,
    reason:
      'Qwen3.5 answers one prompt at a time: its linear-attention layers take no attention mask, ' +
      'so padding in a batch could change its answers',
  },
  qwen3: { batched: true },
  clip: { batched: true },
} as const satisfies Record<ModelFamily, BatchingPolicy>);
