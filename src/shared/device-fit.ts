/**
 * Does a tier fit this device? Decided before anything is downloaded, from
 * the preset data (exact plan bytes from the real exports' manifests) and
 * facts the caller injects (adapter limits, reported memory, free storage),
 * so the same rules run in the worker, on the page and in the Node CLI.
 * Pure: no `navigator`, no `os`.
 */
import type { DeviceKind, Dtype, DtypeChoice, DtypePlan, ModelSpec } from './model-spec';
import { PRESETS, type Preset, type PresetId, tierBytes } from './presets';

/** One of a model's dtype plans: WebGPU with or without `shader-f16`, or WASM. */
export type PlanKey = keyof DtypePlan;

/**
 * Peak memory of a warm load ÷ the weight bytes: bench figure 2, 4.517 on
 * the 256 MB forge model (1,156 MB above the start, Chromium renderer + GPU
 * processes, WASM; BENCHMARKS.md reference run of commit 4fa131d); plain
 * transformers.js peaks the same (×1.008). Later runs on a 192 MB model read
 * ×5.142 and, after issue 27's cuts, ×5.124 (plain ×5.023): part of the
 * peak is fixed (runtime, worker: 210–500 MB, figure 10), so the ratio falls
 * as models grow, and 4.5 is the figure for models of our sizes. Figure 10
 * puts what the weights themselves cost at ×2.2 on WASM and ×3.2 on WebGPU
 * (SwiftShader, renderer + GPU process), the same as plain transformers.js:
 * the copies left are onnxruntime-web's (BENCHMARKS.md, "Where the copies
 * are"), so the cuts did not change this figure.
 */
export const LOAD_PEAK_MULTIPLIER = 4.5;

/**
 * What one WebAssembly memory can hold (wasm32: 4 GiB; onnxruntime-web's
 * WASM backend keeps every session's weights in one). Checked against the
 * whole load peak, which also counts JS-side copies outside the heap, so it
 * errs on the side of refusing: the heap alone holds about 1.2× the weights
 * after creation (1.45× for fp32 MatMul, whose weights are pre-packed), but
 * WASM's q4 `MatMulNBits` also grows it by an fp32 copy of its largest
 * matrix on the first run (onnxruntime-web 1.31-dev, REAL-WORLD.md).
 */
export const WASM_MEMORY_CEILING = 4 * 2 ** 30;

/**
 * From this many GB up, `navigator.deviceMemory` may be capped: the spec
 * rounds it down to a power of two and Chromium caps it (at 8 for years;
 * the headless Chromium of our tests reports 16 on a 24 GB machine). So it
 * is a lower bound, and a reading at or above this never refuses a tier.
 */
export const DEVICE_MEMORY_CAP_GB = 8;

/**
 * The largest weight matrix of each shipped VLM, which is its largest
 * single tensor and so its largest GPU buffer (onnxruntime-web's WebGPU EP
 * uploads each initializer as one buffer and binds it whole): the token
 * embeddings, `vocab × hidden`, and the LM head of the same shape in the
 * decoder. Derived from the configs' vocab and hidden sizes, checked
 * against the real files: Qwen3.5's q4 `embed_tokens_q4.onnx_data` is
 * exactly vocab × hidden / 2 (the 4-bit matrix) + vocab × hidden / 32 × 4.5
 * (fp32 scales, 4-bit zero points per block of 32): 162,897,920 B at hidden
 * 1,024 (0.8B) and 325,795,840 B at 2,048 (2B); SmolVLM's fp32
 * `embed_tokens.onnx` is 114 MB on the hub = 49,280 × 576 × 4 B. Whole
 * external-data files are no measure: a file holds many tensors (the 2B
 * decoder's 1.2 GB `_data` is hundreds of them). The vision towers' and
 * the router's tensors are far smaller (CLIP's token embedding at q8:
 * 49,408 × 512 B = 25 MB).
 */
const LARGEST_MATRIX: Readonly<Record<string, { readonly rows: number; readonly cols: number }>> = Object.freeze({
  'HuggingFaceTB/SmolVLM-256M-Instruct': { rows: 49_280, cols: 576 },
  'onnx-community/Qwen3.5-0.8B-ONNX-OPT': { rows: 248_320, cols: 1_024 },
  'onnx-community/Qwen3.5-2B-ONNX-OPT': { rows: 248_320, cols: 2_048 },
});

