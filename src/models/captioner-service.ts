/**
 * The worker-side implementation of {@link CaptionerApi}: owns the runtime
 * configuration, the device probe and the loaded models. Everything it
 * needs from the environment comes in through its constructor.
 */
import { RawImage } from '@huggingface/transformers';
import type { CaptionerApi, CaptionJob, CaptionResult, LoadReport, LoadRequest, RuntimeConfig } from '../shared/api';
import type { DeviceInfo } from '../shared/device';
import { ImageDecodeError, NotLoadedError } from '../shared/errors';
import type { EventSink } from '../shared/events';
import type { DeviceKind, DtypeChoice } from '../shared/model-spec';
import { chooseDevice, chooseDtype } from './device-choice';
import { probeDevice } from './device-probe';
import { downloadProgress } from './progress';
import { configureRuntime } from './runtime';
import { Vlm, errorText } from './vlm';

/** What the service depends on, injected so tests can substitute a probe. */
export interface ServiceDeps {
  readonly probe: () => Promise<DeviceInfo>;
  readonly now: () => number;
}

/** The real dependencies inside a worker. */
export const WORKER_DEPS: ServiceDeps = { probe: () => probeDevice(), now: () => performance.now() };

interface Loaded {
  readonly vlm: Vlm;
  readonly device: DeviceKind;
  readonly dtype: DtypeChoice;
}

/** Implements the worker API over transformers.js. */
export class CaptionerService implements CaptionerApi {
  private deviceInfo: Promise<DeviceInfo> | null = null;
  private loaded: Loaded | null = null;

  constructor(private readonly deps: ServiceDeps = WORKER_DEPS) {}

  async configure(config: RuntimeConfig): Promise<void> {
    configureRuntime(config);
  }

  /** Probes once per worker; the adapter does not change while it lives. */
  probe(): Promise<DeviceInfo> {
    this.deviceInfo ??= this.deps.probe();
    return this.deviceInfo;
  }

  async load(request: LoadRequest, onEvent: EventSink): Promise<LoadReport> {
    const info = await this.probe();
    const device = chooseDevice(request.device, info);
    const dtype = chooseDtype(request.vlm, device, info);
    await this.unload();
    const started = this.deps.now();
    const vlm = await Vlm.load(request.vlm, device, dtype, downloadProgress('vlm', onEvent));
    const loaded = this.deps.now();
    await vlm.warmUp();
    const compileMs = this.deps.now() - loaded;
    onEvent({ type: 'compile', role: 'vlm', device, ms: compileMs });
    onEvent({ type: 'ready', role: 'vlm', repo: request.vlm.repo, device, dtype });
    this.loaded = { vlm, device, dtype };
    return { repo: request.vlm.repo, device, dtype, loadMs: loaded - started, compileMs };
  }

  async caption(job: CaptionJob, onEvent: EventSink): Promise<CaptionResult> {
    const loaded = this.loaded;
    if (!loaded) throw new NotLoadedError('vision-language');
    const image = await decodeImage(job.image, job.name);
    const started = this.deps.now();
    const out = await loaded.vlm.generate(image, {
      prompt: job.prompt,
      maxNewTokens: job.maxNewTokens,
      onText: (text) => onEvent({ type: 'token', jobId: job.jobId, text }),
    });
    return {
      jobId: job.jobId,
      text: out.text,
      repo: loaded.vlm.spec.repo,
      device: loaded.device,
      dtype: loaded.dtype,
      tokens: out.tokens,
      ms: this.deps.now() - started,
    };
  }

  async unload(): Promise<void> {
    const loaded = this.loaded;
    this.loaded = null;
    await loaded?.vlm.dispose();
  }
}

/** Decodes an image Blob in the worker (EXIF orientation applied by createImageBitmap). */
async function decodeImage(blob: Blob, name: string): Promise<RawImage> {
  if (blob.size === 0) throw new ImageDecodeError(name, 'the file is empty');
  try {
    return await RawImage.fromBlob(blob);
  } catch (err) {
    throw new ImageDecodeError(name, errorText(err));
  }
}
