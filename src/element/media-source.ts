/**
 * What `<meta-captioner>` captions, found on the page: the `<img>` or
 * `<video>` its `for` names (in its own document or shadow root), the URL
 * that shows, and the file fetched from it, with errors that say why not.
 */
import { ImageSourceError, errorText } from '../shared/errors';

/** What `for` may name: an image or a video on the page. */
export type Target = HTMLImageElement | HTMLVideoElement;

/** The URL a target shows (a video may name it in a `<source>` child). */
export function sourceOf(target: Target): string {
  if (target.currentSrc || target.src) return target.currentSrc || target.src;
  return target instanceof HTMLVideoElement ? (target.querySelector('source')?.src ?? '') : '';
}

/** The `<img>` or `<video>` with `id` next to `host` (same document or shadow root), or null. */
export function findTarget(host: Node, id: string): Target | null {
  const root = host.getRootNode();
  const found = root instanceof Document || root instanceof ShadowRoot ? root.getElementById(id) : null;
  return found instanceof HTMLImageElement || found instanceof HTMLVideoElement ? found : null;
}

/** Fetches `url` (aborted with `signal`): the file and its name, or an ImageSourceError that says why not. */
export async function fetchMedia(url: string, signal: AbortSignal): Promise<{ blob: Blob; name: string }> {
  let response: Response;
  try {
    response = await fetch(url, { signal });
  } catch (err) {
    if (signal.aborted) throw err;
    throw new ImageSourceError(`Could not fetch ${url} (${errorText(err)}). A file on another site must allow CORS.`);
  }
  if (!response.ok) throw new ImageSourceError(`Could not fetch ${url} (HTTP ${response.status}).`);
  const name = decodeURIComponent(new URL(url, document.baseURI).pathname.split('/').pop() || 'image');
  return { blob: await response.blob(), name };
}
