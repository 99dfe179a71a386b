/**
 * The worker-side implementation of {@link CaptionerApi}: owns the runtime
 * setup, the device probe, the weight cache and the loaded models.
 * Everything it needs from the environment comes in through its constructor,
 * so tests build it with a different probe, storage or chunk size.
 */
import { RawImage } from '@huggingface/transformers';
import type {
  CaptionJob,
  CaptionResult,
  CaptionerApi,
  CapflowJob,
  DeviceRequest,
  DownloadPlan,
  ImportFile,
  LoadReport,
  OcrJob,
  OcrResult,
  LoadRequest,
  PlanRequest,
  RoleReport,
  RolePlan,
  RuntimeConfig,
  StorageReport,
} from '../shared/api';
import type { CachedModel } from '../shared/cached-model';
import type { DeviceInfo } from '../shared/device';
import { ImageDecodeError, NotLoadedError, errorText, isCaptionerError } from '../shared/errors';
import type { EventSink } from '../shared/events';
import { HUB_SOURCE, type ModelSource } from '../shared/model-source';
import type { DeviceKind, DtypeChoice } from '../shared/model-spec';
import { type ResolvedRole, resolveRoles } from '../shared/roles';
import { type CapflowModels, runCapflow } from '../capflow/workflow';
import type { CaptionRecord } from '../capflow/record';
import { capflowModels } from './capflow-models';
import { chooseDevice, chooseDtype } from './runtime/device-choice';
import { probeDevice } from './runtime/device-probe';
import { importModelFiles } from './cache/import-model';
import { type PlanContext, planRole, planUrls, rolePlan } from './cache/download-plan';
import { DownloadTracker } from './cache/download-tracker';
import { isGpuFault, watchGpuDevice } from './runtime/gpu-watch';
import { FORMAT_NAMES } from '../media/inspect';
import { letterbox, letterboxSize } from '../media/letterbox';
import { checkImage } from '../media/sniff';
import { type JobControl, JobRegistry } from './jobs';
import { type LoadedModel, loadRole } from './model-loader';
import { OCR_MODEL_NAME, OcrEngine } from './ocr/ocr-engine';
import { type AssetLocations, OCR_ASSETS, assetLocations } from './runtime/assets';
import { HostGuard } from './runtime/host-guard';
import { configureRuntime, preloadRuntime } from './runtime/runtime';
import { type StorageAccess, WeightCache, availableBytes } from './cache/weight-cache';
import type { ClipModel } from './clip-model';
import type { TextLlm } from './text-llm';
import type { Vlm } from './vlm';

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
}

/** The real dependencies inside a worker. */
export function workerDeps(): ServiceDeps {
  return {
    probe: () => probeDevice(),
    now: () => performance.now(),
    storage: navigator.storage,
    locks: navigator.locks,
  };
}

interface Session {
  readonly device: DeviceKind;
  readonly models: readonly LoadedModel[];
  readonly dtypes: ReadonlyMap<string, DtypeChoice>;
  /** What each model is (role, repo, revision, source, device, dtype), aligned with `models`: equal means reusable. */
  readonly identities: readonly string[];
}

/** A loaded model's identity: two loads with the same identity would load the same thing. */
function identityOf(resolved: ResolvedRole, device: DeviceKind, dtype: DtypeChoice): string {
  const { spec } = resolved;
  return JSON.stringify([
    resolved.role,
    resolved.sharedWith ?? null,
    spec.family,
    spec.repo,
    spec.revision,
    spec.source ?? null,
    device,
    dtype,
  ]);
}

