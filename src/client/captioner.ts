/**
 * The public library entry: `createCaptioner()` owns the worker (started
 * lazily, restarted after a crash with the last models reloaded), queues
 * jobs, cancels them (by id or AbortSignal), and exposes the weight cache.
 * It is the only code that talks to the worker.
 */
import { proxy } from 'comlink';
import type { CaptionRecord, CapflowOptions } from '../shared/record';
import { DEFAULT_PROMPT } from '../capflow/workflow';
import type {
  CapflowJob,
  CaptionResult,
  DeviceRequest,
  DownloadPlan,
  FitReport,
  ImportFile,
  LoadReport,
  LoadRequest,
  OcrResult,
  StorageReport,
} from '../shared/api';
import type { CachedModel } from '../shared/cached-model';
import type { DeviceInfo } from '../shared/device';
import type { AutoTier } from '../shared/device-fit';
import { CancelledError, aboutFile } from '../shared/errors';
import type { EventSink } from '../shared/events';
import { HUB_SOURCE, type ModelSource } from '../shared/model-source';
import {
  DEFAULT_PRESET_ID,
  DEFAULT_PRESET_REQUEST,
  PRESETS,
  type Preset,
  type PresetId,
  type PresetRequest,
  requirePresetRequest,
} from '../shared/presets';
import type { LoadableRole, RoleOverrides } from '../shared/roles';
import { type VideoSampling, videoSampling } from '../shared/video-sampling';
import { folderImport } from './folder-import';
import { JobQueue } from './job-queue';
import { canSeekVideo, hasWebCodecs, seekVideo } from './seek-video';
import { WorkerLink } from './worker-link';
import { createCaptionerWorker } from './worker-factory';

/** Options for {@link createCaptioner}; every field has a sensible default. */
export interface CaptionerOptions {
  /** Where model files come from (default: the public hub). */
  readonly source?: ModelSource;
  /** Worker factory, injectable for embedding hosts with their own bundling (and for tests). */
  readonly createWorker?: () => Worker;
  /** Events not tied to one call: restarts, reloads after a crash. */
  readonly onEvent?: EventSink;
  /** How long a cancelled job may take to stop before its worker is terminated (ms). */
  readonly cancelGraceMs?: number;
  /**
   * The folder holding the build's `assets/` (worker, ONNX runtime) and `ocr/`
   * folders, when they are not next to this module (e.g. your bundler moved
   * this code but not its files). Default: resolved from `import.meta.url`.
   */
  readonly assetsBase?: string;
}

/** Which models, for which roles, on which device. */
export interface ModelChoice {
  /** Default `auto`: the largest tier that fits this device (see `fit()`). */
  readonly preset?: PresetRequest | Preset;
  readonly overrides?: RoleOverrides;
  /** Default: just the VLM (single-pass captions). CapFlow also needs `llm` and `router`. */
  readonly roles?: readonly LoadableRole[];
  readonly device?: DeviceRequest;
}

/** What to load. */
export interface LoadOptions extends ModelChoice {
  /**
   * Load a shipped tier that does not fit this device anyway (it may crash
   * the tab). Without it such a load rejects with `DeviceTooSmallError`
   * before anything is downloaded.
   */
  readonly allowTooSmall?: boolean;
  readonly onEvent?: EventSink;
  readonly signal?: AbortSignal;
  readonly jobId?: string;
}

/** What to plan: the same choice as a load, plus whether the OCR tool will be needed. */
export interface PlanOptions extends ModelChoice {
  readonly ocr?: boolean;
}

/** What to caption and how. */
export interface CaptionRequest {
  readonly image: Blob;
  readonly name?: string;
  readonly prompt?: string;
  readonly maxNewTokens?: number;
  readonly onEvent?: EventSink;
  readonly signal?: AbortSignal;
  readonly jobId?: string;
}

/**
 * A CapFlow (or single-pass) job: an image, video frames in time order
 * (each with its time in seconds), or a video file the worker samples
 * (`videoSampling` changes the defaults: frames, scene detection, limits).
 */
