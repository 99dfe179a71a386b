/**
 * The OCR tool's life in the worker: loaded on first use (domains without
 * an OCR agent never pay for it), moved when a job asks for another
 * device, and planned like any model (its files are served by the app).
 */
import type { RolePlan } from '../../shared/api';
import { errorText } from '../../shared/errors';
import type { EventSink } from '../../shared/events';
import type { DeviceKind } from '../../shared/model-spec';
import { type PlanContext, planUrls, rolePlan } from '../cache/download-plan';
import type { WeightCache } from '../cache/weight-cache';
import { type AssetLocations, OCR_ASSETS, OCR_ASSET_BYTES, type OcrAsset } from '../runtime/assets';
import { OCR_MODEL_NAME, OcrEngine } from './ocr-engine';

/** What the OCR tool needs from the worker. */
export interface OcrToolDeps {
  readonly cache: () => WeightCache;
  readonly assets: () => AssetLocations;
  /** Resolves once the ONNX runtime's files are fetched. */
  readonly runtimeReady: () => Promise<void>;
  readonly now: () => number;
}

/** The OCR engine, loaded on demand. */
export class OcrTool {
  private engine: OcrEngine | null = null;

  constructor(private readonly deps: OcrToolDeps) {}

  /** Where the engine sits now; null before its first use. */
  get device(): DeviceKind | null {
    return this.engine?.device ?? null;
  }

  /** The engine on `device`, loaded (or moved) on demand, with `compile` and `ready` events. */
  async on(device: DeviceKind, onEvent: EventSink): Promise<OcrEngine> {
    if (this.engine?.device === device) return this.engine;
    await this.engine?.dispose();
    this.engine = null;
    await this.deps.runtimeReady();
    const started = this.deps.now();
    this.engine = await OcrEngine.load(this.deps.cache(), device, this.deps.assets());
    onEvent({ type: 'compile', role: 'ocr', device, ms: this.deps.now() - started });
    onEvent({ type: 'ready', role: 'ocr', repo: OCR_MODEL_NAME, device, dtype: 'fp32' });
    return this.engine;
  }

  /**
   * The OCR files' download plan. Their sizes were recorded when the app was
   * built (offline, with the service worker answering, a range probe of them
   * failed and the plan said sizes could not be checked); only a file the
   * build did not size is probed.
   */
  async plan(ctx: PlanContext): Promise<RolePlan> {
    const assets = this.deps.assets();
    const location = new URL('.', assets.ocr('keys.txt')).href;
    const base = { role: 'ocr', repo: OCR_MODEL_NAME, dtype: 'fp32', sharedWith: null, location } as const;
    try {
      return await planUrls(
        ctx,
        base,
        OCR_ASSETS.map((name) => [name, assets.ocr(name)] as const),
        false,
        (name) => OCR_ASSET_BYTES[name as OcrAsset],
      );
    } catch (err) {
      return rolePlan(base, [], `sizes unknown: ${errorText(err)}`);
    }
  }
}
