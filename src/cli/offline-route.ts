/**
 * Routing on a cluster that cannot reach the model hub. The router (CLIP,
 * ≈ 155 MB) is the one model `--engine openai` runs on this machine, and
 * downloading it is what fails first on an air-gapped node. So with the
 * openai engine the route defaults to asking the VLM whenever the router
 * is not on disk already, saying so once; and a router that fails to load
 * names the three ways out instead of a bare "fetch failed".
 */
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { ModelLoadError, errorText } from '../shared/errors';
import { plannedFiles } from '../shared/model-files';
import type { ModelSpec } from '../shared/model-spec';

/** Where models are looked for (engines.ts's ModelPlace has this shape). */
export interface ModelFolders {
  readonly cacheDir: string;
  readonly modelsDir?: string;
  readonly host?: string;
}

/** The hub transformers.js downloads from when no mirror is given (`env.remoteHost`'s default). */
const DEFAULT_HOST = 'https://huggingface.co';

/**
 * The folder a model's files are read from: `--models DIR/<repo>/`, or the
 * download cache, laid out as transformers.js's file cache lays it out
 * (`<cacheDir>/<repo>/<file>` for `main`, `<cacheDir>/<repo>/<revision>/<file>`
 * for a pinned revision: `buildResourcePaths` in its `utils/hub.js`).
 */
export function modelFolder(spec: ModelSpec, place: ModelFolders): string {
  if (place.modelsDir) return join(place.modelsDir, spec.repo);
  return spec.revision === 'main' ? join(place.cacheDir, spec.repo) : join(place.cacheDir, spec.repo, spec.revision);
}

/** Is every file loading `spec` on this CPU needs (its config and ONNX sessions) in its folder? */
export async function isOnDisk(spec: ModelSpec, place: ModelFolders): Promise<boolean> {
  const folder = modelFolder(spec, place);
  // The small tokenizer and processor files may be absent from a repo; the config and sessions never are.
  const needed = plannedFiles(spec.family, spec.dtypes.wasm, undefined).filter(
    (f) => f === 'config.json' || f.startsWith('onnx/'),
  );
  const found = await Promise.all(
    needed.map((f) =>
      access(join(folder, f)).then(
        () => true,
        () => false,
      ),
    ),
  );
  return found.every(Boolean);
}

/** What decides the route. */
export interface RouteQuestion {
  /** `--route`, when given. */
  readonly flag?: 'local' | 'vlm';
  readonly engine: 'local' | 'openai';
  /** `--router REPO` was given: the user wants that model to route. */
  readonly routerNamed: boolean;
  /** `--domain`: no routing at all. */
  readonly pinned: boolean;
  readonly router: ModelSpec;
  readonly place: ModelFolders;
}

/** The route, and the one line saying why when it is not what the user would expect. */
export interface RouteChoice {
  readonly route: 'local' | 'vlm';
  readonly notice: string | null;
}

/**
 * The route of a run: the flag when given; the local router for the local
 * engine (it downloads every model anyway), for a named `--router`, or when
 * the router is on disk; otherwise, with the openai engine, the VLM.
 */
export async function chooseRoute(q: RouteQuestion): Promise<RouteChoice> {
  if (q.flag) return { route: q.flag, notice: null };
  if (q.pinned || q.engine === 'local' || q.routerNamed) return { route: 'local', notice: null };
  if (await isOnDisk(q.router, q.place)) return { route: 'local', notice: null };
  const where = q.place.modelsDir ? `--models ${q.place.modelsDir}` : `the cache (${q.place.cacheDir})`;
  const mb = Math.round(q.router.approxBytes / 1e6);
  return {
    route: 'vlm',
    notice:
      `Routing: the router ${q.router.repo} is not in ${where}, so the VLM picks each image's domain (--route vlm). ` +
      `For the local router, give --route local once with the hub reachable (≈ ${mb} MB into --cache-dir), or --models DIR.`,
  };
}

/** The three ways past a router that cannot be loaded, as one sentence. */
export function routerWaysOut(spec: ModelSpec): string {
  return (
    `Ways out: --route vlm (the VLM picks each image's domain), --domain ID (one domain for every image, ` +
    `e.g. --domain natural), or --models DIR (a folder holding ${spec.repo}/, copied from a machine that has it).`
  );
}

/**
 * Loads the router with `load`; a failure (the hub unreachable, a mirror
 * without the repo, a damaged cache) is a ModelLoadError that keeps the
 * reason and names where it looked and the ways out.
 */
export async function loadingRouter<T>(spec: ModelSpec, place: ModelFolders, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (err) {
    const from = place.modelsDir
      ? `from ${modelFolder(spec, place)}`
      : `from ${place.host ?? DEFAULT_HOST} (not in the cache ${place.cacheDir})`;
    throw new ModelLoadError(
      `Could not load the router ${spec.repo} ${from}: ${errorText(err)}. ${routerWaysOut(spec)}`,
    );
  }
}
