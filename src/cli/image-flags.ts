/**
 * The caption flags that say how images are fit for the endpoints
 * (`--image-max-pixels`, `--image-max-side`, `--image-formats`,
 * `--image-file-urls`): their parseArgs options, their usage lines, and the
 * {@link ImageFit} they ask for, checked with errors that say what to type.
 */
import { DEFAULT_FORMATS, DEFAULT_MAX_PIXELS, DEFAULT_MAX_SIDE, type ImageFit, mimeOf } from './image-fit';

/** The flags' parseArgs options. */
export const IMAGE_FLAGS = {
  'image-max-pixels': { type: 'string' },
  'image-max-side': { type: 'string' },
  'image-formats': { type: 'string' },
  'image-file-urls': { type: 'boolean' },
} as const;

/** The flags' lines of the usage. */
export const IMAGE_USAGE = `  --image-max-pixels N, --image-max-side PX
                                 images sent to endpoints are downscaled to fit (default ${DEFAULT_MAX_PIXELS} pixels, ${DEFAULT_MAX_SIDE} px: a 24 MP photo fits a 16k context)
  --image-formats LIST           formats the endpoints decode, sent as they are (default: the server kind's, else jpeg,png; also webp, gif)
  --image-file-urls              send images that need no change as file:// paths, uploading nothing (vLLM --allowed-local-media-path on a shared filesystem)`;

/** The flags' values, as parseArgs gives them. */
export interface ImageFlagValues {
  readonly 'image-max-pixels'?: string;
  readonly 'image-max-side'?: string;
  readonly 'image-formats'?: string;
  readonly 'image-file-urls'?: boolean;
}

/**
 * The fit the flags ask for; `usage` makes the error for a mistake (the caller's usage error). The flags
 * apply to the openai engine only: the local engine's models resize their own input.
 */
export function imageFitOf(flags: ImageFlagValues, engine: 'local' | 'openai', usage: (m: string) => Error): ImageFit {
  const given = (Object.keys(IMAGE_FLAGS) as (keyof ImageFlagValues)[]).filter((f) => flags[f] !== undefined);
  if (engine === 'local' && given.length) {
    throw usage(
      `--${given[0]} applies to --engine openai (what is sent to endpoints); the local engine's models resize images themselves.`,
    );
  }
  const whole = (flag: keyof ImageFlagValues, fallback: number, min: number) => {
    const value = flags[flag];
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw usage(`--${flag} must be a whole number ≥ ${min}; got "${value}".`);
    return n;
  };
  // Below 64 px a side (4,096 pixels) a VLM sees too little to caption, and the 413 retry halves from there.
  const maxPixels = whole('image-max-pixels', DEFAULT_MAX_PIXELS, 4096);
  const maxSide = whole('image-max-side', DEFAULT_MAX_SIDE, 64);
  const formats = flags['image-formats']?.split(',').map((f) => {
    const mime = mimeOf(f.trim().toLowerCase());
    if (!mime) throw usage(`--image-formats takes jpeg, png, webp and gif, comma-separated; got "${f}".`);
    return mime;
  });
  if (formats && !formats.includes('image/jpeg') && !formats.includes('image/png')) {
    throw usage('--image-formats needs jpeg or png among them: images that must be re-encoded go as one of those.');
  }
  return {
    formats: formats ?? DEFAULT_FORMATS,
    maxPixels,
    maxSide,
    ...(flags['image-file-urls'] && { fileUrls: true }),
  };
}
