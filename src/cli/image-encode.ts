/**
 * An image file's bytes made fit for an endpoint with sharp, following
 * image-fit.ts's plan: read what the file is (format, upright size,
 * transparency, frames, orientation) once, encode once per endpoint fit
 * (every CapFlow step reuses that data URL), and make the one smaller
 * JPEG tried after an HTTP 413. Each image remembers what it sent, for its
 * record.
 */
import { pathToFileURL } from 'node:url';
import sharp from 'sharp';
import {
  type EncodeReason,
  type ImageFit,
  type ImageMime,
  JPEG_QUALITY,
  SMALLER_JPEG_QUALITY,
  type Size,
  type SourceImage,
  mimeOf,
  planImage,
  pngTooBig,
  reasonText,
  smallerSize,
} from './image-fit';

/** The image as it goes to an endpoint: a data URL, made once per endpoint fit and reused by every step. */
export interface EncodedImage {
  readonly url: string;
  readonly mime: ImageMime;
  /** Bytes of the encoded image (the data URL is about 4/3 of it). */
  readonly bytes: number;
  readonly size: Size;
  /** The file's own format, and why what goes is not the file's own bytes (empty when it is). */
  readonly from: string;
  /** A data URL (uploaded with every request), or the file's path for a server that reads it (nothing uploaded). */
  readonly via: 'data' | 'file';
  readonly why: readonly EncodeReason[];
}

/** What the run record says was sent of an image, once per encoding an endpoint got. */
export interface SentImageRecord {
  readonly format: ImageMime;
  readonly bytes: number;
  readonly width: number;
  readonly height: number;
  /** Requests that carried it (transport retries not counted). */
  readonly sends: number;
  /** What the CLI changed, in words; absent when the file's own bytes went. */
  readonly changes?: readonly string[];
  /** The `file://` URL sent instead of the bytes (`--image-file-urls`). */
  readonly fileUrl?: string;
}

const dataUrl = (mime: ImageMime, data: Buffer) => `data:${mime};base64,${data.toString('base64')}`;

/** What the file is, from its header (and, only for a file with an alpha channel, whether any pixel uses it). */
export async function readSource(bytes: Buffer, format: string): Promise<SourceImage> {
  const meta = await sharp(bytes).metadata();
  const orientation = meta.orientation ?? 1;
  // EXIF orientations 5–8 turn the image a quarter: its upright width is the stored height.
  const turned = orientation >= 5;
  const [width, height] = [meta.width ?? 1, meta.height ?? 1];
  const transparent = meta.hasAlpha ? !(await sharp(bytes).stats()).isOpaque : false;
  return {
    format,
    width: turned ? height : width,
    height: turned ? width : height,
    transparent,
    frames: meta.pages ?? 1,
    orientation,
  };
}

/** Encodes the first frame of `bytes` upright at `size` as PNG or JPEG (transparency flattened onto white). */
async function encodeAs(bytes: Buffer, source: SourceImage, size: Size, to: 'png' | 'jpeg', quality: number) {
  let image = sharp(bytes).rotate();
  if (size.width !== source.width || size.height !== source.height) {
    image = image.resize(size.width, size.height, { fit: 'fill' });
  }
  return to === 'png' ? image.png().toBuffer() : image.flatten({ background: '#ffffff' }).jpeg({ quality }).toBuffer();
}

/**
 * The image for `fit`: its own bytes where they do (by path, `path`, where the endpoint reads files), else
 * encoded as planned (a PNG that grows too big: JPEG).
 */
export async function encodeFor(
  bytes: Buffer,
  source: SourceImage,
  fit: ImageFit,
  path: string,
): Promise<EncodedImage> {
  const plan = planImage(source, fit);
  const base = { from: source.format, via: 'data' as const };
  if (plan.kind === 'original') {
    const url = fit.fileUrls ? pathToFileURL(path).href : dataUrl(plan.mime, bytes);
    const via = fit.fileUrls ? ('file' as const) : ('data' as const);
    return { ...base, via, url, mime: plan.mime, bytes: bytes.length, size: source, why: [] };
  }
  let to = plan.to;
  let data = await encodeAs(bytes, source, plan.size, to, JPEG_QUALITY);
  if (to === 'png' && pngTooBig(data.length, source.transparent, fit)) {
    to = 'jpeg';
    data = await encodeAs(bytes, source, plan.size, to, JPEG_QUALITY);
  }
  const mime = mimeOf(to) ?? 'image/jpeg';
  return { ...base, url: dataUrl(mime, data), mime, bytes: data.length, size: plan.size, why: plan.why };
}

