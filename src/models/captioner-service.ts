/**
 * The worker-side implementation of {@link CaptionerApi}: a thin
 * dispatcher over the rooms that do the work — the tier choice, the model
 * set (loading and reuse), the GPU fallback, the OCR tool, the weight cache
 * and planning, image decoding and the CapFlow engine. Everything it needs from the
 * environment comes in through its constructor, so tests build it with a
 * different probe, storage or chunk size, or subclass its two job hooks to
 * inject faults.
 */
import type { RawImage } from '@huggingface/transformers';
import type {
  CaptionJob,
  CaptionResult,
  CaptionerApi,
  CapflowJob,
  DeviceRequest,
  DownloadPlan,
  FitReport,
  ImportFile,
  LoadReport,
  OcrJob,
  OcrResult,
  LoadRequest,
  PlanRequest,
  RuntimeConfig,
  StorageReport,
} from '../shared/api';
import type { CachedModel } from '../shared/cached-model';
import type { DeviceInfo } from '../shared/device';
import type { AutoTier } from '../shared/device-fit';
import { ImageDecodeError, NotLoadedError, errorText } from '../shared/errors';
import type { EventSink } from '../shared/events';
import { HUB_SOURCE, type ModelSource } from '../shared/model-source';
import type { Preset } from '../shared/presets';
import type { CaptionRecord, VideoSampler } from '../shared/record';
import { type CapflowInput, type CapflowModels, runCapflow } from '../capflow/workflow';
import { decodeImage, fitForModels, rgbOf } from '../media/decode';
import { sampleVideo } from '../media/video/sample-video';
import { capflowModels } from './capflow-models';
import { importModelFiles } from './cache/import-model';
import { type PlanContext, planDownload } from './cache/download-plan';
import { DownloadTracker } from './cache/download-tracker';
import { type StorageAccess, WeightCache, availableBytes } from './cache/weight-cache';
import { type JobControl, JobRegistry } from './jobs';
import { ModelSet, wantedModels } from './model-set';
import { OCR_MODEL_NAME, type OcrEngine } from './ocr/ocr-engine';
import { OcrTool } from './ocr/ocr-tool';
import { type AssetLocations, assetLocations } from './runtime/assets';
import { autoDeviceNotice, autoDeviceReason } from './runtime/device-choice';
import { reportedDeviceMemory } from './runtime/device-facts';
import { probeDevice } from './runtime/device-probe';
import { GpuFallback } from './runtime/gpu-fallback';
import { HostGuard } from './runtime/host-guard';
import { holdLifeLock } from './runtime/life-lock';
import { configureRuntime, orderSessionReads, preloadRuntime } from './runtime/runtime';
import { SessionGate } from './cache/session-gate';
import { type TierChoiceDeps, chooseTier, fitReport, refuseTooSmall } from './tier-choice';

/** A load request with its tier chosen (`auto` resolved). */
type ResolvedLoad = LoadRequest & { readonly preset: Preset };

/** What the service depends on. */
export interface ServiceDeps {
  readonly probe: () => Promise<DeviceInfo>;
  readonly now: () => number;
  readonly storage: StorageAccess;
  /** Chunk size for stored weights (tests use small chunks to exercise reassembly). */
  readonly chunkBytes?: number;
  /** Free space every stored file must leave (tests use it to make stores fail). */
  readonly reserveBytes?: number;
  /** The Web Locks manager, for the life lock (absent outside browsers). */
  readonly locks?: LockManager;
  /** `navigator.deviceMemory` in GB, or null (tests report a small device). */
  readonly deviceMemory?: () => number | null;
  /** Orders each load's session reads (tests watch it). */
  readonly sessionGate?: SessionGate;
}

/** The real dependencies inside a worker. */
export function workerDeps(): ServiceDeps {
  return {
    probe: () => probeDevice(),
    now: () => performance.now(),
    storage: navigator.storage,
    locks: navigator.locks,
    deviceMemory: reportedDeviceMemory,
  };
}

