/**
 * How a video becomes frames, as data the page, the element, the library
 * and the worker share (the sampler itself is src/media/video/).
 */
/** How a video is sampled; every field has a default the user may change. */
export interface VideoSampling {
  /** Frames spread evenly over the video. */
  readonly frames: number;
  /** Also take a frame inside every scene the even spread misses. */
  readonly sceneDetection: boolean;
  /** Longest side of a frame handed to the VLM, in pixels. */
  readonly side: number;
  /** Longest video accepted, in seconds. */
  readonly maxSeconds: number;
  /** Largest frame accepted, in pixels (width × height). */
  readonly maxPixels: number;
}

export const DEFAULT_VIDEO_SAMPLING: VideoSampling = Object.freeze({
  frames: 8,
  sceneDetection: true,
  side: 768,
  maxSeconds: 600,
  maxPixels: 3840 * 2160,
});

/** The limits a caller may set, so a typo gets a specific error rather than a silent default. */
const BOUNDS = Object.freeze({
  frames: [1, 32],
  side: [16, 2048],
  maxSeconds: [0.1, 4 * 3600],
  maxPixels: [1, 8192 * 8192],
} as const);

/** The defaults with a caller's changes, each checked against its bounds. */
export function videoSampling(changes: Partial<VideoSampling> = {}): VideoSampling {
  const merged = { ...DEFAULT_VIDEO_SAMPLING, ...changes };
  for (const [key, [min, max]] of Object.entries(BOUNDS) as [keyof typeof BOUNDS, readonly [number, number]][]) {
    const value = merged[key];
    if (!Number.isFinite(value) || value < min || value > max || (key !== 'maxSeconds' && !Number.isInteger(value))) {
      throw new RangeError(
        `The video setting ${key} must be ${min}–${max}${key === 'maxSeconds' ? '' : ', a whole number'}; got ${value}.`,
      );
    }
  }
  return Object.freeze(merged);
}