export interface CapflowRequest {
  readonly image?: Blob;
  readonly frames?: readonly { readonly image: Blob; readonly time: number }[];
  readonly video?: Blob;
  readonly videoSampling?: Partial<VideoSampling>;
  readonly name?: string;
  readonly options?: Partial<CapflowOptions>;
  readonly ocrDevice?: DeviceRequest;
  readonly onEvent?: EventSink;
  readonly signal?: AbortSignal;
  readonly jobId?: string;
}

/** An image to read text from. */
export interface ReadTextRequest {
  readonly image: Blob;
  readonly name?: string;
  readonly device?: DeviceRequest;
  readonly signal?: AbortSignal;
  readonly jobId?: string;
}

/** The weight cache, as the page manages it. */
export interface CacheControls {
  list(): Promise<CachedModel[]>;
  delete(key: string): Promise<void>;
  clear(): Promise<void>;
  storage(): Promise<StorageReport>;
  /** Asks the browser to keep the cache under storage pressure (page-only API). */
  persist(): Promise<boolean>;
  /** Imports a model folder picked from disk; returns the repo id to use as an `imported` override. */
  importFolder(files: readonly File[] | readonly ImportFile[], name?: string): Promise<string>;
}

/** The captioner handle a page or script holds. */
export interface Captioner {
  probe(): Promise<DeviceInfo>;
  /** What `load` with these options would download (per role and file, with sizes) and what is cached already. */
  plan(options?: PlanOptions): Promise<DownloadPlan>;
  /** Which shipped tiers fit this device (on `device`, default `auto`) and why not, and the one `auto` takes. */
  fit(device?: DeviceRequest): Promise<FitReport>;
  load(options?: LoadOptions): Promise<LoadReport>;
  caption(request: CaptionRequest): Promise<CaptionResult>;
  /** Captions with the CapFlow workflow (default) or the single-pass mode; returns the full record. */
  capflow(request: CapflowRequest): Promise<CaptionRecord>;
  /** Reads the text of an image (bundled PP-OCR; works offline, no model download). */
  readText(request: ReadTextRequest): Promise<OcrResult>;
  /** Cancels a queued or running job; its promise rejects with CancelledError. */
  cancel(jobId: string): void;
  readonly cache: CacheControls;
  /** Terminates the worker; the next call starts a fresh one. */
  dispose(): void;
}

const DEFAULT_CANCEL_GRACE_MS = 5_000;
const DEFAULT_ROLES: readonly LoadableRole[] = ['vlm'];
const ignore: EventSink = () => {};

/** The name errors use for an input: the caller's, the file's, or "image". */
function displayName(image: Blob | undefined, name: string | undefined): string {
  return name ?? (image instanceof File ? image.name : 'image');
}

/** A job's failure, naming its input when the caller gave it a name (or it is a File). */
function failedFor(image: Blob | undefined, name: string | undefined): (err: unknown) => never {
  return (err) => {
    const known = name ?? (image instanceof File ? image.name : undefined);
    throw known === undefined ? err : aboutFile(err, known);
  };
}

/**
 * The tier a load got, to replay: `auto` resolved to the tier the worker
 * chose (with its choice, for records). With a VLM of one's own `auto` is
 * the default tier, unjudged (the report then says no choice).
 */
function loadedTier(report: LoadReport): Partial<Pick<LoadRequest, 'preset' | 'auto'>> {
  return report.auto ? { preset: PRESETS[report.auto.tier], auto: report.auto } : {};
}

