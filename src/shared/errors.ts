/**
 * Named errors whose messages say what the user can do. comlink rebuilds
 * thrown errors on the other side of the worker as plain `Error`s that keep
 * `name` and `message`, so callers switch on `err.name`, never `instanceof`.
 */

/** Every error name the captioner throws on purpose. */
export const ERROR_NAMES = [
  'ModelLoadError',
  'ModelHostUnreachableError',
  'NotLoadedError',
  'ImageDecodeError',
  'ImageSourceError',
  'UnsupportedFileError',
  'ImageTooLargeError',
  'VideoDecodeError',
  'VideoTooLargeError',
  'WebGpuUnavailableError',
  'CancelledError',
  'WorkerCrashedError',
  'QuotaExceededError',
  'ImportError',
  'DeviceTooSmallError',
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

/**
 * The model host could not be reached (offline, blocked, or the server is
 * down). The message says only what happened: the ways out differ by
 * surface, so each adds its own (the page offers a mirror, an imported
 * folder or a cached preset; the element tells its site's author about
 * `model-host`; a library caller picks its own `source`), and none is
 * promised where it does not exist.
 */
export class ModelHostUnreachableError extends CaptionerError {
  constructor(
    readonly host: string,
    readonly reason: string,
    model?: string,
  ) {
    super(
      'ModelHostUnreachableError',
      `Could not reach the model host ${host}${model ? ` to download ${model}` : ''} (${reason}). ` +
        'The device may be offline, or the host blocked or down.',
    );
  }
}

/** A caption was asked for before any model was loaded. */
export class NotLoadedError extends CaptionerError {
  constructor(role: string) {
    super('NotLoadedError', `No ${role} model is loaded yet: call load() (or pick a preset) before captioning.`);
  }
}

/** An input file could not be decoded as an image; `format` names what its header said it was. */
export class ImageDecodeError extends CaptionerError {
  constructor(what: string, reason: string, format?: string) {
    super(
      'ImageDecodeError',
      format
        ? `Could not decode "${what}" as a ${format} (${reason}); the file may be damaged.`
        : `Could not read "${what}" as an image (${reason}).`,
    );
  }
}

/** A file that is not an image this app can decode (empty, truncated, text, SVG, an unsupported format). */
export class UnsupportedFileError extends CaptionerError {
  constructor(message: string) {
    super('UnsupportedFileError', message);
  }
}

/** An image over the byte or pixel limit, refused before it is decoded. */
export class ImageTooLargeError extends CaptionerError {
  constructor(message: string) {
    super('ImageTooLargeError', message);
  }
}

/**
 * A video this browser cannot turn into frames: a damaged or unknown
 * container, no video track (an audio-only file), or a codec it cannot
 * decode (named).
 */
export class VideoDecodeError extends CaptionerError {
  constructor(what: string, reason: string) {
    super('VideoDecodeError', `Could not read "${what}" as a video: ${reason}.`);
  }
}

/** A video longer or larger than the limit the user set, refused before any frame is decoded. */
export class VideoTooLargeError extends CaptionerError {
  constructor(message: string) {
    super('VideoTooLargeError', message);
  }
}

/** The image an element or page was pointed at could not be fetched (missing, HTTP error, CORS). */
export class ImageSourceError extends CaptionerError {
  constructor(message: string) {
    super('ImageSourceError', message);
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

/** A readable reason from anything thrown. */
export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * `err` with the file it was raised for named in its message, when the message does not name it already
 * (a worker that crashed mid-job, a model that failed to load, a cancel): in a batch, every error a user
 * sees must say which file it is about. The name, and so `switch (err.name)`, is kept.
 */
export function aboutFile(err: unknown, file: string): unknown {
  if (err instanceof Error && !err.message.includes(`"${file}"`)) err.message = `"${file}": ${err.message}`;
  return err;
}

/** True when `err` (possibly rebuilt by comlink) carries the given name. */
export function isCaptionerError(err: unknown, name: CaptionerErrorName): err is Error {
  return err instanceof Error && err.name === name;
}

/** Not enough browser storage for a download; says how much is needed and how much is free. */
export class QuotaExceededError extends CaptionerError {
  /** `available` is null when the browser refused a write its own estimate said would fit. */
  constructor(what: string, needed: number, available: number | null) {
    super(
      'QuotaExceededError',
      `Not enough browser storage for ${what}: needs about ${megabytes(needed)}, ` +
        `${available === null ? 'and the browser’s storage is full' : `only ${megabytes(available)} available`}. ` +
        'Delete cached models or free disk space, then try again.',
    );
  }
}

/** The worker died (crash, out of memory, or terminated); the next call starts a new one. */
export class WorkerCrashedError extends CaptionerError {
  constructor(detail: string) {
    super('WorkerCrashedError', `The captioning worker stopped (${detail}). It restarts on the next request.`);
  }
}

/** A folder picked for import does not hold a usable model. */
export class ImportError extends CaptionerError {
  constructor(message: string) {
    super('ImportError', message);
  }
}

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(bytes < 1e7 ? 2 : 0)} MB (${bytes} bytes)`;
}

/**
 * A tier cannot run on this device (a buffer over the GPU's limit, a load
 * peak over its memory or the WASM ceiling, a download over the free
 * storage), found before anything is fetched. `reasons` are the plain
 * sentences of src/shared/device-fit.ts; a caller may load anyway by
 * passing its explicit opt-in (`allowTooSmall`).
 */
export class DeviceTooSmallError extends CaptionerError {
  constructor(
    readonly tier: string,
    readonly reasons: readonly string[],
  ) {
    super('DeviceTooSmallError', `${reasons.join('; ')}. A smaller tier (or automatic) fits this device better.`);
  }
}
