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
  readonly box: Box;
}
