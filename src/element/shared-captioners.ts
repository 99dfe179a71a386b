/**
 * The captioners `<meta-captioner>` elements share: one per configuration
 * (model source, asset location, device, preset and role overrides), so
 * every element asking for the same models uses one worker and one loaded
 * model set. Elements that need more roles (CapFlow after single pass) grow
 * the set: the worker keeps what it already holds and loads only the rest.
 */
import { type Captioner, createCaptioner } from '../client/captioner';
import type { DeviceRequest } from '../shared/api';
import type { EventSink } from '../shared/events';
import type { ModelSource } from '../shared/model-source';
import type { PresetRequest } from '../shared/presets';
import type { LoadReport } from '../shared/api';
import type { LoadableRole, RoleOverrides } from '../shared/roles';

/** What decides which captioner an element uses. */
export interface SharedConfig {
  readonly source: ModelSource;
  readonly assetsBase: string | undefined;
  readonly device: DeviceRequest;
  readonly preset: PresetRequest;
  readonly overrides: RoleOverrides;
}

/** One shared captioner and the roles it has loaded. */
export class SharedCaptioner {
  readonly captioner: Captioner;
  private loaded = new Set<LoadableRole>();
  /** Loads run one after another, so each sees what the one before it loaded. */
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly config: SharedConfig) {
    this.captioner = createCaptioner({ source: config.source, assetsBase: config.assetsBase });
  }

  /** Loads `roles` unless they are loaded (with whatever is loaded already, which stays in memory); null: nothing to load. */
  ensure(roles: readonly LoadableRole[], onEvent: EventSink, signal: AbortSignal): Promise<LoadReport | null> {
    const run = async (): Promise<LoadReport | null> => {
      if (roles.every((r) => this.loaded.has(r))) return null;
      const all = [...new Set([...this.loaded, ...roles])];
      const { device, preset, overrides } = this.config;
      const report = await this.captioner.load({ preset, overrides, roles: all, device, onEvent, signal });
      this.loaded = new Set(all);
      return report;
    };
    // A load cancelled by one element leaves the roles missing: the next element's turn loads them.
    const turn = this.chain.then(run, run);
    this.chain = turn.then(
      () => {},
      () => {},
    );
    return turn;
  }
}

const registry = new Map<string, SharedCaptioner>();

/** The captioner every element with this configuration shares (created on first use). */
export function sharedCaptioner(config: SharedConfig): SharedCaptioner {
  const key = JSON.stringify([
    config.source,
    config.assetsBase ?? null,
    config.device,
    config.preset,
    config.overrides,
  ]);
  let shared = registry.get(key);
  if (!shared) {
    shared = new SharedCaptioner(config);
    registry.set(key, shared);
  }
  return shared;
}
