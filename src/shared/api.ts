/**
 * The one typed worker API. The worker's service class `implements` it and
 * only `src/client` talks to it (through comlink); callbacks cross as
 * `comlink.proxy`, so every method that reports progress takes an
 * {@link EventSink}.
 */
import type { DeviceInfo } from './device';
import type { EventSink } from './events';
import type { DeviceKind, DtypeChoice, ModelSpec } from './model-spec';
import type { ModelSource } from './model-source';

/** Static configuration the client hands the worker before anything else. */
export interface RuntimeConfig {
  readonly source: ModelSource;
}

/** Which device to load on: `auto` picks WebGPU when an adapter exists. */
export type DeviceRequest = DeviceKind | 'auto';

/** What to load. */
export interface LoadRequest {
  readonly vlm: ModelSpec;
  readonly device: DeviceRequest;
}

/** What got loaded, where, and how long it took. */
export interface LoadReport {
  readonly repo: string;
  readonly device: DeviceKind;
  readonly dtype: DtypeChoice;
  readonly loadMs: number;
  readonly compileMs: number;
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

/** The worker's surface. */
export interface CaptionerApi {
  configure(config: RuntimeConfig): Promise<void>;
  probe(): Promise<DeviceInfo>;
  load(request: LoadRequest, onEvent: EventSink): Promise<LoadReport>;
  caption(job: CaptionJob, onEvent: EventSink): Promise<CaptionResult>;
  unload(): Promise<void>;
}