/** Implements the worker API over transformers.js. */
export class CaptionerService implements CaptionerApi {
  private deviceInfo: Promise<DeviceInfo> | null = null;
  /** The ORT runtime files, fetched as soon as the worker is configured (see preloadRuntime). */
  private runtimeReady: Promise<void> = Promise.resolve();
  private cache: WeightCache | null = null;
  private source: ModelSource = HUB_SOURCE;
  private assets: AssetLocations | null = null;
  private session: Session | null = null;
  private ocr: OcrEngine | null = null;
  /** The last load that succeeded, to reload on WASM after a GPU failure. */
  private lastLoad: LoadRequest | null = null;
  /** Why ORT's WebGPU device was lost, once it has been. */
  private gpuLost: string | null = null;
  private readonly jobs = new JobRegistry();
  private readonly downloads = new DownloadTracker();
  /** The origins this worker may fetch from: its own and the configured model hosts. */
  private readonly hosts = new HostGuard(globalThis.location?.href ?? 'http://localhost/');
  /** Probed file sizes by URL, kept for the worker's life. */
  private readonly sizes = new Map<string, Promise<number | null>>();

  constructor(private readonly deps: ServiceDeps = workerDeps()) {}

  async configure(config: RuntimeConfig): Promise<void> {
    this.source = config.source;
    this.cache ??= await WeightCache.open({
      storage: this.deps.storage,
      chunkBytes: this.deps.chunkBytes,
      reserveBytes: this.deps.reserveBytes,
      onPutEnd: (url) => this.downloads.done(url),
    });
    this.assets = assetLocations(config.assetsBase);
    this.hosts.allow(config.source);
    // The app's own files may be served from elsewhere (assetsBase): that host is the app's too.
    this.hosts.allow({ kind: 'host', host: new URL(this.assets.ortWasm).origin, pathTemplate: '{model}/' });
    configureRuntime(this.cache, this.downloads, () => this.jobs.currentSignal(), this.assets, this.hosts);
    this.runtimeReady = preloadRuntime().catch((err: unknown) => {
      console.warn('Could not preload the ONNX runtime; it loads on first use instead.', err);
    });
    await this.holdLifeLock(config.lifeLock);
  }

  /** Probes once per worker; the adapter does not change while it lives. */
  probe(): Promise<DeviceInfo> {
    this.deviceInfo ??= this.deps.probe();
    return this.deviceInfo;
  }

  async plan(request: PlanRequest): Promise<DownloadPlan> {
    const info = await this.probe();
    const device = this.deviceFor(request.device, info);
    const ctx: PlanContext = {
      cache: this.requireCache(),
      defaultSource: this.source,
      fetch: this.hosts.guard((input, init) => fetch(input, init), self.location.href),
      sizes: this.sizes,
    };
    const resolved = resolveRoles(request.preset, request.overrides, request.roles);
    for (const r of resolved) if (r.spec.source) this.hosts.allow(r.spec.source);
    const plans = resolved.map((r) => planRole(ctx, r, chooseDtype(r.spec, device, info)));
    if (request.ocr) plans.push(this.planOcr(ctx));
    const roles = await Promise.all(plans);
    return {
      device,
      roles,
      downloadBytes: roles.reduce((sum, r) => sum + r.downloadBytes, 0),
      cachedBytes: roles.reduce((sum, r) => sum + r.cachedBytes, 0),
      exact: roles.every((r) => r.problem === null),
    };
  }

  private async planOcr(ctx: PlanContext): Promise<RolePlan> {
    const location = new URL('.', this.requireAssets().ocr('keys.txt')).href;
    const base = { role: 'ocr', repo: OCR_MODEL_NAME, dtype: 'fp32', sharedWith: null, location } as const;
    try {
      return await planUrls(
        ctx,
        base,
        OCR_ASSETS.map((name) => [name, this.requireAssets().ocr(name)] as const),
      );
    } catch (err) {
      return rolePlan(base, [], `sizes unknown: ${errorText(err)}`);
    }
  }

  load(request: LoadRequest, onEvent: EventSink): Promise<LoadReport> {
    return this.jobs.run(request.jobId, (control) => this.loadModels(request, control, onEvent));
  }

