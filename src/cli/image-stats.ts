/**
 * What a run did to its images before sending them, counted for the
 * summary: how many were sent, how often each went up on average and how
 * many bytes that cost, which were re-encoded (to what, why), downscaled
 * (from → to) or sent again smaller after a 413. Nothing the CLI changes
 * about an image goes unsaid.
 */
import { type EncodeReason, type ImageFit, bytesText, sizeText } from './image-fit';

/** The run's image counters (held in RequestStats.images). */
export interface ImageCounts {
  /** Distinct images encoded for sending (each once per endpoint format set). */
  images: number;
  /** Image parts sent in requests, transport retries included, and the bytes of their data URLs. */
  parts: number;
  bytes: number;
  /** Images re-encoded, by `from → to (why)`. */
  readonly reencoded: Record<string, number>;
  downscaled: number;
  /** The downscale that shrank an image most, as an example for the summary. */
  largestDownscale: { readonly from: string; readonly to: string; readonly ratio: number } | null;
  /** Images sent again as a smaller JPEG after an HTTP 413. */
  shrunk: number;
  /** Images sent as `file://` paths (`--image-file-urls`): nothing uploaded. */
  byPath: number;
}

export function emptyImageCounts(): ImageCounts {
  return { images: 0, parts: 0, bytes: 0, reencoded: {}, downscaled: 0, largestDownscale: null, shrunk: 0, byPath: 0 };
}

const WHY: Record<EncodeReason['kind'], string> = {
  format: 'format not taken by the endpoint',
  downscale: 'downscaled',
  'first-frame': 'animated: first frame',
  orientation: 'EXIF orientation applied',
  'payload-413': 'smaller after HTTP 413',
};

/** Counts one image's first encoding for an endpoint: its re-encoding (the main reason) and its downscale. */
export function countEncoding(
  counts: ImageCounts,
  encoding: {
    readonly from: string;
    readonly to: string;
    readonly why: readonly EncodeReason[];
    readonly via?: 'data' | 'file';
  },
): void {
  counts.images += 1;
  if (encoding.via === 'file') counts.byPath += 1;
  const [first] = encoding.why;
  if (!first) return;
  // A JPEG only downscaled is still a JPEG: the key says so rather than calling it a change of format.
  const key = `${encoding.from} → ${encoding.to} (${encoding.why.map((r) => WHY[r.kind]).join(', ')})`;
  counts.reencoded[key] = (counts.reencoded[key] ?? 0) + 1;
  for (const r of encoding.why) {
    if (r.kind !== 'downscale') continue;
    counts.downscaled += 1;
    const ratio = (r.from.width * r.from.height) / (r.to.width * r.to.height);
    if (!counts.largestDownscale || ratio > counts.largestDownscale.ratio) {
      counts.largestDownscale = { from: sizeText(r.from), to: sizeText(r.to), ratio };
    }
  }
}

/**
 * The summary's image lines: uploads and their cost (every CapFlow step carries its image again: no
 * OpenAI-compatible chat API takes an image once and refers to it later), then what was changed.
 */
export function imageSummary(counts: ImageCounts, fit: ImageFit): string[] {
  if (counts.images === 0) return [];
  const each = counts.parts / counts.images;
  const lines = [
    (each > 1
      ? `Images: ${counts.images} sent ${each.toFixed(1)} times each on average (every step re-sends its image), `
      : `Images: ${counts.images} sent once each, `) +
      `${counts.byPath ? `${counts.byPath} as file:// paths (nothing uploaded), ` : ''}` +
      `${bytesText(counts.bytes)} uploaded` +
      (each > 1 ? '; each image was encoded once and reused by its steps.' : '.'),
  ];
  const reencoded = Object.entries(counts.reencoded).sort(([k, a], [l, b]) => b - a || k.localeCompare(l));
  if (reencoded.length) {
    const total = reencoded.reduce((n, [, k]) => n + k, 0);
    lines.push(`Re-encoded ${total}: ${reencoded.map(([key, n]) => `${n} ${key}`).join('; ')}.`);
  }
  if (counts.downscaled && counts.largestDownscale) {
    const { from, to } = counts.largestDownscale;
    lines.push(
      `Downscaled ${counts.downscaled} to at most ${fit.maxPixels} pixels and ${fit.maxSide} px a side ` +
        `(largest: ${from} → ${to}); --image-max-pixels and --image-max-side set the limits.`,
    );
  }
  if (counts.shrunk) {
    lines.push(
      `Sent smaller after HTTP 413 (payload too large): ${counts.shrunk}; lower --image-max-side, or raise the server's limit (TGI: --payload-limit).`,
    );
  }
  return lines;
}