/** Creates a captioner. No worker starts until the first call. */
export function createCaptioner(options: CaptionerOptions = {}): Captioner {
  const globalSink = options.onEvent ?? ignore;
  let jobCounter = 0;
  const nextId = (kind: string) => `${kind}-${++jobCounter}`;
  /** The last load that succeeded, replayed into a restarted worker before it captions. */
  let lastLoad: { request: LoadRequest; generation: number } | null = null;

  const link = new WorkerLink(
    options.createWorker ?? (() => createCaptionerWorker(options.assetsBase)),
    { source: options.source ?? HUB_SOURCE, assetsBase: options.assetsBase },
    (error) => globalSink({ type: 'notice', message: error.message }),
  );
  /** Jobs doing work on the page before the worker's part (a video read by seeking), to stop on cancel. */
  const pageWork = new Map<string, AbortController>();
  const queue = new JobQueue((jobId) => {
    pageWork.get(jobId)?.abort();
    const generation = link.current;
    // Only a live worker has anything to stop (call() would start a fresh one).
    if (generation) void link.call((api) => api.cancel(jobId)).catch(() => {});
    // A job that ignores the cancel (e.g. stuck compiling shaders) costs its worker.
    setTimeout(() => {
      if (queue.pending.running === jobId && link.current === generation) link.terminate(`job ${jobId} did not stop`);
    }, options.cancelGraceMs ?? DEFAULT_CANCEL_GRACE_MS);
  });

  /** Queues a worker job; aborting `signal` cancels it like `cancel(jobId)`. */
  const enqueue = <T>(jobId: string, signal: AbortSignal | undefined, run: () => Promise<T>): Promise<T> => {
    if (signal?.aborted) return Promise.reject(new CancelledError(jobId));
    const onAbort = () => queue.cancel(jobId);
    signal?.addEventListener('abort', onAbort, { once: true });
    return queue.add(jobId, run).finally(() => signal?.removeEventListener('abort', onAbort));
  };

  const restoreModels = async () => {
    if (!lastLoad || lastLoad.generation === link.current) return;
    const request = { ...lastLoad.request, jobId: nextId('restore') };
    globalSink({ type: 'notice', message: 'Restarted the captioning worker; reloading models from the cache.' });
    await link.call((api) => api.load(request, proxy(globalSink)));
    lastLoad = { request, generation: link.current };
  };

  /** A worker whose runtime can no longer create sessions is replaced (the next call starts a fresh one). */
  const replaceIfBroken = async () => {
    const generation = link.current;
    const broken = generation ? await link.call((api) => api.sessionsBroken()).catch(() => false) : false;
    if (!broken || link.current !== generation) return;
    link.terminate('its ONNX runtime could not recover from a model it failed to load');
    globalSink({
      type: 'notice',
      message: 'A model failed to load; a fresh captioning worker takes over (loaded models reload from the cache).',
    });
  };

  /** A video job's frames read on the page by seeking (said as a notice, and in the record), as a frames job. */
  const framesBySeeking = async (job: CapflowJob, onEvent: EventSink): Promise<CapflowJob> => {
    if (!job.video) return job;
    const abort = new AbortController();
    pageWork.set(job.jobId, abort);
    try {
      onEvent({
        type: 'notice',
        message: `This browser has no WebCodecs: the frames of "${job.name}" are read by seeking the video on the page (slower; fewer moments probed for scene changes).`,
      });
      const seeked = await seekVideo(job.video.file, job.name, job.video.sampling, {
        signal: abort.signal,
        jobId: job.jobId,
        onProgress: (p) => onEvent({ type: 'video-frames', jobId: job.jobId, ...p }),
      });
      return {
        ...job,
        images: seeked.frames.map((f) => f.image),
        times: seeked.frames.map((f) => f.time),
        video: null,
        sampledBy: 'seeking',
        ...(seeked.partial && { partialVideo: seeked.partial }),
      };
    } finally {
      pageWork.delete(job.jobId);
    }
  };

  const fit = (device: DeviceRequest) => link.call((api) => api.fit(device));
  /** The preset a request means: a tier, or `auto`, which the worker resolves when it plans or loads. */
  const presetOf = (preset: PresetRequest | Preset): Preset | 'auto' => {
    if (typeof preset !== 'string') return preset;
    const request = requirePresetRequest(preset);
    return request === 'auto' ? 'auto' : PRESETS[request];
  };

  return {
    probe: () => link.call((api) => api.probe()),

    async plan({
      preset = DEFAULT_PRESET_REQUEST,
      overrides = {},
      roles = DEFAULT_ROLES,
      device = 'auto',
      ocr = false,
    } = {}) {
      const request = { preset: presetOf(preset), overrides, roles, device, ocr };
      return link.call((api) => api.plan(request));
    },

    fit: (device = 'auto') => fit(device),

    load({
      preset = DEFAULT_PRESET_REQUEST,
      overrides = {},
      roles = DEFAULT_ROLES,
      device = 'auto',
      allowTooSmall = false,
      onEvent = ignore,
      signal,
      jobId = nextId('load'),
    } = {}) {
      // A mistyped name fails here, at once, never as a silent default.
      if (typeof preset === 'string') requirePresetRequest(preset);
      // Ask for durable storage before the first big download (only pages may ask).
      void globalThis.navigator?.storage?.persist?.().catch(() => false);
      const request: LoadRequest = {
        jobId,
        preset: presetOf(preset),
        overrides,
        roles,
        device,
        ...(allowTooSmall && { allowTooSmall }),
      };
      return enqueue(jobId, signal, async () => {
        try {
          const report = await link.call((api) => api.load(request, proxy(onEvent)));
          // A restarted worker reloads the tier this load got, not a fresh `auto` choice.
          lastLoad = { request: { ...request, ...loadedTier(report) }, generation: link.current };
          return report;
        } catch (err) {
          await replaceIfBroken();
          throw err;
        }
      });
    },

    caption({ image, name, prompt, maxNewTokens, onEvent = ignore, signal, jobId = nextId('caption') }) {
      const job = {
        jobId,
        image,
        name: displayName(image, name),
        prompt: prompt ?? DEFAULT_PROMPT,
        maxNewTokens: maxNewTokens ?? 256,
      };
      let cancelled = false;
      // Tokens that arrive after a cancel belong to a result nobody wants; the
      // worker's confirmation that it stopped goes to the captioner-wide sink.
      const sink: EventSink = (event) => {
        if (event.type === 'cancelled') globalSink(event);
        else if (!cancelled) onEvent(event);
      };
      return enqueue(jobId, signal, async () => {
        await restoreModels();
        return link.call((api) => api.caption(job, proxy(sink)));
      }).catch((err: unknown) => {
        cancelled = true;
        return failedFor(image, name)(err);
      });
    },

    // Async, so a bad video setting rejects like every other bad input.
    async capflow({
      image,
      frames,
      video,
      videoSampling: sampling,
      name,
      options = {},
      ocrDevice = 'auto',
      onEvent = ignore,
      signal,
      jobId = nextId('capflow'),
    }) {
      const job: CapflowJob = {
        jobId,
        images: frames ? frames.map((f) => f.image) : image ? [image] : [],
        times: frames ? frames.map((f) => f.time) : null,
        video: video ? { file: video, sampling: videoSampling(sampling) } : null,
        name: displayName(image ?? video, name),
        options: { mode: 'capflow', ...options },
        ocrDevice,
      };
      // Without WebCodecs the worker cannot decode video; a page can still seek a <video> and draw it.
      const seeking = job.video !== null && !hasWebCodecs() && canSeekVideo();
      return enqueue(jobId, signal, async () => {
        const ready = seeking ? await framesBySeeking(job, onEvent) : job;
        await restoreModels();
        return link.call((api) => api.capflow(ready, proxy(onEvent)));
      }).catch(failedFor(image ?? video, name));
    },

    readText({ image, name, device = 'auto', signal, jobId = nextId('ocr') }) {
      const job = { jobId, image, name: displayName(image, name), device };
      return enqueue(jobId, signal, () => link.call((api) => api.readText(job, proxy(globalSink)))).catch(
        failedFor(image, name),
      );
    },

    cancel(jobId) {
      queue.cancel(jobId);
    },

    cache: {
      list: () => link.call((api) => api.cacheList()),
      delete: (key) => link.call((api) => api.cacheDelete(key)),
      clear: () => link.call((api) => api.cacheClear()),
      storage: () => link.call((api) => api.storage()),
      persist: async () => (await globalThis.navigator?.storage?.persist?.()) ?? false,
      async importFolder(files, name) {
        const picked = folderImport(files, name);
        return link.call((api) => api.importModel(picked.name, picked.files));
      },
    },

    dispose() {
      link.terminate('disposed');
    },
  };
}