  private async loadModels(request: LoadRequest, control: JobControl, onEvent: EventSink): Promise<LoadReport> {
    const info = await this.probe();
    const device = this.deviceFor(request.device, info);
    await this.runtimeReady;
    const wanted = resolveRoles(request.preset, request.overrides, request.roles).map((resolved) => {
      if (resolved.spec.source) this.hosts.allow(resolved.spec.source);
      const dtype = chooseDtype(resolved.spec, device, info);
      return { resolved, dtype, identity: identityOf(resolved, device, dtype) };
    });
    // Models this request asks for again stay loaded (another element or mode asking for more roles
    // must not load the same weights twice); the others are freed before anything new is loaded.
    const previous = this.session;
    this.session = null;
    const kept = new Map<string, LoadedModel>();
    const freed: LoadedModel[] = [];
    previous?.models.forEach((model, i) => {
      const identity = previous.identities[i] ?? '';
      if (wanted.some((w) => w.identity === identity)) kept.set(identity, model);
      else freed.push(model);
    });
    await disposeAll(freed.filter((m) => ![...kept.values()].some((k) => k.model === m.model)));
    const models: LoadedModel[] = [];
    const reports: RoleReport[] = [];
    const dtypes = new Map<string, DtypeChoice>();
    const ctx = {
      cache: this.requireCache(),
      storage: this.deps.storage,
      downloads: this.downloads,
      defaultSource: this.source,
      now: this.deps.now,
    };
    try {
      for (const { resolved, dtype, identity } of wanted) {
        const reuse = kept.get(identity);
        const { loaded, report } = reuse
          ? reused(reuse, resolved, dtype, device, onEvent)
          : await loadRole(ctx, resolved, device, dtype, models, control, onEvent);
        models.push(loaded);
        reports.push(report);
        dtypes.set(resolved.role, dtype);
      }
    } catch (err) {
      await disposeAll([...models, ...kept.values()]);
      throw err;
    }
    this.session = { device, models, dtypes, identities: wanted.map((w) => w.identity) };
    this.lastLoad = request;
    if (device === 'webgpu') watchGpuDevice((reason) => (this.gpuLost = reason));
    return { device, roles: reports };
  }

  /** A lost GPU device stays lost for this worker: WebGPU requests run on WASM from then on. */
  private deviceFor(request: DeviceRequest, info: DeviceInfo): DeviceKind {
    return this.gpuLost ? 'wasm' : chooseDevice(request, info);
  }

  /** Before a job: if the device the models sit on was lost, move them to WASM first. */
  private async leaveLostGpu(control: JobControl, onEvent: EventSink): Promise<void> {
    if (this.gpuLost && this.session?.device === 'webgpu') await this.fallBackToWasm(this.gpuLost, control, onEvent);
  }

  /** The loaded session and its models by role; throws when no VLM is loaded. */
  private loaded() {
    let vlm: Vlm | undefined;
    let llm: Vlm | TextLlm | undefined;
    let router: ClipModel | undefined;
    for (const m of this.session?.models ?? []) {
      if (m.role === 'vlm') vlm = m.model;
      else if (m.role === 'llm') llm = m.model;
      else router = m.model;
    }
    const session = this.session;
    if (!session || !vlm) throw new NotLoadedError('vision-language');
    return { session, vlm, llm, router };
  }

  /**
   * After a GPU failure (device lost, or an error while generating on
   * WebGPU): unload, reload the same models on WASM, so the job can be
   * retried once there.
   */
  private async fallBackToWasm(reason: string, control: JobControl, onEvent: EventSink): Promise<void> {
    const request = this.lastLoad;
    if (!request) throw new NotLoadedError('vision-language');
    this.gpuLost ??= reason;
    onEvent({ type: 'device-fallback', from: 'webgpu', to: 'wasm', reason });
    onEvent({ type: 'notice', message: `WebGPU failed (${reason}); reloading the models on WASM (CPU) and retrying.` });
    await this.loadModels({ ...request, device: 'wasm' }, control, onEvent);
  }

