/** OCR results as both sides of the worker see them. */

/** An axis-aligned box in image pixels. */
export interface Box {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** One recognised line of text, in reading order. */
export interface OcrLine {
  readonly text: string;
  /** Mean character probability, 0–1. */
  readonly confidence: number;
  /** The upright box around the text. */
  readonly box: Box;
  /**
   * Its reading direction, whole degrees clockwise from left-to-right, in
   * (−180, 180]: 0 upright, −90 a vertical label reading upwards, 90 one
   * reading downwards, 180 upside down.
   */
  readonly angle: number;
}
