/**
 * How an image is made fit for an OpenAI-compatible endpoint, as pure
 * decisions over what the file is (format, size, transparency, frames,
 * orientation) and what the endpoint takes (formats, a pixel budget): send
 * the file's own bytes, or re-encode (and why), at which size, and, after an
 * HTTP 413, how much smaller. Also the run's image counters and the summary
 * line that says what was changed and what the uploads cost. The encoding
 * itself (sharp) is in images.ts.
 */

/** The image formats a data URL may carry here. */
export const IMAGE_MIMES = Object.freeze(['image/jpeg', 'image/png', 'image/webp', 'image/gif'] as const);
export type ImageMime = (typeof IMAGE_MIMES)[number];

/**
 * What every server kind decodes: Ollama's OpenAI layer takes only jpeg, jpg, png and webp data URLs
 * (`openai/openai.go`, decodeImageURL: anything else is `400 invalid image input`); llama.cpp and LM Studio
 * decode with stb_image, which has no WebP (and reads only a GIF's first frame); vLLM, SGLang and TGI use
 * PIL, which reads all four. The common set is JPEG and PNG.
 */
export const DEFAULT_FORMATS: readonly ImageMime[] = Object.freeze(['image/jpeg', 'image/png']);

/**
 * The default pixel budget: 2,048 Qwen2.5-VL image tokens (one token per 28×28 px after its 2×2 merge, so
 * 2,048 × 784 = 1,605,632 px, e.g. 1548×1032 for a 3:2 photo). A 24 MP photo sent whole is ≈ 16,384 tokens at
 * Qwen2.5-VL's default `max_pixels` (12,845,056 = 16,384 × 784): all of a `--max-model-len 16384` context
 * before the prompt. At 2,048 tokens an image leaves room in a 16,384-token context for four images in one
 * request (8,192 tokens: video frames, or a step showing several) plus a CapFlow prompt with its notes
 * (≤ ~3,000 tokens) and the longest answer (≤ ~1,000 tokens), with ~4,000 to spare. Idefics3/SmolVLM and
 * LLaVA-style models tile by side rather than by area, hence {@link DEFAULT_MAX_SIDE} too. As a JPEG at
 * quality {@link JPEG_QUALITY} such an image is ~0.2–0.6 MB, ~0.3–0.8 MB as base64: under TGI's default
 * `--payload-limit` of 2,000,000 bytes (`launcher/src/main.rs`) even with two images in a request.
 */
export const DEFAULT_MAX_PIXELS = 2048 * 28 * 28;
/** The default longest side: 2,048 px (a 16:1 panorama within the pixel budget would otherwise be 5,000 px long). */
export const DEFAULT_MAX_SIDE = 2048;
/** JPEG quality of a re-encoded photo: visually lossless for captioning, a fraction of a PNG's bytes. */
export const JPEG_QUALITY = 85;
/** JPEG quality of the smaller image sent once after an HTTP 413. */
export const SMALLER_JPEG_QUALITY = 70;
/**
 * A PNG (re-encoded from a lossless source: a screenshot, a diagram) bigger than this goes as JPEG instead:
 * sharp text is worth PNG's bytes up to here, and 1 MB (1.33 MB as base64) still passes TGI's default 2 MB.
 */
export const PNG_BUDGET_BYTES = 1_000_000;

/** What the endpoint takes. */
export interface ImageFit {
  /** MIME types the endpoint decodes; anything else is re-encoded. */
  readonly formats: readonly ImageMime[];
  readonly maxPixels: number;
  readonly maxSide: number;
  /**
   * The endpoint reads image files by path on a filesystem it shares with this machine (vLLM started with
   * `--allowed-local-media-path` above the images, mounted at the same path): an image that needs no change
   * goes as a `file://` URL, uploading nothing (`vllm/multimodal/utils.py`, MediaConnector._load_file_url).
   */
  readonly fileUrls?: boolean;
}

/** The fit for an endpoint that says nothing about itself. */
export const DEFAULT_FIT: ImageFit = Object.freeze({
  formats: DEFAULT_FORMATS,
  maxPixels: DEFAULT_MAX_PIXELS,
  maxSide: DEFAULT_MAX_SIDE,
});

/** What the file is, as sharp reads its header. */
export interface SourceImage {
  /** The file's format as the header check names it (png, jpeg, gif, webp, avif, bmp). */
  readonly format: string;
  /** Upright size (after EXIF orientation). */
  readonly width: number;
  readonly height: number;
  /** Whether any pixel is not fully opaque. */
  readonly transparent: boolean;
  /** Frames (pages) in the file: more than one for an animated GIF or WebP. */
  readonly frames: number;
  /** EXIF orientation, 1 (upright) to 8. */
  readonly orientation: number;
}

/** Why an image was re-encoded rather than sent as its own bytes. */
export type EncodeReason =
  | { readonly kind: 'format'; readonly from: string }
  | { readonly kind: 'downscale'; readonly from: Size; readonly to: Size }
  | { readonly kind: 'first-frame'; readonly frames: number }
  | { readonly kind: 'orientation'; readonly orientation: number }
  | { readonly kind: 'payload-413'; readonly from: Size; readonly to: Size; readonly bytesBefore: number };