/** The one smaller JPEG after a 413 refused `sent`: half its pixels, lower quality; null when that is tiny. */
export async function encodeSmaller(
  bytes: Buffer,
  source: SourceImage,
  sent: EncodedImage,
): Promise<EncodedImage | null> {
  const size = smallerSize(sent.size);
  if (!size) return null;
  const data = await encodeAs(bytes, source, size, 'jpeg', SMALLER_JPEG_QUALITY);
  const why: EncodeReason[] = [
    ...sent.why.filter((r) => r.kind !== 'downscale'),
    { kind: 'payload-413', from: sent.size, to: size, bytesBefore: sent.bytes },
  ];
  const url = dataUrl('image/jpeg', data);
  return { from: source.format, via: 'data', url, mime: 'image/jpeg', bytes: data.length, size, why };
}

/**
 * One image's encodings: one per endpoint fit, made on first use and shared by every step; the smaller one
 * after a 413 replaces it for later steps. Counts the requests that carried each, for the record.
 */
export class ImageSender {
  private source: Promise<SourceImage> | null = null;
  private readonly byFit = new Map<string, Promise<EncodedImage>>();
  private readonly shrinking = new Map<string, Promise<EncodedImage | null>>();
  private readonly sends = new Map<EncodedImage, { sends: number; fit: ImageFit }>();

  /** `path`: the file's absolute path, for an endpoint that reads files (`ImageFit.fileUrls`). */
  constructor(
    private readonly bytes: Buffer,
    private readonly format: string,
    private readonly path = '',
  ) {}

  private read(): Promise<SourceImage> {
    this.source ??= readSource(this.bytes, this.format);
    return this.source;
  }

  /** The image fit for `fit` (see {@link encodeFor}), the same object on every call. */
  encoded(fit: ImageFit): Promise<EncodedImage> {
    const key = fitKey(fit);
    let made = this.byFit.get(key);
    if (!made) {
      made = this.read().then((source) => encodeFor(this.bytes, source, fit, this.path));
      this.byFit.set(key, made);
    }
    return made;
  }

  /**
   * After a 413 refused `refused` for `fit`: the smaller image, which later steps for `fit` get. Steps that
   * were refused at the same time share one smaller image; null when the smaller image was what was refused
   * (one smaller try per image) or it would be tiny.
   */
  async smaller(fit: ImageFit, refused: EncodedImage): Promise<EncodedImage | null> {
    const key = fitKey(fit);
    const current = await this.encoded(fit);
    if (current !== refused) return current;
    if (refused.why.some((r) => r.kind === 'payload-413')) return null;
    let made = this.shrinking.get(key);
    if (!made) {
      made = this.read().then(async (source) => {
        const smaller = await encodeSmaller(this.bytes, source, refused);
        if (smaller) this.byFit.set(key, Promise.resolve(smaller));
        return smaller;
      });
      this.shrinking.set(key, made);
    }
    return made;
  }

  noteSent(image: EncodedImage, fit: ImageFit): void {
    const entry = this.sends.get(image) ?? { sends: 0, fit };
    entry.sends += 1;
    this.sends.set(image, entry);
  }

  /** What went, for the record: each encoding sent, with its size, format, sends and changes in words. */
  sent(): SentImageRecord[] {
    return [...this.sends].map(([image, { sends, fit }]) => ({
      format: image.mime,
      bytes: image.bytes,
      width: image.size.width,
      height: image.size.height,
      sends,
      ...(image.why.length && { changes: image.why.map((r) => reasonText(r, image.mime.slice(6), fit)) }),
      ...(image.via === 'file' && { fileUrl: image.url }),
    }));
  }
}

/** Endpoints that take the same formats and limits share an encoding. */
const fitKey = (fit: ImageFit) =>
  `${[...fit.formats].sort().join(',')} ${fit.maxPixels} ${fit.maxSide} ${fit.fileUrls ? 'file' : 'data'}`;
