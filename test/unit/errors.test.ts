/**
 * Every error a user sees names the file it is about: each named error
 * class, raised as the code raises it while captioning a file, comes out
 * of a job (the library, and so the element and the page; the CLI's
 * failure records) with the file in its message and its name kept.
 */
import { describe, expect, test } from 'vitest';
import {
  CancelledError,
  type CaptionerErrorName,
  DeviceTooSmallError,
  ERROR_NAMES,
  ImageDecodeError,
  ImageSourceError,
  ImageTooLargeError,
  ImportError,
  ModelHostUnreachableError,
  ModelLoadError,
  NotLoadedError,
  QuotaExceededError,
  UnsupportedFileError,
  VideoDecodeError,
  VideoTooLargeError,
  WebGpuUnavailableError,
  WorkerCrashedError,
  aboutFile,
} from '../../src/shared/errors';

const FILE = 'holiday/beach 1.jpg';

/** One error of each class, as the code raises it (those about the file name it already). */
const RAISED: Readonly<Record<CaptionerErrorName, () => Error>> = {
  ModelLoadError: () => new ModelLoadError('Could not load org/model@main on wasm: fetch failed'),
  ModelHostUnreachableError: () => new ModelHostUnreachableError('https://hub.example', 'fetch failed', 'org/model'),
  NotLoadedError: () => new NotLoadedError('vlm'),
  ImageDecodeError: () => new ImageDecodeError(FILE, 'bad huffman code', 'JPEG'),
  ImageSourceError: () => new ImageSourceError(`"${FILE}" could not be read: permission denied (EACCES).`),
  UnsupportedFileError: () => new UnsupportedFileError(`"${FILE}" is a text file, not an image.`),
  ImageTooLargeError: () => new ImageTooLargeError(`"${FILE}" is 20000×20000 pixels (400 megapixels).`),
  VideoDecodeError: () => new VideoDecodeError(FILE, 'it has no frames'),
  VideoTooLargeError: () => new VideoTooLargeError(`"${FILE}" is 2 min long; the limit is 1 min.`),
  WebGpuUnavailableError: () => new WebGpuUnavailableError(),
  CancelledError: () => new CancelledError('capflow-3'),
  WorkerCrashedError: () => new WorkerCrashedError('out of memory'),
  QuotaExceededError: () => new QuotaExceededError('org/model', 300e6, 20e6),
  ImportError: () => new ImportError('the folder holds no config.json'),
  DeviceTooSmallError: () =>
    new DeviceTooSmallError('quality', ['Quality needs one 254 MB buffer; this GPU allows 134 MB']),
};

describe('every error a user sees names the file', () => {
  test('the table covers every named error class, so a new class must say how it names its file', () => {
    expect(Object.keys(RAISED).sort()).toEqual([...ERROR_NAMES].sort());
  });

  test.each(ERROR_NAMES)('%s', (name) => {
    const raised = RAISED[name]();
    const seen = aboutFile(raised, FILE) as Error;
    expect(seen.name).toBe(name);
    expect(seen.message).toContain(`"${FILE}"`);
    // Named once: an error that names its file already is left as it was.
    expect(seen.message.split(`"${FILE}"`)).toHaveLength(2);
  });

  test('errors about no particular file pass through untouched', () => {
    expect(aboutFile('a string', FILE)).toBe('a string');
  });
});
