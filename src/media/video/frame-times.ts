/**
 * Which moments of a video the VLM sees: K times spread evenly, plus one
 * frame inside every scene the even spread missed (a short event between
 * two samples), found from colour-histogram cuts between cheap probe frames.
 * Pure arithmetic, so the choice is testable without a video.
 */

/** A frame to sample and why. */
export interface FrameTime {
  /** Seconds from the start. */
  readonly time: number;
  readonly reason: 'uniform' | 'scene';
}

/** A probe frame's time and its histogram distance from the probe before it (0 for the first). */
export interface Probe {
  readonly time: number;
  readonly change: number;
}

/** `count` times at the middles of `count` equal slices of the video. */
export function uniformTimes(duration: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => round(((i + 0.5) * duration) / count));
}

/**
 * Probe times for scene detection: one every `step` seconds from the start,
 * stretched to at most `max` probes on long videos (events shorter than the
 * stretched step may then be missed; the uniform frames still cover them
 * on average).
 */
export function probeTimes(duration: number, step: number, max: number): number[] {
  const spacing = Math.max(step, duration / max);
  const count = Math.max(1, Math.ceil(duration / spacing));
  return Array.from({ length: count }, (_, i) => round(i * spacing));
}

/**
 * The frame times: the uniform ones, plus the middle of every scene (a run
 * of probes between cuts) that no uniform time falls in, the scenes opened
 * by the strongest cuts first, at most `maxExtra` of them.
 */
export function frameTimes(
  duration: number,
  count: number,
  probes: readonly Probe[],
  threshold: number,
  maxExtra: number,
): FrameTime[] {
  const uniform = uniformTimes(duration, count);
  const scenes: { first: number; last: number; cut: number }[] = [];
  for (const probe of probes) {
    const scene = scenes.at(-1);
    if (!scene || probe.change > threshold) scenes.push({ first: probe.time, last: probe.time, cut: probe.change });
    else scene.last = probe.time;
  }
  const missed = scenes.filter((s) => !uniform.some((t) => t >= s.first && t <= s.last));
  const extra = missed
    .sort((a, b) => b.cut - a.cut)
    .slice(0, maxExtra)
    .map((s) => round((s.first + s.last) / 2));
  return [
    ...uniform.map((time) => ({ time, reason: 'uniform' as const })),
    ...extra.map((time) => ({ time, reason: 'scene' as const })),
  ].sort((a, b) => a.time - b.time);
}

/** Times to the millisecond: what the prompts and the record show. */
function round(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}
