/**
 * The one typed worker API. The worker's service class `implements` it and
 * only `src/client` talks to it (through comlink); callbacks cross as
 * `comlink.proxy`, so every method that reports progress takes an
 * {@link EventSink}. Every long call carries a `jobId` that `cancel` takes.
 */
import type { CaptionRecord, CapflowOptions } from './record';
import type { CachedModel } from './cached-model';
import type { DeviceInfo } from './device';
import type { AutoTier, TierFit } from './device-fit';
import type { EventSink } from './events';
import type { DeviceKind, DtypeChoice } from './model-spec';
import type { ModelSource } from './model-source';
import type { OcrLine } from './ocr';
import type { Preset } from './presets';
import type { LoadableRole, RoleOverrides } from './roles';
import type { VideoSampling } from './video-sampling';

/** Static configuration the client hands the worker before anything else. */
export interface RuntimeConfig {
  readonly source: ModelSource;
  /** A Web Lock the worker holds for its whole life, so the client learns when it dies. */
  readonly lifeLock: string;
  /** The folder holding the build's `assets/` and `ocr/`, when not next to the worker (see `assetsBase`). */
  readonly assetsBase?: string;
}

/** Which device to load on: `auto` picks WebGPU when an adapter exists. */
export type DeviceRequest = DeviceKind | 'auto';

/** What to load. */
export interface LoadRequest {
  readonly jobId: string;
  /** A tier, or `auto`: the worker takes the largest shipped tier that fits this device (see tier-choice.ts). */
  readonly preset: Preset | 'auto';
  readonly overrides: RoleOverrides;
  readonly roles: readonly LoadableRole[];
  readonly device: DeviceRequest;
  /**
   * Load a shipped tier even where the device-fit rules say it does not fit
   * (the caller's explicit opt-in; the page asks the user first). Without
   * it such a load is a `DeviceTooSmallError` before anything is fetched.
   */
  readonly allowTooSmall?: boolean;
  /**
   * How `preset=auto` chose this tier, for `record.runtime`, when the tier is
   * named here because an earlier load chose it (a reload replays the choice).
   */
  readonly auto?: AutoTier;
}

/** Which shipped tiers fit this device, and the one `preset=auto` takes (see src/shared/device-fit.ts). */
export interface FitReport {
  /** The device the tiers were judged for (what the request resolves to). */
  readonly device: DeviceKind;
  readonly tiers: readonly TierFit[];
  readonly auto: AutoTier;
}

/** One loaded role. */
export interface RoleReport {
  readonly role: LoadableRole;
  readonly repo: string;
  readonly revision: string;
  readonly dtype: DtypeChoice;
  /** True when every file came from the weight cache (no download). */
  readonly fromCache: boolean;
  readonly loadMs: number;
  readonly compileMs: number;
}

/** What got loaded, where, and how long it took. */
export interface LoadReport {
  readonly device: DeviceKind;
  readonly roles: readonly RoleReport[];
  /** Set when `auto` chose WASM over a software WebGPU adapter: why (also said as a notice). */
  readonly deviceReason?: string;
  /** Set when `preset=auto` chose the tier: which and why. */
  readonly auto?: AutoTier;
}

/** What a download plan is asked for: a load without running it; `ocr` adds the bundled OCR files. */
export interface PlanRequest {
  /** A tier, or `auto` (as in {@link LoadRequest}). */
  readonly preset: Preset | 'auto';
  readonly overrides: RoleOverrides;
  readonly roles: readonly LoadableRole[];
  readonly device: DeviceRequest;
  readonly ocr: boolean;
}

/** One file a load would fetch. `bytes` is null when its size could not be learnt (offline, host down). */
export interface PlannedFile {
  readonly path: string;
  readonly bytes: number | null;
  readonly cached: boolean;
}

/** What one role would fetch. */
export interface RolePlan {
  readonly role: LoadableRole | 'ocr';
  readonly repo: string;
  /** Where its files come from (the folder URL), shown before anything is downloaded. */
  readonly location: string;
  readonly dtype: DtypeChoice;
  /** Set when the role reuses another role's model (nothing to fetch). */
  readonly sharedWith: LoadableRole | null;
  readonly files: readonly PlannedFile[];
  /** Bytes still to download (known sizes only), and bytes already in the weight cache. */
  readonly downloadBytes: number;
  readonly cachedBytes: number;
  /** Why sizes are missing (e.g. the host could not be reached); null when every size is known. */
  readonly problem: string | null;
}