/** Implements the worker API over transformers.js. */
export class CaptionerService implements CaptionerApi {
  private deviceInfo: Promise<DeviceInfo> | null = null;
  /** The ORT runtime files, fetched as soon as the worker is configured (see preloadRuntime). */
  private runtimeReady: Promise<void> = Promise.resolve();
  private cache: WeightCache | null = null;
  private source: ModelSource = HUB_SOURCE;
  private assets: AssetLocations | null = null;
  private readonly models = new ModelSet();
  /** Set when onnxruntime failed to create a session (see {@link CaptionerApi.sessionsBroken}). */
  private broken = false;
  /** The last load that succeeded, to reload on WASM after a GPU failure. */
  private lastLoad: ResolvedLoad | null = null;
  /** Why the loaded models sit on WASM when `auto` passed over a software adapter, for records. */
  private deviceReason: string | null = null;
  /** How `preset=auto` chose the loaded tier, for records; null when the caller named it. */
  private autoTier: AutoTier | null = null;
  private readonly gpu = new GpuFallback({
    modelsDevice: () => this.models.device,
    reloadOnWasm: async (control, onEvent) => {
      if (!this.lastLoad) throw new NotLoadedError('vision-language');
      await this.loadModels({ ...this.lastLoad, device: 'wasm' }, control, onEvent);
    },
  });
  private readonly ocr = new OcrTool({
    cache: () => this.requireCache(),
    assets: () => this.requireAssets(),
    runtimeReady: () => this.runtimeReady,
    now: () => this.deps.now(),
  });
  private readonly jobs = new JobRegistry();
  private readonly downloads = new DownloadTracker();
  private readonly sessionGate: SessionGate;
  /** The origins this worker may fetch from: its own and the configured model hosts. */
  private readonly hosts = new HostGuard(globalThis.location?.href ?? 'http://localhost/');
  /** Probed file sizes by URL, kept for the worker's life. */
  private readonly sizes = new Map<string, Promise<number | null>>();

  constructor(private readonly deps: ServiceDeps = workerDeps()) {
    this.sessionGate = deps.sessionGate ?? new SessionGate();
  }

  async configure(config: RuntimeConfig): Promise<void> {
    this.source = config.source;
    this.cache ??= await WeightCache.open({
      storage: this.deps.storage,
      chunkBytes: this.deps.chunkBytes,
      reserveBytes: this.deps.reserveBytes,
      onPutEnd: (url) => this.downloads.done(url),
      sessionGate: this.sessionGate,
    });
    this.assets = assetLocations(config.assetsBase);
    this.hosts.allow(config.source);
    // The app's own files may be served from elsewhere (assetsBase): that host is the app's too.
    this.hosts.allow({ kind: 'host', host: new URL(this.assets.ortWasm).origin, pathTemplate: '{model}/' });
    configureRuntime(this.cache, this.downloads, () => this.jobs.currentSignal(), this.assets, this.hosts);
    orderSessionReads(this.sessionGate);
    this.runtimeReady = preloadRuntime().catch((err: unknown) => {
      console.warn('Could not preload the ONNX runtime; it loads on first use instead.', err);
    });
    await holdLifeLock(this.deps.locks, config.lifeLock);
  }

  /** Probes once per worker; the adapter does not change while it lives. */
  probe(): Promise<DeviceInfo> {
    this.deviceInfo ??= this.deps.probe();
    return this.deviceInfo;
  }

  async plan(request: PlanRequest): Promise<DownloadPlan> {
    const info = await this.probe();
    const device = this.gpu.deviceFor(request.device, info);
    const ctx: PlanContext = {
      cache: this.requireCache(),
      defaultSource: this.source,
      fetch: this.hosts.guard((input, init) => fetch(input, init), self.location.href),
      sizes: this.sizes,
    };
    const { preset } = await chooseTier(this.tierDeps, request, info, device);
    const wanted = wantedModels({ ...request, preset }, device, info);
    for (const { resolved } of wanted) if (resolved.spec.source) this.hosts.allow(resolved.spec.source);
    return planDownload(ctx, device, wanted, request.ocr ? [this.ocr.plan(ctx)] : []);
  }

  async fit(request: DeviceRequest): Promise<FitReport> {
    const info = await this.probe();
    return fitReport(this.tierDeps, info, this.gpu.deviceFor(request, info));
  }

  load(request: LoadRequest, onEvent: EventSink): Promise<LoadReport> {
    return this.jobs.run(request.jobId, (control) => this.loadModels(request, control, onEvent));
  }

