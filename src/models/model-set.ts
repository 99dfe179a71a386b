/**
 * The models loaded in this worker now. A load keeps the models it asks
 * for again (another element or mode asking for more roles must not load
 * the same weights twice) and frees the others before anything new is
 * loaded. When one role fails to load, the roles that did load stay
 * loaded: a retry loads only what failed, and jobs that need only those
 * roles still run.
 */
import type { LoadRequest, RoleReport } from '../shared/api';
import type { DeviceInfo } from '../shared/device';
import { NotLoadedError } from '../shared/errors';
import type { EventSink } from '../shared/events';
import type { DeviceKind, DtypeChoice } from '../shared/model-spec';
import type { Preset } from '../shared/presets';
import type { RecordRuntime } from '../shared/record';
import { type ResolvedRole, resolveRoles } from '../shared/roles';
import type { ClipModel } from './clip-model';
import type { JobControl } from './jobs';
import { type LoadedModel, type LoaderContext, loadRole, loadedDtype } from './model-loader';
import { chooseDtype } from './runtime/device-choice';
import type { TextLlm } from './text-llm';
import type { Vlm } from './vlm';

/** One role a load asks for, with the dtype it gets on the chosen device. */
export interface WantedModel {
  readonly resolved: ResolvedRole;
  readonly dtype: DtypeChoice;
  /** Role, repo, revision, source, device and dtype: equal identities load the same thing. */
  readonly identity: string;
}

interface Entry {
  readonly identity: string;
  readonly loaded: LoadedModel;
  readonly dtype: DtypeChoice;
}

/** The roles a request asks for on `device`, each with its dtype and identity. */
export function wantedModels(
  request: Pick<LoadRequest, 'overrides' | 'roles'> & { readonly preset: Preset },
  device: DeviceKind,
  info: DeviceInfo,
): WantedModel[] {
  return resolveRoles(request.preset, request.overrides, request.roles).map((resolved) => {
    const dtype = chooseDtype(resolved.spec, device, info);
    const { spec } = resolved;
    const identity = JSON.stringify([
      resolved.role,
      resolved.sharedWith ?? null,
      spec.family,
      spec.repo,
      spec.revision,
      spec.source ?? null,
      device,
      dtype,
    ]);
    return { resolved, dtype, identity };
  });
}

/** The loaded models and the device they sit on. */
export class ModelSet {
  private entries: readonly Entry[] = [];
  private on: DeviceKind | null = null;

  /** The device the loaded models run on; null when none are loaded. */
  get device(): DeviceKind | null {
    return this.entries.length > 0 ? this.on : null;
  }

  /** Loads what `wanted` asks for on `device`, reusing what is already loaded. */
  async load(
    ctx: LoaderContext,
    device: DeviceKind,
    wanted: readonly WantedModel[],
    control: JobControl,
    onEvent: EventSink,
  ): Promise<RoleReport[]> {
    const previous = this.entries;
    const kept = previous.filter((e) => wanted.some((w) => w.identity === e.identity));
    const freed = previous.filter((e) => !kept.includes(e)).map((e) => e.loaded);
    this.entries = kept;
    this.on = device;
    await disposeAll(freed.filter((m) => !kept.some((k) => k.loaded.model === m.model)));
    const entries: Entry[] = [];
    const reports: RoleReport[] = [];
    try {
      for (const { resolved, dtype, identity } of wanted) {
        const reuse = kept.find((e) => e.identity === identity);
        const { loaded, report } = reuse
          ? reused(reuse.loaded, resolved, dtype, device, onEvent)
          : await loadRole(
              ctx,
              resolved,
              device,
              dtype,
              entries.map((e) => e.loaded),
              control,
              onEvent,
            );
        entries.push({ identity, loaded, dtype: report.dtype });
        reports.push(report);
      }
    } finally {
      // Whatever loaded stays loaded, also when a later role failed.
      this.entries = [...entries, ...kept.filter((k) => !entries.some((e) => e.identity === k.identity))];
    }
    return reports;
  }

  /** The loaded models by role; throws when no VLM is loaded. */
  roles(): { vlm: Vlm; llm: Vlm | TextLlm | undefined; router: ClipModel | undefined; device: DeviceKind } {
    let vlm: Vlm | undefined;
    let llm: Vlm | TextLlm | undefined;
    let router: ClipModel | undefined;
    for (const { loaded } of this.entries) {
      if (loaded.role === 'vlm') vlm = loaded.model;
      else if (loaded.role === 'llm') llm = loaded.model;
      else router = loaded.model;
    }
    const device = this.device;
    if (!vlm || !device) throw new NotLoadedError('vision-language');
    return { vlm, llm, router, device };
  }

  /** The dtype a role runs in (fp32 when it is not loaded). */
  dtype(role: string): DtypeChoice {
    return this.entries.find((e) => e.loaded.role === role)?.dtype ?? 'fp32';
  }

  /** Device, dtypes and repos per role, for the caption record. */
  runtime(): RecordRuntime {
    return {
      device: this.device ?? 'none',
      dtypes: Object.fromEntries(this.entries.map((e) => [e.loaded.role, e.dtype])),
      models: Object.fromEntries(this.entries.map((e) => [e.loaded.role, e.loaded.model.spec.repo])),
    };
  }

  async unload(): Promise<void> {
    const entries = this.entries;
    this.entries = [];
    await disposeAll(entries.map((e) => e.loaded));
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
  const ran = loadedDtype(model, dtype);
  onEvent({ type: 'ready', role, repo: spec.repo, device, dtype: ran });
  return {
    loaded: model,
    report: { role, repo: spec.repo, revision: spec.revision, dtype: ran, fromCache: true, loadMs: 0, compileMs: 0 },
  };
}

async function disposeAll(models: readonly LoadedModel[]): Promise<void> {
  // A shared model appears under two roles: dispose each instance once.
  const unique = new Set(models.map((m) => m.model));
  await Promise.all([...unique].map((m) => m.dispose()));
}
