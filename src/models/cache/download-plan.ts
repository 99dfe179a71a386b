/**
 * The honest download figure: for the roles a load would fill, on the
 * device and dtype plan it would choose, every file it would fetch with its
 * size (from the weight cache's manifest when stored, else from a one-byte
 * range probe, as transformers.js itself probes sizes), before anything is
 * downloaded. Only `config.json` is read whole, for its external-data
 * setting and model type; it is a few kilobytes.
 */
import type { DownloadPlan, PlannedFile, RolePlan } from '../../shared/api';
import { errorText } from '../../shared/errors';
import { followFamily } from '../../shared/family-plan';
import { type ConfigFacts, configFileFacts, plannedFiles } from '../../shared/model-files';
import type { ModelSource } from '../../shared/model-source';
import type { DeviceKind, DtypeChoice } from '../../shared/model-spec';
import type { ResolvedRole } from '../../shared/roles';
import { modelFolder } from '../runtime/runtime';
import type { WeightCache } from './weight-cache';

/** What planning needs from the worker. */
export interface PlanContext {
  readonly cache: WeightCache;
  readonly defaultSource: ModelSource;
  readonly fetch: typeof fetch;
  /** Remembers probed sizes by URL for the worker's life (a revision's files do not change under it). */
  readonly sizes: Map<string, Promise<number | null>>;
}

/** A file's size from a one-byte range request; null when absent (404); throws when the host is unreachable. */
async function probeSize(fetcher: typeof fetch, url: string): Promise<number | null> {
  const response = await fetcher(url, { headers: { Range: 'bytes=0-0' }, cache: 'no-store' });
  await response.body?.cancel().catch(() => {});
  if (response.status === 404 || response.status === 416) return response.status === 416 ? 0 : null;
  if (!response.ok) throw new Error(`HTTP ${response.status} for ${url}`);
  const range = /\/(\d+)$/.exec(response.headers.get('content-range') ?? '');
  if (response.status === 206) {
    // A 206 whose content-range the server hides (CORS) says nothing about the whole file.
    if (!range?.[1]) throw new Error(`no readable content-range for ${url}`);
    return Number(range[1]);
  }
  const length = response.headers.get('content-length');
  if (length === null) throw new Error(`no size for ${url}`);
  return Number(length);
}

/**
 * What a model's `config.json` says about its files (see configFileFacts: a
 * repo that overrides a role may be of another family than the preset's
 * model, e.g. SmolVLM over a Qwen3.5 tier; transformers.js loads either
 * through the same Auto classes).
 */
async function configFacts(ctx: PlanContext, folder: string): Promise<ConfigFacts> {
  const url = `${folder}config.json`;
  const response = (await ctx.cache.match(url)) ?? (await ctx.fetch(url));
  if (!response.ok) throw new Error(`HTTP ${response.status} for ${url}`);
  return configFileFacts(await response.json());
}

async function fileOf(
  ctx: PlanContext,
  url: string,
  path: string,
  imported: boolean,
  known: number | null,
): Promise<PlannedFile | null> {
  const stored = await ctx.cache.storedSize(url);
  if (stored !== null) return { path, bytes: stored, cached: true };
  if (imported) return null; // imported models exist only in the cache: what is not there, the model lacks
  if (known !== null) return { path, bytes: known, cached: false };
  let size = ctx.sizes.get(url);
  if (!size) {
    size = probeSize(ctx.fetch, url);
    ctx.sizes.set(url, size);
    size.catch(() => ctx.sizes.delete(url)); // a failed probe is retried next time
  }
  const bytes = await size;
  return bytes === null ? null : { path, bytes, cached: false };
}

/** Sums a role's files into a plan. */
export function rolePlan(
  base: Pick<RolePlan, 'role' | 'repo' | 'dtype' | 'sharedWith' | 'location'>,
  files: readonly PlannedFile[],
  problem: string | null,
): RolePlan {
  let downloadBytes = 0;
  let cachedBytes = 0;
  for (const f of files) {
    if (f.cached) cachedBytes += f.bytes ?? 0;
    else downloadBytes += f.bytes ?? 0;
  }
  return { ...base, files, downloadBytes, cachedBytes, problem };
}

/** The plan of one resolved role at one dtype. */
export async function planRole(
  ctx: PlanContext,
  resolved: ResolvedRole,
  device: DeviceKind,
  dtype: DtypeChoice,
): Promise<RolePlan> {
  const { role, spec } = resolved;
  const source = spec.source ?? ctx.defaultSource;
  let folder: string;
  try {
    folder = modelFolder(source, spec.repo, spec.revision);
  } catch (err) {
    // A host that is not an http(s) URL never gets a request: the plan says why.
    const base = { role, repo: spec.repo, dtype, sharedWith: resolved.sharedWith ?? null, location: '' };
    return rolePlan(base, [], errorText(err));
  }
  const base = { role, repo: spec.repo, dtype, sharedWith: resolved.sharedWith ?? null, location: folder };
  if (resolved.sharedWith) return rolePlan(base, [], null);
  const imported = source.kind === 'imported';
  try {
    const config = await configFacts(ctx, folder);
    // A VLM of another family than the tier's loads its own family's plan (see followFamily): plan those files.
    const followed = role === 'vlm' ? followFamily(spec, device, dtype, config.family) : { spec, dtype };
    const paths = plannedFiles(config.family ?? spec.family, followed.dtype, config.external);
    return await planUrls(
      ctx,
      { ...base, dtype: followed.dtype },
      paths.map((p) => [p, `${folder}${p}`] as const),
      imported,
    );
  } catch (err) {
    // Offline or unreachable: say so, and still count what the cache holds.
    const stored = await ctx.cache.storedFiles(folder);
    return rolePlan(
      base,
      stored.map((f) => ({ path: f.url.slice(folder.length), bytes: f.size, cached: true })),
      `sizes unknown: ${errorText(err)}`,
    );
  }
}

/**
 * The plan of a fixed list of files (`[path, url]`), e.g. the OCR model the
 * app serves. `knownSize` gives sizes known without asking the network (the
 * OCR files', recorded at build time); the rest are probed.
 */
export async function planUrls(
  ctx: PlanContext,
  base: Pick<RolePlan, 'role' | 'repo' | 'dtype' | 'sharedWith' | 'location'>,
  entries: readonly (readonly [path: string, url: string])[],
  imported = false,
  knownSize: (path: string) => number | null = () => null,
): Promise<RolePlan> {
  const files = await Promise.all(entries.map(([path, url]) => fileOf(ctx, url, path, imported, knownSize(path))));
  return rolePlan(
    base,
    files.filter((f): f is PlannedFile => f !== null),
    null,
  );
}

/** The whole plan: every role's files, plus extra plans (the OCR tool's), summed. */
export async function planDownload(
  ctx: PlanContext,
  device: DeviceKind,
  roles: readonly { readonly resolved: ResolvedRole; readonly dtype: DtypeChoice }[],
  extra: readonly Promise<RolePlan>[],
): Promise<DownloadPlan> {
  const plans = await Promise.all([...roles.map((r) => planRole(ctx, r.resolved, device, r.dtype)), ...extra]);
  return {
    device,
    roles: plans,
    downloadBytes: plans.reduce((sum, r) => sum + r.downloadBytes, 0),
    cachedBytes: plans.reduce((sum, r) => sum + r.cachedBytes, 0),
    exact: plans.every((r) => r.problem === null),
  };
}
