/**
 * Loads one role's model the way users need it loaded: from the right
 * source, with a storage check before any download, every file through the
 * weight cache, per-file and total progress, a warm-up run reported as the
 * `compile` stage, and the model marked complete in the cache only after
 * all of that worked.
 */
import type { RoleReport } from '../shared/api';
import { ModelLoadError, QuotaExceededError, errorText, isCaptionerError } from '../shared/errors';
import type { EventSink } from '../shared/events';
import type { ModelSource } from '../shared/model-source';
import { type DeviceKind, type DtypeChoice, type ModelSpec, downloadBytes } from '../shared/model-spec';
import type { LoadableRole, ResolvedRole } from '../shared/roles';
import { ClipModel } from './clip-model';
import type { DownloadTracker } from './cache/download-tracker';
import type { SessionGate } from './cache/session-gate';
import type { JobControl } from './jobs';
import { type ProgressCallback, downloadProgress } from './progress';
import { applySource, modelFolder } from './runtime/runtime';
import { TextLlm } from './text-llm';
import { Vlm } from './vlm';
import { type StorageAccess, type WeightCache, availableBytes } from './cache/weight-cache';

/** A loaded model, tagged by role. */
export type LoadedModel =
  | { readonly role: 'vlm'; readonly model: Vlm }
  | { readonly role: 'llm'; readonly model: TextLlm | Vlm }
  | { readonly role: 'router'; readonly model: ClipModel };

/** What loading needs from the worker. */
export interface LoaderContext {
  readonly cache: WeightCache;
  readonly storage: StorageAccess;
  readonly downloads: DownloadTracker;
  readonly defaultSource: ModelSource;
  readonly now: () => number;
  /** Orders a load's session files (the weight cache waits on it); absent where files are read by path (Node). */
  readonly sessionGate?: SessionGate;
}

async function instantiate(
  role: LoadableRole,
  spec: ModelSpec,
  device: DeviceKind,
  dtype: DtypeChoice,
  progress: ProgressCallback,
) {
  switch (role) {
    case 'vlm':
      return { role, model: await Vlm.load(spec, device, dtype, progress) } as const;
    case 'llm':
      return { role, model: await TextLlm.load(spec, device, dtype, progress) } as const;
    case 'router':
      return { role, model: await ClipModel.load(spec, device, dtype, progress) } as const;
  }
}

/**
 * The dtype(s) a loaded model runs: a VLM of another family than the tier's loads its own family's plan
 * (see followFamily), so the record says what loaded, not what the tier asked for.
 */
export function loadedDtype(loaded: LoadedModel, asked: DtypeChoice): DtypeChoice {
  return loaded.model instanceof Vlm ? loaded.model.dtype : asked;
}

/** The notice for a load whose cache bookkeeping could not be written (storage full): the model itself is fine. */
function storageFullNotice(repo: string, what: string): string {
  return `Browser storage is full: ${repo} ${what}. Delete cached models or free disk space.`;
}