  /**
   * Runs a job on the loaded models; when the GPU itself fails under it (see
   * {@link isGpuFault}), moves the models to WASM and runs it once more there.
   * Every other failure is the job's own and leaves the device alone.
   */
  private async withGpuFallback<T>(control: JobControl, onEvent: EventSink, run: () => Promise<T>): Promise<T> {
    await this.leaveLostGpu(control, onEvent);
    try {
      return await run();
    } catch (err) {
      const gpuFault = isGpuFault(err, this.gpuLost !== null);
      if (this.session?.device !== 'webgpu' || isCaptionerError(err, 'CancelledError') || !gpuFault) throw err;
      control.check();
      await this.fallBackToWasm(this.gpuLost ?? errorText(err), control, onEvent);
      return run();
    }
  }

  caption(job: CaptionJob, onEvent: EventSink): Promise<CaptionResult> {
    return this.jobs.run(job.jobId, async (control) => {
      const image = fitForModels(await decodeImage(job.image, job.name));
      return this.withGpuFallback(control, onEvent, () => this.captionImage(job, image, control, onEvent));
    });
  }

  /** One caption with the loaded VLM (overridable by tests that inject GPU faults). */
  protected async captionImage(
    job: CaptionJob,
    image: RawImage,
    control: JobControl,
    onEvent: EventSink,
  ): Promise<CaptionResult> {
    const { session, vlm } = this.loaded();
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
      device: session.device,
      dtype: session.dtypes.get('vlm') ?? 'fp32',
      tokens: out.tokens,
      ms: this.deps.now() - started,
    };
  }

  readText(job: OcrJob, onEvent: EventSink): Promise<OcrResult> {
    return this.jobs.run(job.jobId, async (control) => {
      const raw = await decodeImage(job.image, job.name);
      const ocr = await this.ocrEngine(job.device, onEvent);
      control.check();
      const started = this.deps.now();
      const lines = await ocr.read(rgbOf(raw));
      return { jobId: job.jobId, lines, device: ocr.device, ms: this.deps.now() - started };
    });
  }

  capflow(job: CapflowJob, onEvent: EventSink): Promise<CaptionRecord> {
    return this.jobs.run(job.jobId, async (control) => {
      const frameName = (i: number) => (job.video ? `${job.name} (frame ${i + 1})` : job.name);
      const originals = await Promise.all(job.images.map((blob, i) => decodeImage(blob, frameName(i))));
      // The vision models get letterboxed images; the OCR tool reads the originals (its boxes stay true).
      const images = originals.map(fitForModels);
      const [first] = images;
      if (!first) throw new ImageDecodeError(job.name, 'no image or frames were given');
      const input = job.video ? { kind: 'video' as const, frames: images } : { kind: 'image' as const, image: first };
      const originalOf = new Map(images.map((image, i) => [image, originals[i] ?? image]));
      const ocr = {
        name: OCR_MODEL_NAME,
        // The OCR tool loads on first use, so domains without an OCR agent never pay for it.
        read: async (image: RawImage) =>
          (await this.ocrEngine(job.ocrDevice, onEvent)).read(rgbOf(originalOf.get(image) ?? image)),
      };
      return this.withGpuFallback(control, onEvent, async () => {
        const { session, vlm, llm, router } = this.loaded();
        if (job.options.mode === 'capflow' && !llm) throw new NotLoadedError('summary (llm role)');
        const models = this.workflowModels(capflowModels(vlm, llm ?? vlm, router ?? null, ocr));
        const record = await runCapflow(input, models, job.options, {
          jobId: job.jobId,
          check: control.check,
          stopping: control.stopping,
          emit: onEvent,
          now: this.deps.now,
        });
        const repos = Object.fromEntries(session.models.map((m) => [m.role, m.model.spec.repo]));
        const runtime = { device: session.device, dtypes: Object.fromEntries(session.dtypes), models: repos };
        return { ...record, runtime };
      });
    });
  }

  /** The models a CapFlow job runs on (overridable by tests that inject GPU faults mid-job). */
  protected workflowModels(models: CapflowModels<RawImage>): CapflowModels<RawImage> {
    return models;
  }

  /** The OCR engine on the requested device, loaded (or moved) on demand. */
  private async ocrEngine(request: DeviceRequest, onEvent: EventSink): Promise<OcrEngine> {
    const device = this.deviceFor(request, await this.probe());
    if (this.ocr?.device === device) return this.ocr;
    await this.ocr?.dispose();
    this.ocr = null;
    await this.runtimeReady;
    const started = this.deps.now();
    this.ocr = await OcrEngine.load(this.requireCache(), device, this.requireAssets());
    onEvent({ type: 'compile', role: 'ocr', device, ms: this.deps.now() - started });
    onEvent({ type: 'ready', role: 'ocr', repo: OCR_MODEL_NAME, device, dtype: 'fp32' });
    return this.ocr;
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

  async unload(): Promise<void> {
    const session = this.session;
    this.session = null;
    if (session) await disposeAll(session.models);
  }

  private requireAssets(): AssetLocations {
    if (!this.assets) throw new Error('configure() must run before anything else');
    return this.assets;
  }

  private requireCache(): WeightCache {
    if (!this.cache) throw new Error('configure() must run before anything else');
    return this.cache;
  }

  /**
   * Holds a Web Lock for the worker's whole life. Locks are released when
   * their holder's context ends, so the client, queued on the same lock,
   * learns at once when this worker crashes or is terminated.
   */
  private holdLifeLock(name: string): Promise<void> {
    const locks = this.deps.locks;
    if (!locks) return Promise.resolve();
    return new Promise((granted) => {
      void locks.request(name, () => {
        granted();
        return new Promise<never>(() => {});
      });
    });
  }
}

