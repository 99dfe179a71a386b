/** The choice of video frames: even spread, probe grid, and a frame for every scene the spread missed. */
import { describe, expect, test } from 'vitest';
import { type Probe, frameTimes, probeTimes, uniformTimes } from '../../src/media/video/frame-times';
import { colourHistogram, histogramDistance } from '../../src/media/video/histogram';

/** Probes every 0.1 s over `duration`, with a cut (change 1) at each time in `cuts`. */
function probes(duration: number, cuts: readonly number[]): Probe[] {
  return probeTimes(duration, 0.1, 1000).map((time) => ({ time, change: cuts.includes(time) ? 1 : 0.01 }));
}

describe('frame times', () => {
  test('K frames at the middles of K equal slices', () => {
    expect(uniformTimes(6, 8)).toEqual([0.375, 1.125, 1.875, 2.625, 3.375, 4.125, 4.875, 5.625]);
    expect(uniformTimes(1, 1)).toEqual([0.5]);
  });
  test('probes every step, stretched on long videos to the cap', () => {
    expect(probeTimes(0.5, 0.1, 240)).toEqual([0, 0.1, 0.2, 0.3, 0.4]);
    const long = probeTimes(3600, 0.1, 240);
    expect(long).toHaveLength(240);
    expect(long[1]).toBe(15);
  });
  test('three 2 s scenes, each already sampled: no extra frame', () => {
    expect(frameTimes(6, 8, probes(6, [2, 4]), 0.3, 8).map((f) => f.reason)).toEqual(Array(8).fill('uniform'));
  });
  test('a 0.3 s flash between two samples gets a frame in its middle; weak changes are not cuts', () => {
    const times = frameTimes(6, 8, probes(6, [2.1, 2.4]), 0.3, 8);
    expect(times.filter((f) => f.reason === 'scene')).toEqual([{ time: 2.2, reason: 'scene' }]);
    expect(times.map((f) => f.time)).toEqual([...times.map((f) => f.time)].sort((a, b) => a - b));
    expect(frameTimes(6, 8, probes(6, [2.1, 2.4]), 1, 8).every((f) => f.reason === 'uniform')).toBe(true);
  });
  test('extra frames are capped, strongest cuts first', () => {
    const flickers: Probe[] = probeTimes(6, 0.1, 1000).map((time) => ({
      time,
      change: [2.1, 3.1].includes(time) ? 0.9 : [2.2, 3.2].includes(time) ? 0.6 : 0.01,
    }));
    expect(frameTimes(6, 8, flickers, 0.3, 1).filter((f) => f.reason === 'scene')).toEqual([
      { time: 2.1, reason: 'scene' },
    ]);
  });
});

describe('colour histograms', () => {
  const solid = (r: number, g: number, b: number) =>
    new Uint8ClampedArray(16 * 4).map((_, i) => [r, g, b, 255][i % 4] ?? 0);
  test('the same colours are 0 apart, disjoint colours 1, a half change 0.5', () => {
    const red = colourHistogram(solid(230, 20, 30));
    expect(histogramDistance(red, colourHistogram(solid(235, 25, 20)))).toBe(0);
    expect(histogramDistance(red, colourHistogram(solid(255, 255, 255)))).toBeCloseTo(1);
    const half = solid(230, 20, 30);
    half.set(solid(255, 255, 255).subarray(0, 32));
    expect(histogramDistance(red, colourHistogram(half))).toBeCloseTo(0.5);
  });
});