  private async loadModels(request: LoadRequest, control: JobControl, onEvent: EventSink): Promise<LoadReport> {
    const info = await this.probe();
    const device = this.gpu.deviceFor(request.device, info);
    const deviceReason = autoDeviceReason(request.device, device, info);
    const chosen = await chooseTier(this.tierDeps, request, info, device);
    refuseTooSmall(chosen, request.allowTooSmall);
    // What loads, as a tier named outright: a reload (on WASM after a GPU failure) loads the same tier.
    const load: ResolvedLoad = { ...request, preset: chosen.preset, ...(chosen.auto && { auto: chosen.auto }) };
    if (deviceReason) onEvent({ type: 'notice', message: autoDeviceNotice(deviceReason) });
    await this.runtimeReady;
    const wanted = wantedModels(load, device, info);
    for (const { resolved } of wanted) if (resolved.spec.source) this.hosts.allow(resolved.spec.source);
    const ctx = {
      cache: this.requireCache(),
      storage: this.deps.storage,
      downloads: this.downloads,
      defaultSource: this.source,
      now: this.deps.now,
      sessionGate: this.sessionGate,
    };
    let roles;
    try {
      roles = await this.models.load(ctx, device, wanted, control, onEvent);
    } catch (err) {
      if (/create a session/i.test(errorText(err))) this.broken = true;
      throw err;
    }
    this.lastLoad = load;
    this.deviceReason = deviceReason;
    this.autoTier = load.auto ?? null;
    this.gpu.watch(device);
    return { device, roles, ...(deviceReason && { deviceReason }), ...(load.auto && { auto: load.auto }) };
  }

  caption(job: CaptionJob, onEvent: EventSink): Promise<CaptionResult> {
    return this.jobs.run(job.jobId, async (control) => {
      const image = fitForModels(await decodeImage(job.image, job.name));
      return this.gpu.run(control, onEvent, () => this.captionImage(job, image, control, onEvent));
    });
  }

  /** One caption with the loaded VLM (overridable by tests that inject GPU faults). */
  protected async captionImage(
    job: CaptionJob,
    image: RawImage,
    control: JobControl,
    onEvent: EventSink,
  ): Promise<CaptionResult> {
    const { vlm, device } = this.models.roles();
    control.check();
    const started = this.deps.now();
    const out = await vlm.generate([image], {
      prompt: job.prompt,
      maxNewTokens: job.maxNewTokens,
      stopping: control.stopping,
      onText: (text) => onEvent({ type: 'token', jobId: job.jobId, text }),
    });
    const { steps, interruptedAt } = control.stopping;
    if (interruptedAt !== null) {
      onEvent({ type: 'cancelled', jobId: job.jobId, tokens: steps, tokensAfterCancel: steps - interruptedAt });
    }
    return {
      jobId: job.jobId,
      text: out.text,
      repo: vlm.spec.repo,
      device,
      dtype: this.models.dtype('vlm'),
      tokens: out.tokens,
      ms: this.deps.now() - started,
    };
  }

  readText(job: OcrJob, onEvent: EventSink): Promise<OcrResult> {
    return this.jobs.run(job.jobId, async (control) => {
      const raw = await decodeImage(job.image, job.name);
      const ocr = await this.ocrOn(job.device, onEvent);
      control.check();
      const started = this.deps.now();
      const lines = await ocr.read(rgbOf(raw));
      return { jobId: job.jobId, lines, device: ocr.device, ms: this.deps.now() - started };
    });
  }