/**
 * Shipped models whose 4-bit embeddings are onnxruntime's com.microsoft
 * `GatherBlockQuantized` (the Qwen3.5 -ONNX-OPT exports' `embed_tokens_q4`).
 * transformers.js 4.3 loads onnxruntime-web's `webgpu` bundle, whose WASM
 * backend (the asyncify build) has no CPU kernel for it: session creation
 * fails with "Could not find an implementation for GatherBlockQuantized(1)"
 * (onnxruntime-web 1.31.0-dev.20260914, the real file's layout, in headless
 * Chromium 156 and in Node; the plain and JSEP builds and onnxruntime-node
 * run it, and so does the same bundle on WebGPU). A third-party catalog
 * reports the same of the real q4 files (REAL-WORLD.md).
 */
const GATHER_BLOCK_QUANTIZED_EMBEDDINGS: ReadonlySet<string> = new Set([
  'onnx-community/Qwen3.5-0.8B-ONNX-OPT',
  'onnx-community/Qwen3.5-2B-ONNX-OPT',
]);

/** The op a plan needs that the browser's WASM runtime lacks, or null. */
export function missingWasmOp(spec: ModelSpec, plan: PlanKey): string | null {
  if (plan !== 'wasm' || !GATHER_BLOCK_QUANTIZED_EMBEDDINGS.has(spec.repo)) return null;
  const embeddings = dtypeOf(spec.dtypes.wasm, 'embed_tokens');
  return embeddings === 'q4' || embeddings === 'q4f16' ? 'GatherBlockQuantized' : null;
}

/** Bytes per weight of the matrix itself (a 4-bit matrix's scales are a tensor of their own). */
const BYTES_PER_WEIGHT = Object.freeze({ fp32: 4, fp16: 2, q8: 1, q4: 0.5, q4f16: 0.5 } satisfies Record<
  Dtype,
  number
>);

/** The memory a device reports: the browser's rounded, capped `deviceMemory`, or a machine's total (Node). */
export type MemoryFact =
  { readonly kind: 'device-memory'; readonly gigabytes: number } | { readonly kind: 'total'; readonly bytes: number };

/** What the device offers, gathered by the caller (worker, page or CLI). */
export interface DeviceFacts {
  /** Where the models would run. */
  readonly device: DeviceKind;
  readonly shaderF16: boolean;
  /** The WebGPU adapter's limits; null on WASM or where unknown. */
  readonly gpu: { readonly maxBufferSize: number; readonly maxStorageBufferBindingSize: number } | null;
  /** Null where the device does not say. */
  readonly memory: MemoryFact | null;
  /** Free bytes of the weight cache's storage (`navigator.storage.estimate()`); null where unknown. */
  readonly freeStorage: number | null;
  /** Bytes of each tier already in the weight cache (they need no space). */
  readonly cachedBytes?: Readonly<Partial<Record<PresetId, number>>>;
  /**
   * False where the CPU plan runs natively (the CLI on onnxruntime-node),
   * which has no 4 GiB WebAssembly memory and every CPU kernel; default true
   * (the browser's onnxruntime-web WASM build).
   */
  readonly wasmCeiling?: boolean;
}

/** What a tier needs on one plan. */
export interface TierNeeds {
  readonly plan: PlanKey;
  /** Every file of the plan: VLM, router and OCR (the weight bytes a load holds). */
  readonly weightBytes: number;
  /** The estimated load peak: {@link LOAD_PEAK_MULTIPLIER} × the weight bytes. */
  readonly peakBytes: number;
  /** The largest single tensor (one GPU buffer); null for a model whose shapes we do not know. */
  readonly largestBuffer: number | null;
  /** What a load would still download (the weight bytes less what is cached). */
  readonly downloadBytes: number;
  /** An op the plan needs that the browser's WASM runtime lacks (see {@link missingWasmOp}), or null. */
  readonly missingOp: string | null;
}