/** The honest download figure of a choice of preset, mode and device, before anything is downloaded. */
export interface DownloadPlan {
  readonly device: DeviceKind;
  readonly roles: readonly RolePlan[];
  readonly downloadBytes: number;
  readonly cachedBytes: number;
  /** True when every file's size is known, so `downloadBytes` is exact. */
  readonly exact: boolean;
}

/** One image to caption. The Blob crosses to the worker, which decodes it. */
export interface CaptionJob {
  readonly jobId: string;
  readonly image: Blob;
  /** Name shown in errors (the file name). */
  readonly name: string;
  readonly prompt: string;
  readonly maxNewTokens: number;
}

/** A finished caption and what produced it. */
export interface CaptionResult {
  readonly jobId: string;
  readonly text: string;
  readonly repo: string;
  readonly device: DeviceKind;
  readonly dtype: DtypeChoice;
  readonly tokens: number;
  readonly ms: number;
}

/** An image to read text from with the OCR tool. */
export interface OcrJob {
  readonly jobId: string;
  readonly image: Blob;
  readonly name: string;
  readonly device: DeviceRequest;
}

/** The text lines found, and where the OCR ran. */
export interface OcrResult {
  readonly jobId: string;
  readonly lines: readonly OcrLine[];
  readonly device: DeviceKind;
  readonly ms: number;
}

/** A CapFlow or single-pass job: one image, the frames of a video in time order, or a video file to sample. */
export interface CapflowJob {
  readonly jobId: string;
  readonly images: readonly Blob[];
  /** A video's frame times in seconds, one per image; null for an image. */
  readonly times: readonly number[] | null;
  /** A video file the worker samples into frames (then `images` is empty). */
  readonly video: { readonly file: Blob; readonly sampling: VideoSampling } | null;
  /** Set when `images` are a video file's frames the page read by seeking (no WebCodecs there). */
  readonly sampledBy?: 'seeking';
  /** Set when the page could read only part of the video it seeked (see {@link CaptionRecord.partialVideo}). */
  readonly partialVideo?: string;
  readonly name: string;
  readonly options: CapflowOptions;
  /** Device for the OCR tool (the other models run where they were loaded). */
  readonly ocrDevice: DeviceRequest;
}

/** A model file the user picked from disk, with its path inside the model folder. */
export interface ImportFile {
  readonly path: string;
  readonly blob: Blob;
}

/** Storage numbers for the UI. */
export interface StorageReport {
  readonly usage: number;
  readonly quota: number;
  readonly persisted: boolean;
}

/** The worker's surface. */
export interface CaptionerApi {
  configure(config: RuntimeConfig): Promise<void>;
  probe(): Promise<DeviceInfo>;
  /** Lists what `load` would fetch for a request, with sizes and what is already cached; downloads nothing. */
  plan(request: PlanRequest): Promise<DownloadPlan>;
  /** Which shipped tiers fit this device on `device`, and the one `preset=auto` takes; downloads nothing. */
  fit(device: DeviceRequest): Promise<FitReport>;
  load(request: LoadRequest, onEvent: EventSink): Promise<LoadReport>;
  caption(job: CaptionJob, onEvent: EventSink): Promise<CaptionResult>;
  /** Captions with the CapFlow workflow or the single-pass mode (load roles vlm, llm and router first). */
  capflow(job: CapflowJob, onEvent: EventSink): Promise<CaptionRecord>;
  /** Reads the text of an image with the bundled PP-OCR model (loaded on first use). */
  readText(job: OcrJob, onEvent: EventSink): Promise<OcrResult>;
  /** Stops a running job between tokens/steps and aborts its downloads. */
  cancel(jobId: string): Promise<void>;
  cacheList(): Promise<CachedModel[]>;
  cacheDelete(key: string): Promise<void>;
  cacheClear(): Promise<void>;
  storage(): Promise<StorageReport>;
  /** Files a model folder picked from disk into the cache as `imported/<name>`; returns its repo id. */
  importModel(name: string, files: readonly ImportFile[]): Promise<string>;
  unload(): Promise<void>;
  /**
   * True once onnxruntime failed to create a session in this worker:
   * transformers.js chains every session creation on one promise, so after
   * one failure no model can load here again, and the client replaces it.
   */
  sessionsBroken(): Promise<boolean>;
}
