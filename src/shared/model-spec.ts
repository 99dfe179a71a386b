/**
 * What a model is, as data: repository, revision, architecture family (which
 * decides the transformers.js classes that load it), the dtype to run on
 * each device, and what it needs from the GPU.
 */
import type { ModelSource } from './model-source';

/** The roles a preset fills. */
export type ModelRole = 'vlm' | 'llm' | 'router' | 'ocr';

/** Architecture families the engine knows how to load (checked against transformers.js 4.x). */
export type ModelFamily = 'idefics3' | 'qwen3_5' | 'qwen3' | 'clip';

/** ONNX weight formats transformers.js selects by file suffix. */
export type Dtype = 'fp32' | 'fp16' | 'q8' | 'q4' | 'q4f16';

/** One dtype for every session, or one per session (e.g. `{ vision_encoder: 'fp32', … }`). */
export type DtypeChoice = Dtype | Readonly<Record<string, Dtype>>;

/** Where inference runs. */
export type DeviceKind = 'webgpu' | 'wasm';

/**
 * Dtypes per device. WebGPU has two: one for adapters with `shader-f16`
 * (half-precision weights), one without (SwiftShader, many older GPUs).
 */
export interface DtypePlan {
  readonly webgpuF16: DtypeChoice;
  readonly webgpu: DtypeChoice;
  readonly wasm: DtypeChoice;
}

/** WebGPU features a model may need beyond the baseline. */
export type GpuFeature = 'shader-f16';

/** A loadable model. */
export interface ModelSpec {
  readonly family: ModelFamily;
  /** Hub repo id (`org/name`) or, for a custom host, the path `{model}` stands for. */
  readonly repo: string;
  /** Branch, tag or commit; pin commits in presets so a repo change never breaks users. */
  readonly revision: string;
  readonly dtypes: DtypePlan;
  /**
   * Download size in bytes where no exact figure exists: the largest plan's,
   * or an estimate (a custom repo, a plan whose files are not all known).
   */
  readonly approxBytes: number;
  /**
   * Exact download of each plan (its files summed, fp16 embeddings and
   * external data included), where the export's manifest establishes every
   * file (test/fixtures/real/; a unit test recomputes each figure).
   */
  readonly planBytes?: Readonly<Partial<Record<keyof DtypePlan, number>>>;
  /**
   * Most pixels of one image the VLM sees, for processors with dynamic
   * resolution (Qwen-VL family: image tokens grow with the area). Others
   * ignore it.
   */
  readonly maxImagePixels?: number;
  /**
   * Most images one prompt gives the VLM (a video's frames are seen in
   * groups of this size, or spread to it); unset: no limit.
   */
  readonly maxImagesPerPrompt?: number;
  /** GPU features WebGPU must offer to run this model at all (half-precision plans are chosen separately). */
  readonly requires?: readonly GpuFeature[];
  /** Where this model's files come from, when not from the captioner's configured source. */
  readonly source?: ModelSource;
  /**
   * A user's model in a tier's role (see applyOverride): its family, and so its dtype plan, is the one its
   * config.json names (see followFamily). A tier's own model is pinned with the plan written for it.
   */
  readonly familyFromConfig?: boolean;
}

/** Is a dtype choice free of half-precision weights (safe without `shader-f16`)? */
export function isFullPrecisionSafe(choice: DtypeChoice): boolean {
  const values = typeof choice === 'string' ? [choice] : Object.values(choice);
  return values.every((d) => d !== 'fp16' && d !== 'q4f16');
}

/** Two dtype choices name the same files (one dtype, or the same dtype per session). */
export function sameChoice(a: DtypeChoice, b: DtypeChoice): boolean {
  if (typeof a === 'string' || typeof b === 'string') return a === b;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every((k) => a[k] === b[k]);
}

/** What loading `spec` with `dtype` downloads: the plan's exact bytes when known, else the estimate. */
export function downloadBytes(spec: ModelSpec, dtype: DtypeChoice): number {
  for (const plan of ['webgpuF16', 'webgpu', 'wasm'] as const) {
    const bytes = spec.planBytes?.[plan];
    if (bytes !== undefined && sameChoice(spec.dtypes[plan], dtype)) return bytes;
  }
  return spec.approxBytes;
}
