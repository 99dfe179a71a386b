/**
 * A chat request carrying images, made fit for its endpoint: each image
 * goes in the form that endpoint takes (encoded once per image, reused by
 * every step), first encodings are counted for the summary, and an HTTP
 * 413 (payload too large; TGI answers it past `--payload-limit`, a proxy
 * past its body limit) is tried once more with smaller JPEGs, then fails
 * with an error that names the endpoint, what was sent and the way out.
 */
import type { StepOutput } from '../capflow/context';
import type { Sampling } from '../shared/record';
import type { EncodedImage } from './image-encode';
import {
  DEFAULT_FIT,
  DEFAULT_FORMATS,
  IMAGE_MIMES,
  type ImageFit,
  type ImageMime,
  bytesText,
  sizeText,
} from './image-fit';
import { countEncoding } from './image-stats';
import type { CliImage } from './images';
import { type ChatClient, type ContentPart, type Endpoint, EndpointError, type RequestStats } from './openai-client';
import { imageLimits } from './server-kinds';

/**
 * An endpoint refused a request's images as too large (HTTP 413) even after the smaller try. A fault of this
 * image at this endpoint's limit, not of the endpoint: the run goes on with the next image.
 */
export class ImagePayloadError extends Error {
  override readonly name = 'ImagePayloadError';
  readonly status = 413;
}

/** How images are fit for each endpoint. */
/**
 * The formats an endpoint's server kind decodes, once the kind is known: its documented list, or where it
 * decodes with PIL (no list), JPEG, PNG and WebP. GIF is never left to a server: an animated one is sent as
 * its first frame by us, and said, rather than cut by the server without a word.
 */
export function serverKindFormats(endpoint: Endpoint): readonly ImageMime[] | undefined {
  const kind = endpoint.server;
  if (kind === undefined || kind === 'auto' || kind === 'openai') return undefined;
  const listed = imageLimits(kind).formats ?? ['image/jpeg', 'image/png', 'image/webp'];
  return IMAGE_MIMES.filter((m) => m !== 'image/gif' && listed.includes(m));
}

export interface ImageSettings {
  /** Formats and limits for every endpoint (default {@link DEFAULT_FIT}). */
  readonly images?: ImageFit;
  /**
   * The formats an endpoint's server kind decodes, where known (the server-kind registry); else the fit's.
   * Pass it only when the user gave no `--image-formats`: what they name wins over what the kind suggests.
   */
  readonly imageFormats?: (endpoint: Endpoint) => readonly ImageMime[] | undefined;
  readonly stats: RequestStats;
}

/** What one request asks. */
export interface ImageAsk {
  readonly maxTokens: number;
  readonly sampling?: Sampling;
}

const describe = (images: readonly EncodedImage[]) =>
  images.map((i) => `${sizeText(i.size)} ${i.mime.slice(6).toUpperCase()} of ${bytesText(i.bytes)}`).join(', ');

/**
 * What the images of a refused request (4xx) had to do with it, for its error: a format the server may not
 * decode (Ollama's 400 "invalid image input", llama.cpp's "Failed to load image"), a `file://` path it may
 * not read, or image tokens over the context (vLLM's 400 "maximum context length"). Empty when none applies.
 */
function refusalHint(err: EndpointError, sent: readonly EncodedImage[], fit: ImageFit): string {
  const unusual = sent.find((e) => e.via === 'data' && !DEFAULT_FORMATS.includes(e.mime));
  if (err.status === 400 && unusual) {
    return ` (the image went as ${unusual.mime}: if the server cannot decode it, send only JPEG and PNG with --image-formats jpeg,png)`;
  }
  const byPath = sent.find((e) => e.via === 'file');
  if (byPath) {
    return ` (the image went as ${byPath.url}: the server must read files there — vLLM: --allowed-local-media-path above it, on a filesystem mounted at the same path — or drop --image-file-urls)`;
  }
  if (err.status === 400 && sent.length && /context length|context window|too long|exceeds/i.test(err.message)) {
    return ` (the request carried ${describe(sent)}: lower --image-max-pixels (now ${fit.maxPixels}) or --image-max-side (now ${fit.maxSide}) to send fewer image tokens, or raise the server's context, e.g. vLLM --max-model-len)`;
  }
  return '';
}

/** Asks `chat` about `images` with the images fit for its endpoint; see the file's comment. */
export function imageRequests(settings: ImageSettings) {
  const counted = new WeakSet<EncodedImage>();
  const fitOf = (endpoint: Endpoint): ImageFit => {
    const fit = settings.images ?? DEFAULT_FIT;
    const formats = settings.imageFormats?.(endpoint);
    return formats ? { ...fit, formats } : fit;
  };
  const encodings = (images: readonly CliImage[], fit: ImageFit) =>
    Promise.all(
      images.map(async (image) => {
        const encoded = await image.encoded(fit);
        if (!counted.has(encoded)) {
          counted.add(encoded);
          // A smaller image after a 413 is the same image sent again, not another image.
          if (encoded.why.some((r) => r.kind === 'payload-413')) settings.stats.images.shrunk += 1;
          else countEncoding(settings.stats.images, { ...encoded, to: encoded.mime.slice(6) });
        }
        return encoded;
      }),
    );
  const ask = async (
    chat: ChatClient,
    images: readonly CliImage[],
    sent: readonly EncodedImage[],
    text: string,
    o: ImageAsk,
  ) => {
    const fit = fitOf(chat.endpoint);
    const parts: ContentPart[] = [
      ...sent.map((e) => ({ type: 'image_url' as const, image_url: { url: e.url } })),
      { type: 'text', text },
    ];
    images.forEach((image, i) => {
      const e = sent[i];
      if (e) image.noteSent(e, fit);
    });
    try {
      return await chat.chat(parts, { maxTokens: o.maxTokens, ...(o.sampling && { sampling: o.sampling }) });
    } catch (err) {
      if (err instanceof EndpointError && err.status >= 400 && err.status < 500)
        err.message += refusalHint(err, sent, fit);
      throw err;
    }
  };
  return async (chat: ChatClient, images: readonly CliImage[], text: string, o: ImageAsk): Promise<StepOutput> => {
    const fit = fitOf(chat.endpoint);
    const first = await encodings(images, fit);
    try {
      return await ask(chat, images, first, text, o);
    } catch (err) {
      if (!(err instanceof EndpointError && err.status === 413) || images.length === 0) throw err;
      const smaller = await Promise.all(images.map((image, i) => (first[i] ? image.smaller(fit, first[i]) : null)));
      const wayOut =
        `Lower --image-max-side (now ${fit.maxSide}) or --image-max-pixels (now ${fit.maxPixels}), ` +
        `or raise the server's request size limit (TGI: --payload-limit, default 2000000 bytes; a proxy: its body limit, e.g. nginx client_max_body_size).`;
      if (smaller.some((s) => !s)) {
        const shrunk = first.some((e) => e.why.some((r) => r.kind === 'payload-413'));
        const why = shrunk ? 'already the smaller image made after an earlier 413' : 'too small to make smaller';
        throw new ImagePayloadError(
          `${chat.endpoint.url} refused the image as too large (HTTP 413) at ${describe(first)}, ${why}. ${wayOut}`,
        );
      }
      const second = await encodings(images, fit);
      try {
        return await ask(chat, images, second, text, o);
      } catch (again) {
        if (!(again instanceof EndpointError && again.status === 413)) throw again;
        throw new ImagePayloadError(
          `${chat.endpoint.url} refused the image as too large (HTTP 413) at ${describe(first)}, and again at ${describe(second)}. ${wayOut}`,
        );
      }
    }
  };
}
