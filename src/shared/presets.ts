/**
 * Model presets as frozen data. Revisions are pinned commits so a change
 * upstream never silently changes what users download.
 */
import type { ModelSpec } from './model-spec';

/** SmolVLM-256M-Instruct (Idefics3 family): the smallest instruction VLM transformers.js runs. */
export const SMOLVLM_256M = {
  family: 'idefics3',
  repo: 'HuggingFaceTB/SmolVLM-256M-Instruct',
  revision: 'acc054744d60adea9d88214dab6e2219e6e512a7',
  dtypes: {
    // The vision tower is small and precision-sensitive; the decoder carries most bytes.
    webgpuF16: { vision_encoder: 'fp16', embed_tokens: 'fp16', decoder_model_merged: 'q4f16' },
    webgpu: { vision_encoder: 'fp32', embed_tokens: 'fp32', decoder_model_merged: 'q4' },
    wasm: { vision_encoder: 'q8', embed_tokens: 'q8', decoder_model_merged: 'q8' },
  },
  approxBytes: 330_000_000,
} as const satisfies ModelSpec;

/** The VLM the app loads when the user picks nothing else. */
export const DEFAULT_VLM: ModelSpec = SMOLVLM_256M;
