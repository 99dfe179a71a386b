/**
 * The public library entry: `createCaptioner()` owns the worker (started
 * lazily on first use) and is the only code that talks to it.
 */
import { type Remote, proxy, wrap } from 'comlink';
import type { CaptionerApi, CaptionResult, DeviceRequest, LoadReport } from '../shared/api';
import type { DeviceInfo } from '../shared/device';
import type { EventSink } from '../shared/events';
import { HUB_SOURCE, type ModelSource } from '../shared/model-source';
import type { ModelSpec } from '../shared/model-spec';
import { createCaptionerWorker } from './worker-factory';

/** Options for {@link createCaptioner}; every field has a sensible default. */
export interface CaptionerOptions {
  /** Where model files come from (default: the public hub). */
  readonly source?: ModelSource;
  /** Worker factory, injectable for embedding hosts with their own bundling. */
  readonly createWorker?: () => Worker;
}

/** What to caption and how. */
export interface CaptionRequest {
  readonly image: Blob;
  readonly name?: string;
  readonly prompt?: string;
  readonly maxNewTokens?: number;
  readonly onEvent?: EventSink;
}

/** The captioner handle a page or script holds. */
export interface Captioner {
  probe(): Promise<DeviceInfo>;
  load(vlm: ModelSpec, options?: { device?: DeviceRequest; onEvent?: EventSink }): Promise<LoadReport>;
  caption(request: CaptionRequest): Promise<CaptionResult>;
  /** Terminates the worker; the next call starts a fresh one. */
  dispose(): void;
}

/** The default instruction for a plain caption. */
export const DEFAULT_PROMPT = 'Describe this image in detail.';

const ignore: EventSink = () => {};

/** Creates a captioner. No worker starts until the first call. */
export function createCaptioner(options: CaptionerOptions = {}): Captioner {
  const createWorker = options.createWorker ?? createCaptionerWorker;
  let worker: Worker | null = null;
  let remote: Promise<Remote<CaptionerApi>> | null = null;
  let jobCounter = 0;

  const api = (): Promise<Remote<CaptionerApi>> => {
    if (!remote) {
      worker = createWorker();
      const wrapped = wrap<CaptionerApi>(worker);
      remote = wrapped
        .configure({ source: options.source ?? HUB_SOURCE })
        .then(() => wrapped);
    }
    return remote;
  };

  return {
    async probe() {
      return (await api()).probe();
    },
    async load(vlm, { device = 'auto', onEvent = ignore } = {}) {
      return (await api()).load({ vlm, device }, proxy(onEvent));
    },
    async caption({ image, name = image instanceof File ? image.name : 'image', prompt, maxNewTokens, onEvent }) {
      jobCounter += 1;
      const job = {
        jobId: `job-${jobCounter}`,
        image,
        name,
        prompt: prompt ?? DEFAULT_PROMPT,
        maxNewTokens: maxNewTokens ?? 256,
      };
      return (await api()).caption(job, proxy(onEvent ?? ignore));
    },
    dispose() {
      worker?.terminate();
      worker = null;
      remote = null;
    },
  };
}