export interface Size {
  readonly width: number;
  readonly height: number;
}

/** How to send an image: its own bytes, or encoded anew at a size. */
export type ImagePlan =
  | { readonly kind: 'original'; readonly mime: ImageMime }
  | {
      readonly kind: 'encode';
      /** PNG where it keeps something (transparency, a lossless source), else JPEG. */
      readonly to: 'png' | 'jpeg';
      readonly size: Size;
      readonly why: readonly EncodeReason[];
    };

/** The MIME type of a header-check format name, when a data URL can carry it. */
export function mimeOf(format: string): ImageMime | null {
  const mime = `image/${format === 'jpg' ? 'jpeg' : format}`;
  return (IMAGE_MIMES as readonly string[]).includes(mime) ? (mime as ImageMime) : null;
}

/** The size within `maxPixels` and `maxSide`, aspect kept, never larger than the image (no upscaling). */
export function fitSize(size: Size, limits: Pick<ImageFit, 'maxPixels' | 'maxSide'>): Size {
  const { width, height } = size;
  const scale = Math.min(1, limits.maxSide / Math.max(width, height), Math.sqrt(limits.maxPixels / (width * height)));
  if (scale >= 1) return { width, height };
  // Floor, so the product stays within the budget; a strip keeps at least one pixel on its short side.
  return { width: Math.max(1, Math.floor(width * scale)), height: Math.max(1, Math.floor(height * scale)) };
}

/** Formats that keep every pixel: an image from one is likely a screenshot or a drawing, where PNG keeps text sharp. */
const LOSSLESS_SOURCES = new Set(['png', 'gif', 'bmp']);

/** Sends the file's bytes when the endpoint takes its format and nothing else must change; otherwise encodes. */
export function planImage(source: SourceImage, fit: ImageFit): ImagePlan {
  const mime = mimeOf(source.format);
  const size = fitSize(source, fit);
  const why: EncodeReason[] = [];
  if (!mime || !fit.formats.includes(mime)) why.push({ kind: 'format', from: source.format });
  if (size.width !== source.width || size.height !== source.height) {
    why.push({ kind: 'downscale', from: { width: source.width, height: source.height }, to: size });
  }
  if (source.frames > 1) why.push({ kind: 'first-frame', frames: source.frames });
  // stb_image (llama.cpp, LM Studio) ignores EXIF and PIL's Image.open does not apply it: the server would
  // see the photo on its side while the local router and OCR (transformers.js rotates) see it upright.
  if (source.orientation > 1) why.push({ kind: 'orientation', orientation: source.orientation });
  if (mime && why.length === 0) return { kind: 'original', mime };
  const keepsPng = fit.formats.includes('image/png') && (source.transparent || LOSSLESS_SOURCES.has(source.format));
  return { kind: 'encode', to: keepsPng || !fit.formats.includes('image/jpeg') ? 'png' : 'jpeg', size, why };
}

/** Whether a PNG made for a lossless, opaque source is too big to be worth it (JPEG goes instead). */
export function pngTooBig(bytes: number, transparent: boolean, fit: ImageFit): boolean {
  return bytes > PNG_BUDGET_BYTES && !transparent && fit.formats.includes('image/jpeg');
}

/**
 * The size of the one smaller try after an HTTP 413: half the pixels of what was refused (each side ÷ √2),
 * or null when that is already tiny (under 64 px on its short side: smaller would not be worth captioning).
 */
export function smallerSize(sent: Size): Size | null {
  const width = Math.floor(sent.width / Math.SQRT2);
  const height = Math.floor(sent.height / Math.SQRT2);
  return Math.min(width, height) < 64 ? null : { width, height };
}

/** A size as `W×H`. */
export const sizeText = (s: Size) => `${s.width}×${s.height}`;

/** Bytes as a person reads them (KB and MB of 1,000, as payload limits are given). */
export function bytesText(n: number): string {
  if (n >= 1_000_000) return `${(n / 1_000_000).toFixed(n >= 10_000_000 ? 0 : 1)} MB`;
  if (n >= 1_000) return `${Math.round(n / 1_000)} KB`;
  return `${n} B`;
}

/** One reason in words, for the record and the summary. */
export function reasonText(r: EncodeReason, to: string, fit?: ImageFit): string {
  switch (r.kind) {
    case 'format':
      return `${r.from} re-encoded as ${to}: the endpoint takes ${(fit?.formats ?? DEFAULT_FORMATS).map((m) => m.slice(6)).join(', ')}`;
    case 'downscale':
      return `downscaled ${sizeText(r.from)} → ${sizeText(r.to)}`;
    case 'first-frame':
      return `first frame of ${r.frames} sent (animated)`;
    case 'orientation':
      return `turned upright (EXIF orientation ${r.orientation}), as the local models see it`;
    case 'payload-413':
      return `sent again smaller after HTTP 413: ${sizeText(r.from)} ${bytesText(r.bytesBefore)} → ${sizeText(r.to)} JPEG`;
  }
}