/** Why a tier does not fit, with the figures and a plain sentence. */
export type FitReason =
  | {
      readonly kind: 'buffer';
      readonly limit: 'maxBufferSize' | 'maxStorageBufferBindingSize';
      readonly needed: number;
      readonly allowed: number;
      readonly text: string;
    }
  | { readonly kind: 'memory'; readonly needed: number; readonly available: number; readonly text: string }
  | { readonly kind: 'wasm-ceiling'; readonly needed: number; readonly ceiling: number; readonly text: string }
  | { readonly kind: 'wasm-op'; readonly op: string; readonly text: string }
  | { readonly kind: 'storage'; readonly needed: number; readonly free: number; readonly text: string };

/** One tier on this device. */
export type TierFit =
  | { readonly kind: 'fits'; readonly tier: PresetId; readonly needs: TierNeeds }
  | {
      readonly kind: 'doesNot';
      readonly tier: PresetId;
      readonly needs: TierNeeds;
      readonly reasons: readonly [FitReason, ...FitReason[]];
    };

/** The tier `preset=auto` takes, and why in words. */
export interface AutoTier {
  readonly tier: PresetId;
  /** False when no tier fits (then the smallest is taken, and loading it still asks first). */
  readonly fits: boolean;
  readonly reason: string;
}

/** The plan a device runs: f16 weights only where the adapter has `shader-f16`. */
export function planKeyOf(device: DeviceKind, shaderF16: boolean): PlanKey {
  if (device === 'wasm') return 'wasm';
  return shaderF16 ? 'webgpuF16' : 'webgpu';
}

/** Bytes in words, as the rest of the app writes them (decimal): "254 MB", "2.4 GB". */
export function sizeText(bytes: number): string {
  return bytes >= 1e9 ? `${(bytes / 1e9).toFixed(1)} GB` : `${Math.round(bytes / 1e6)} MB`;
}

function dtypeOf(choice: DtypeChoice, session: string): Dtype | null {
  return typeof choice === 'string' ? choice : (choice[session] ?? null);
}

/** The largest single tensor of a VLM on a plan: its vocab × hidden matrix at the wider of embeddings and decoder. */
export function largestBufferOf(spec: ModelSpec, plan: PlanKey): number | null {
  const matrix = LARGEST_MATRIX[spec.repo];
  if (!matrix) return null;
  const choice = spec.dtypes[plan];
  const widths = ['embed_tokens', 'decoder_model_merged'].map((s) => {
    const dtype = dtypeOf(choice, s);
    return dtype ? BYTES_PER_WEIGHT[dtype] : 0;
  });
  return matrix.rows * matrix.cols * Math.max(...widths);
}

/** What a tier needs under these facts. */
export function tierNeeds(preset: Preset, facts: DeviceFacts): TierNeeds {
  const plan = planKeyOf(facts.device, facts.shaderF16);
  const weightBytes = tierBytes(preset.vlm, plan);
  const cached = facts.cachedBytes?.[presetIdOfPreset(preset)] ?? 0;
  return {
    plan,
    weightBytes,
    peakBytes: Math.round(weightBytes * LOAD_PEAK_MULTIPLIER),
    largestBuffer: largestBufferOf(preset.vlm, plan),
    downloadBytes: Math.max(0, weightBytes - cached),
    missingOp: missingWasmOp(preset.vlm, plan),
  };
}

function presetIdOfPreset(preset: Preset): PresetId {
  return preset.id as PresetId;
}

/** The memory a tab can count on, and how to say it; null where nothing limits it. */
function memoryLimit(memory: MemoryFact | null): { readonly bytes: number; readonly said: string } | null {
  if (!memory) return null;
  if (memory.kind === 'total') return { bytes: memory.bytes, said: `this machine has ${sizeText(memory.bytes)}` };
  // `deviceMemory` is rounded down and capped, so it is a lower bound: what the tab can count on. At the
  // cap the device may hold any amount more, so a peak above it is never a refusal.
  if (memory.gigabytes >= DEVICE_MEMORY_CAP_GB) return null;
  return { bytes: memory.gigabytes * 2 ** 30, said: `this device reports ${memory.gigabytes} GB` };
}

