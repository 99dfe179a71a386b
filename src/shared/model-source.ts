/**
 * Where model files come from. The public hub is the default; a custom host
 * (an organisation's mirror, or the tests' local server) takes a path
 * template with `{model}` and `{revision}`, as transformers.js does; a local
 * path is a folder of model repos served next to the app (`/models/<org>/<name>/…`).
 */

/** A model file location. */
export type ModelSource =
  | { readonly kind: 'hub' }
  | { readonly kind: 'host'; readonly host: string; readonly pathTemplate: string }
  | { readonly kind: 'local'; readonly path: string }
  /** Files the user imported from a folder on their disk: they exist only in the weight cache. */
  | { readonly kind: 'imported' };

/** The public Hugging Face hub. */
export const HUB_SOURCE: ModelSource = Object.freeze({ kind: 'hub' });

/** transformers.js's defaults, used for the hub. */
export const HUB_HOST = 'https://huggingface.co/';
/** The hub's path template. */
export const HUB_PATH_TEMPLATE = '{model}/resolve/{revision}/';

/**
 * The host imported files are filed under in the weight cache. `.invalid`
 * never resolves, and the worker answers any fetch under it with 404
 * itself, so these URLs are cache keys only.
 */
export const IMPORTED_HOST = 'https://imported.metacaptioner.invalid/';

/** Host and path template of a source, as transformers.js's `env` (and so the cache keys) want them. */
export function sourceLocation(source: Extract<ModelSource, { kind: 'hub' | 'host' | 'imported' }>): {
  host: string;
  pathTemplate: string;
} {
  if (source.kind === 'hub') return { host: HUB_HOST, pathTemplate: HUB_PATH_TEMPLATE };
  if (source.kind === 'imported') return { host: IMPORTED_HOST, pathTemplate: '{model}/' };
  let host: URL;
  try {
    host = new URL(source.host);
  } catch {
    throw new TypeError(`Model host "${source.host}" is not a URL: use e.g. https://models.example.org/`);
  }
  if (host.protocol !== 'https:' && host.protocol !== 'http:') {
    throw new TypeError(`Model host "${source.host}" must be an http(s) URL.`);
  }
  if (!source.pathTemplate.includes('{model}')) {
    throw new TypeError(`Path template "${source.pathTemplate}" must contain {model}.`);
  }
  const href = host.href.endsWith('/') ? host.href : `${host.href}/`;
  const template = source.pathTemplate.endsWith('/') ? source.pathTemplate : `${source.pathTemplate}/`;
  return { host: href, pathTemplate: template.replace(/^\//, '') };
}

/**
 * A local models folder, normalised to end in "/". It must be a path on the
 * app's own site: transformers.js treats full URLs as remote, never local.
 */
export function localModelPath(source: Extract<ModelSource, { kind: 'local' }>): string {
  const path = source.path.trim();
  if (!path.startsWith('/')) {
    throw new TypeError(
      `The local models path "${source.path}" must be a path on this site, e.g. /models/ (use a custom host for other servers).`,
    );
  }
  return path.endsWith('/') ? path : `${path}/`;
}