/** Loads (or, for a shared role, reuses) one role's model. */
export async function loadRole(
  ctx: LoaderContext,
  resolved: ResolvedRole,
  device: DeviceKind,
  dtype: DtypeChoice,
  loaded: readonly LoadedModel[],
  control: JobControl,
  sink: EventSink,
): Promise<{ loaded: LoadedModel; report: RoleReport }> {
  const { role, spec } = resolved;
  const started = ctx.now();
  const base = { role, repo: spec.repo, revision: spec.revision, dtype };
  if (resolved.sharedWith) {
    const shared = loaded.find((m) => m.role === resolved.sharedWith);
    if (!shared || !(shared.model instanceof Vlm)) throw new Error(`role ${role} shares a model that is not loaded`);
    return {
      loaded: { role: 'llm', model: shared.model },
      report: { ...base, dtype: shared.model.dtype, fromCache: true, loadMs: 0, compileMs: 0 },
    };
  }

  const source = spec.source ?? ctx.defaultSource;
  applySource(source);
  const folder = modelFolder(source, spec.repo, spec.revision);
  const complete = await ctx.cache.isComplete(folder);
  if (!complete && source.kind !== 'imported') {
    // Fail before downloading anything, with the numbers, rather than half-way through.
    const available = await availableBytes(ctx.storage);
    const needed = downloadBytes(spec, dtype);
    if (needed > available) throw new QuotaExceededError(spec.repo, needed, available);
  }
  // Reading the cache never needs a write: with storage full, a complete model still loads (and says so).
  if (!(await ctx.cache.track(folder, spec.repo, spec.revision))) {
    if (!complete) throw new QuotaExceededError(spec.repo, downloadBytes(spec, dtype), null);
    sink({
      type: 'notice',
      message: storageFullNotice(spec.repo, 'loads from the cache, but when it was last used is not recorded'),
    });
  }

  const hits = new Set<string>();
  const downloaded = new Set<string>();
  let storeFailures = 0;
  let damaged: string | null = null;
  ctx.cache.listen({
    hit: (url, bytes) => {
      const file = url.slice(folder.length);
      hits.add(file);
      sink({ type: 'cached', role, file, bytes });
    },
    storeFailed: (url, error) => {
      storeFailures += 1;
      sink({
        type: 'notice',
        message: `${url.slice(folder.length)} was not cached (${error.message}); it will download again next time.`,
      });
    },
    damaged: (url) => {
      damaged = url.slice(folder.length);
      hits.delete(damaged);
    },
  });
  try {
    const progress = downloadProgress(
      role,
      sink,
      (file) => hits.has(file),
      (file) => downloaded.add(file),
    );
    // Each attempt reads its sessions' files one session at a time (see SessionGate).
    const attempt = async () => {
      const round = ctx.sessionGate?.begin(folder) ?? null;
      try {
        return await instantiate(role, spec, device, dtype, progress);
      } finally {
        ctx.sessionGate?.end(round);
      }
    };
    let model: LoadedModel;
    try {
      control.check();
      model = await attempt();
    } catch (err) {
      // A damaged cached file was dropped while loading: load once more, which downloads it again.
      if (!damaged) throw err;
      control.check();
      sink({ type: 'notice', message: `The cached ${damaged} of ${spec.repo} was damaged; downloading it again.` });
      damaged = null;
      model = await attempt();
    }
    const loadedAt = ctx.now();
    control.check();
    await model.model.warmUp();
    const compileMs = ctx.now() - loadedAt;
    sink({ type: 'compile', role, device, ms: compileMs });
    // Complete only when every file this load needed is stored: otherwise the next visit must fetch again.
    if (storeFailures === 0 && !(await ctx.cache.markComplete(folder))) {
      sink({
        type: 'notice',
        message: storageFullNotice(
          spec.repo,
          'is loaded, but the cache could not record it as complete, so the next load checks its files again',
        ),
      });
    }
    const ran = loadedDtype(model, dtype);
    sink({ type: 'ready', role, repo: spec.repo, device, dtype: ran });
    const fromCache = downloaded.size === 0;
    return { loaded: model, report: { ...base, dtype: ran, fromCache, loadMs: loadedAt - started, compileMs } };
  } catch (err) {
    control.check(); // a cancel explains the failure better than the aborted fetch does
    // Let sibling files that are still arriving reach the cache, so a retry fetches only what failed.
    await ctx.downloads.settled();
    throw withFiles(err, [...hits, ...downloaded]);
  } finally {
    ctx.cache.listen(null);
  }
}

/**
 * A model load error that says which files were involved: onnxruntime's
 * messages ("Can't create a session") do not name the file they came from.
 * Errors that already name one (a damaged download) are left as they are.
 */
function withFiles(err: unknown, files: readonly string[]): Error {
  if (!isCaptionerError(err, 'ModelLoadError')) return err instanceof Error ? err : new Error(errorText(err));
  const onnx = [...new Set(files)].filter((f) => f.endsWith('.onnx')).sort();
  if (onnx.length === 0 || /\.onnx\b/.test(err.message)) return err;
  return new ModelLoadError(`${err.message} (its files: ${onnx.join(', ')})`);
}