/** A model kept from the previous load, reported as loaded in no time from memory. */
function reused(
  model: LoadedModel,
  resolved: ResolvedRole,
  dtype: DtypeChoice,
  device: DeviceKind,
  onEvent: EventSink,
): { loaded: LoadedModel; report: RoleReport } {
  const { role, spec } = resolved;
  onEvent({ type: 'ready', role, repo: spec.repo, device, dtype });
  return {
    loaded: model,
    report: { role, repo: spec.repo, revision: spec.revision, dtype, fromCache: true, loadMs: 0, compileMs: 0 },
  };
}

async function disposeAll(models: readonly LoadedModel[]): Promise<void> {
  // A shared model appears under two roles: dispose each instance once.
  const unique = new Set(models.map((m) => m.model));
  await Promise.all([...unique].map((m) => m.dispose()));
}

function rgbOf(image: RawImage) {
  const rgb = image.rgb();
  return { width: rgb.width, height: rgb.height, data: rgb.data };
}

/** The image as the vision models take it: letterboxed when its shape would break their preprocessing. */
function fitForModels(image: RawImage): RawImage {
  if (!letterboxSize(image.width, image.height)) return image;
  const fitted = letterbox(rgbOf(image));
  return new RawImage(fitted.data, fitted.width, fitted.height, 3);
}

/**
 * Decodes an image Blob in the worker (EXIF orientation applied by
 * createImageBitmap), after the same header checks the page makes, so the
 * library and the element refuse bad files with the same specific errors.
 */
async function decodeImage(blob: Blob, name: string): Promise<RawImage> {
  const verdict = await checkImage(blob, name);
  if (!verdict.ok) throw verdict.error;
  try {
    return await RawImage.fromBlob(blob);
  } catch (err) {
    throw new ImageDecodeError(name, errorText(err), FORMAT_NAMES[verdict.format]);
  }
}