  capflow(job: CapflowJob, onEvent: EventSink): Promise<CaptionRecord> {
    return this.jobs.run(job.jobId, async (control) => {
      const { originals, times, partial } = await this.subject(job, control.signal, onEvent);
      if (partial) onEvent({ type: 'notice', message: `"${job.name}" could only partly be read: ${partial}.` });
      // The vision models get letterboxed images; the OCR tool reads the originals (its boxes stay true).
      const images = originals.map(fitForModels);
      const [first] = images;
      if (!first) throw new ImageDecodeError(job.name, 'no image or frames were given');
      const input: CapflowInput<RawImage> = times
        ? { kind: 'video', frames: images.map((image, i) => ({ image, time: times[i] ?? Number.NaN })) }
        : { kind: 'image', image: first };
      const originalOf = new Map(images.map((image, i) => [image, originals[i] ?? image]));
      const ocr = {
        name: OCR_MODEL_NAME,
        // The OCR tool loads on first use, so domains without an OCR agent never pay for it.
        read: async (image: RawImage, onProgress?: (done: number, total: number) => void) => {
          const engine = await this.ocrOn(job.ocrDevice, onEvent);
          return engine.read(rgbOf(originalOf.get(image) ?? image), onProgress);
        },
      };
      return this.gpu.run(control, onEvent, async () => {
        const { vlm, llm, router } = this.models.roles();
        if (job.options.mode === 'capflow' && !llm) throw new NotLoadedError('summary (llm role)');
        const models = this.workflowModels(capflowModels(vlm, llm ?? vlm, router ?? null, ocr));
        const record = await runCapflow(input, models, job.options, {
          jobId: job.jobId,
          check: control.check,
          stopping: control.stopping,
          emit: onEvent,
          now: this.deps.now,
        });
        const sampledBy: VideoSampler | undefined = job.video ? 'webcodecs' : job.sampledBy;
        return {
          ...record,
          ...(sampledBy && { sampledBy }),
          ...(partial && { partialVideo: partial }),
          runtime: {
            ...this.models.runtime(),
            ...(this.deviceReason && { deviceReason: this.deviceReason }),
            ...(this.autoTier && { tier: { id: this.autoTier.tier, auto: true, reason: this.autoTier.reason } }),
          },
        };
      });
    });
  }

  /** The OCR engine for a request; a notice says so when `auto` puts it on WASM over a software adapter. */
  private async ocrOn(request: DeviceRequest, onEvent: EventSink): Promise<OcrEngine> {
    const info = await this.probe();
    const device = this.gpu.deviceFor(request, info);
    const reason = autoDeviceReason(request, device, info);
    if (reason && this.ocr.device !== device) onEvent({ type: 'notice', message: autoDeviceNotice(reason) });
    return this.ocr.on(device, onEvent);
  }

  /** A job's pictures: its image, its frames, or frames sampled from its video file, with their times. */
  private async subject(
    job: CapflowJob,
    signal: AbortSignal,
    onEvent: EventSink,
  ): Promise<{ originals: RawImage[]; times: readonly number[] | null; partial: string | null }> {
    if (job.video) {
      const video = await sampleVideo(job.video.file, job.name, job.video.sampling, {
        signal,
        jobId: job.jobId,
        onProgress: (p) => onEvent({ type: 'video-frames', jobId: job.jobId, ...p }),
      });
      return {
        originals: video.frames.map((f) => f.image),
        times: video.frames.map((f) => f.time),
        partial: video.partial,
      };
    }
    const frameName = (i: number) => (job.times ? `${job.name} (frame ${i + 1})` : job.name);
    const originals = await Promise.all(job.images.map((blob, i) => decodeImage(blob, frameName(i))));
    return { originals, times: job.times, partial: job.partialVideo ?? null };
  }

  /** The models a CapFlow job runs on (overridable by tests that inject GPU faults mid-job). */
  protected workflowModels(models: CapflowModels<RawImage>): CapflowModels<RawImage> {
    return models;
  }

  async cancel(jobId: string): Promise<void> {
    this.jobs.cancel(jobId);
  }

  cacheList(): Promise<CachedModel[]> {
    return this.requireCache().list();
  }

  cacheDelete(key: string): Promise<void> {
    return this.requireCache().deleteModel(key);
  }

  cacheClear(): Promise<void> {
    return this.requireCache().clear();
  }

  async storage(): Promise<StorageReport> {
    const { quota = 0, usage = 0 } = await this.deps.storage.estimate();
    return { usage, quota, persisted: await this.deps.storage.persisted() };
  }

  async importModel(name: string, files: readonly ImportFile[]): Promise<string> {
    const cache = this.requireCache();
    const total = files.reduce((sum, f) => sum + f.blob.size, 0);
    return importModelFiles(cache, name, files, await availableBytes(this.deps.storage), total);
  }

  unload(): Promise<void> {
    return this.models.unload();
  }

  async sessionsBroken(): Promise<boolean> {
    return this.broken;
  }

  /** What judging the device needs (see tier-choice.ts). */
  private get tierDeps(): TierChoiceDeps {
    return { storage: this.deps.storage, deviceMemory: this.deps.deviceMemory, cache: () => this.requireCache() };
  }

  private requireAssets(): AssetLocations {
    if (!this.assets) throw new Error('configure() must run before anything else');
    return this.assets;
  }

  private requireCache(): WeightCache {
    if (!this.cache) throw new Error('configure() must run before anything else');
    return this.cache;
  }
}
