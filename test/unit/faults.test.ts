/**
 * Pure rules behind "never degrade quietly": which failures are the GPU's
 * (only those move work to the CPU), and how extreme image shapes are
 * letterboxed so the vision models can take them.
 */
import { describe, expect, test } from 'vitest';
import { MAX_ASPECT, MIN_SIDE, letterbox, letterboxSize } from '../../src/media/letterbox';
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
});
