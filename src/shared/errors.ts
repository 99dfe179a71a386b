/**
 * Named errors whose messages say what the user can do. comlink rebuilds
 * thrown errors on the other side of the worker as plain `Error`s that keep
 * `name` and `message`, so callers switch on `err.name`, never `instanceof`.
 */

/** Every error name the captioner throws on purpose. */
export const ERROR_NAMES = [
  'ModelLoadError',
  'NotLoadedError',
  'ImageDecodeError',
  'WebGpuUnavailableError',
  'CancelledError',
  'WorkerCrashedError',
  'QuotaExceededError',
  'CacheError',
] as const;

/** One of {@link ERROR_NAMES}. */
export type CaptionerErrorName = (typeof ERROR_NAMES)[number];

/** Base class: sets `name` so it survives the worker boundary. */
export class CaptionerError extends Error {
  constructor(
    override readonly name: CaptionerErrorName,
    message: string,
  ) {
    super(message);
  }
}

/** A model could not be fetched or initialised. */
export class ModelLoadError extends CaptionerError {
  constructor(message: string) {
    super('ModelLoadError', message);
  }
}

/** A caption was asked for before any model was loaded. */
export class NotLoadedError extends CaptionerError {
  constructor(role: string) {
    super('NotLoadedError', `No ${role} model is loaded yet: call load() (or pick a preset) before captioning.`);
  }
}

/** An input file could not be decoded as an image. */
export class ImageDecodeError extends CaptionerError {
  constructor(what: string, reason: string) {
    super('ImageDecodeError', `Could not read "${what}" as an image (${reason}). Use a PNG, JPEG, WebP, GIF or AVIF file.`);
  }
}

/** WebGPU was requested but the browser offers no adapter. */
export class WebGpuUnavailableError extends CaptionerError {
  constructor() {
    super(
      'WebGpuUnavailableError',
      'WebGPU is not available in this browser (no adapter). Use device "wasm" or "auto", or a browser with WebGPU enabled.',
    );
  }
}

/** A job was cancelled by its caller. */
export class CancelledError extends CaptionerError {
  constructor(jobId: string) {
    super('CancelledError', `Job ${jobId} was cancelled.`);
  }
}

/** True when `err` (possibly rebuilt by comlink) carries the given name. */
export function isCaptionerError(err: unknown, name: CaptionerErrorName): err is Error {
  return err instanceof Error && err.name === name;
}