/** Why a tier cannot run under these facts (empty when it fits). */
function reasonsOf(label: string, needs: TierNeeds, facts: DeviceFacts): FitReason[] {
  const reasons: FitReason[] = [];
  // Native onnxruntime (the CLI) has every CPU kernel; the browser's WASM build does not.
  if (facts.device === 'wasm' && facts.wasmCeiling !== false && needs.missingOp) {
    reasons.push({
      kind: 'wasm-op',
      op: needs.missingOp,
      text: `${label} needs the ${needs.missingOp} op for its 4-bit embeddings, which the browser’s CPU (WASM) runtime lacks; it runs on WebGPU`,
    });
  }
  const buffer = needs.largestBuffer;
  if (facts.device === 'webgpu' && facts.gpu && buffer !== null) {
    // The binding limit is never above the buffer limit; name the one that refuses.
    const limits = [
      ['maxStorageBufferBindingSize', facts.gpu.maxStorageBufferBindingSize],
      ['maxBufferSize', facts.gpu.maxBufferSize],
    ] as const;
    const over = limits.filter(([, allowed]) => buffer > allowed).sort((a, b) => a[1] - b[1])[0];
    if (over) {
      const [limit, allowed] = over;
      reasons.push({
        kind: 'buffer',
        limit,
        needed: buffer,
        allowed,
        text: `${label} needs one ${sizeText(buffer)} buffer; this GPU allows ${sizeText(allowed)}`,
      });
    }
  }
  const memory = memoryLimit(facts.memory);
  if (memory && needs.peakBytes > memory.bytes) {
    reasons.push({
      kind: 'memory',
      needed: needs.peakBytes,
      available: memory.bytes,
      text: `${label} needs about ${sizeText(needs.peakBytes)} of memory while it loads; ${memory.said}`,
    });
  }
  if (facts.device === 'wasm' && facts.wasmCeiling !== false && needs.peakBytes > WASM_MEMORY_CEILING) {
    reasons.push({
      kind: 'wasm-ceiling',
      needed: needs.peakBytes,
      ceiling: WASM_MEMORY_CEILING,
      text: `${label} needs about ${sizeText(needs.peakBytes)} of memory while it loads; on the CPU (WASM) one memory holds at most 4 GiB (${sizeText(WASM_MEMORY_CEILING)})`,
    });
  }
  if (facts.freeStorage !== null && needs.downloadBytes > facts.freeStorage) {
    reasons.push({
      kind: 'storage',
      needed: needs.downloadBytes,
      free: facts.freeStorage,
      text: `${label} downloads ${sizeText(needs.downloadBytes)}; this browser has ${sizeText(facts.freeStorage)} of storage free`,
    });
  }
  return reasons;
}

/** Whether one tier fits, and why not. */
export function fitTier(preset: Preset, facts: DeviceFacts): TierFit {
  const tier = presetIdOfPreset(preset);
  const needs = tierNeeds(preset, facts);
  const [first, ...rest] = reasonsOf(preset.label, needs, facts);
  return first ? { kind: 'doesNot', tier, needs, reasons: [first, ...rest] } : { kind: 'fits', tier, needs };
}

/** Every shipped tier on this device, smallest first. */
export function fitTiers(facts: DeviceFacts): TierFit[] {
  return Object.values(PRESETS).map((preset) => fitTier(preset, facts));
}

/** The plain sentences of a refusal, joined. */
export function fitReasonText(fit: TierFit): string {
  return fit.kind === 'fits' ? '' : fit.reasons.map((r) => r.text).join('; ');
}

/**
 * The tier `preset=auto` takes: the largest that fits (tiers are ordered
 * smallest first and grow in quality). When none fits it takes the
 * smallest and says so, so a load still asks before it downloads.
 */
export function chooseAutoTier(fits: readonly TierFit[]): AutoTier {
  const best = [...fits].reverse().find((f) => f.kind === 'fits');
  const larger = best ? fits.slice(fits.indexOf(best) + 1) : [];
  const skipped = larger.find((f) => f.kind === 'doesNot');
  if (best) {
    const why = skipped ? `; ${fitReasonText(skipped)}` : '';
    return { tier: best.tier, fits: true, reason: `${PRESETS[best.tier].label} fits this device${why}` };
  }
  const smallest = fits[0];
  const tier: PresetId = smallest?.tier ?? 'tiny';
  return {
    tier,
    fits: false,
    reason: `no tier fits this device${smallest ? ` (${fitReasonText(smallest)})` : ''}`,
  };
}

/** The tier choice in words, for the page and the element: "Automatic: balanced — fits this device". */
export function autoTierText(auto: AutoTier): string {
  return `Automatic: ${auto.tier} — ${auto.fits ? 'fits this device' : 'no tier fits this device'}`;
}
