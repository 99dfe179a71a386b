/**
 * Pure rules behind "never degrade quietly": which failures are the GPU's
 * (only those move work to the CPU), and how extreme image shapes are
 * letterboxed so the vision models can take them.
 */
import { describe, expect, test } from 'vitest';
import { decodeFailure } from '../../src/media/video/sample-video';
import { MAX_ASPECT, MAX_LETTERBOX_SIDE, MIN_SIDE, letterbox, letterboxSize } from '../../src/media/letterbox';
import { isGpuFault } from '../../src/models/runtime/gpu-watch';

describe('GPU faults', () => {
  test('device loss, out-of-memory and validation errors are the GPU’s; other failures are not', () => {
    expect(isGpuFault(new Error('anything at all'), true)).toBe(true);
    for (const message of [
      'GPU dispatch failed: out of memory',
      'GPUValidationError: invalid bind group',
      'Device was lost',
      'mapAsync failed',
    ]) {
      expect(isGpuFault(new Error(message), false), message).toBe(true);
    }
    for (const message of [
      "Failed to execute 'getImageData': The source height is 0.",
      'the tokenizer met an unexpected byte',
      'Could not read "x.png" as an image',
    ]) {
      expect(isGpuFault(new Error(message), false), message).toBe(false);
    }
  });
});

describe('letterbox', () => {
  test('ordinary shapes pass through; strips and specks are padded to a shape the models take', () => {
    expect(letterboxSize(640, 480)).toBeNull();
    expect(letterboxSize(800, 100)).toBeNull();
    expect(letterboxSize(10000, 10)).toEqual({ width: 10000, height: 10000 / MAX_ASPECT });
    expect(letterboxSize(10, 10000)).toEqual({ width: 10000 / MAX_ASPECT, height: 10000 });
    expect(letterboxSize(1, 1)).toEqual({ width: MIN_SIDE, height: MIN_SIDE });
  });

  test('padding is the image’s mean colour and the image sits in the middle, unchanged', () => {
    // A 16×2 strip, red on top, blue below: mean (115, 10, 115).
    const width = 16;
    const data = new Uint8Array(width * 2 * 3);
    for (let x = 0; x < width; x++) {
      data.set([230, 20, 0], x * 3);
      data.set([0, 0, 230], (width + x) * 3);
    }
    const out = letterbox({ width, height: 2, data });
    expect([out.width, out.height]).toEqual([16, 16]);
    const pixel = (x: number, y: number) => [
      ...out.data.subarray((y * out.width + x) * 3, (y * out.width + x) * 3 + 3),
    ];
    expect(pixel(0, 0)).toEqual([115, 10, 115]);
    expect(pixel(5, 7)).toEqual([230, 20, 0]);
    expect(pixel(5, 8)).toEqual([0, 0, 230]);
    expect(pixel(3, 15)).toEqual([115, 10, 115]);
    const square = { width: 32, height: 32, data: new Uint8Array(32 * 32 * 3) };
    expect(letterbox(square)).toBe(square);
  });

  test('a very long strip is scaled down before it is padded: the canvas stays small, the colours stay', () => {
    // 65535×1 (a 276-byte PNG can say this) and 1×300000: padded at full size they need 1.6 GB and 34 GB.
    for (const [width, height] of [
      [65535, 1],
      [1, 300_000],
      [40_000, 3],
    ] as const) {
      const data = new Uint8Array(width * height * 3);
      // Red along the first half of the long side, blue along the rest.
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          const first = width > height ? x < width / 2 : y < height / 2;
          data.set(first ? [230, 20, 0] : [0, 0, 230], (y * width + x) * 3);
        }
      }
      const out = letterbox({ width, height, data });
      expect(Math.max(out.width, out.height), `${width}×${height}`).toBe(MAX_LETTERBOX_SIDE);
      expect(Math.min(out.width, out.height)).toBe(MAX_LETTERBOX_SIDE / MAX_ASPECT);
      expect(out.data.length).toBe(out.width * out.height * 3);
      // Each strip is one pixel across once scaled, centred on the canvas.
      const across = Math.floor((Math.min(out.width, out.height) - 1) / 2);
      const along = (t: number) =>
        width > height
          ? (across * out.width + Math.floor(out.width * t)) * 3
          : (Math.floor(out.height * t) * out.width + across) * 3;
      expect([...out.data.subarray(along(0.1), along(0.1) + 3)]).toEqual([230, 20, 0]);
      expect([...out.data.subarray(along(0.9), along(0.9) + 3)]).toEqual([0, 0, 230]);
      // Padding: the original's mean colour, as for any letterboxed image.
      expect([...out.data.subarray(0, 3)]).toEqual([115, 10, 115]);
    }
  });
});

describe('video decode failures are said in words', () => {
  test('what WebCodecs and the demuxer raise becomes a reason a user can read, with the original kept', () => {
    const cases: [unknown, RegExp][] = [
      [
        new DOMException(
          "Failed to execute 'decode': EncodedVideoChunk was marked as type key but wasn't a key frame",
          'DataError',
        ),
        /^a frame marked as a key frame is not one, so the file is damaged \(Failed to execute/,
      ],
      [
        new DOMException('Decoding error.', 'EncodingError'),
        /^its frames could not be decoded: the file is damaged \(Decoding error\.\)$/,
      ],
      [
        new RangeError('Tried reading [752, 756) but the file is only 700 bytes'),
        /^its index points past the data in the file: it is damaged or cut short \(Tried reading/,
      ],
      [new Error('something else'), /^reading it failed \(something else\)$/],
    ];
    for (const [err, reason] of cases) expect(decodeFailure(err)).toMatch(reason);
  });
});
