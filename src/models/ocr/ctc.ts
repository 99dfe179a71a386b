/** Greedy CTC decoding of the PP-OCR recognition output. */

/** Decoded text with the mean probability of its characters. */
export interface Decoded {
  readonly text: string;
  readonly confidence: number;
}

/** Decides whether the recogniser's steps `a` < `b` are separated by a word gap in the image. */
export type GapTest = (a: number, b: number) => boolean;

/**
 * Decodes `[steps, classes]` probabilities: argmax per step, repeats merged,
 * blanks (class 0) dropped. Class i > 0 is `alphabet[i - 1]`.
 */
export function ctcGreedy(
  probs: Float32Array,
  steps: number,
  classes: number,
  alphabet: readonly string[],
  isWordGap: GapTest = () => false,
): Decoded {
  const chars: { char: string; step: number }[] = [];
  let sum = 0;
  let count = 0;
  let previous = 0;
  for (let t = 0; t < steps; t++) {
    let best = 0;
    let bestP = -1;
    const row = t * classes;
    for (let c = 0; c < classes; c++) {
      const p = probs[row + c] ?? 0;
      if (p > bestP) {
        bestP = p;
        best = c;
      }
    }
    if (best !== 0 && best !== previous) {
      chars.push({ char: alphabet[best - 1] ?? '', step: t });
      sum += bestP;
      count += 1;
    }
    previous = best;
  }
  return { text: withWordSpaces(chars, isWordGap), confidence: count ? sum / count : 0 };
}

/**
 * Joins decoded characters. The Chinese PP-OCR recogniser often emits no
 * space class between Latin words, so a space goes wherever the image shows
 * a word gap between two characters.
 */
function withWordSpaces(chars: readonly { char: string; step: number }[], isWordGap: GapTest): string {
  let text = chars[0]?.char ?? '';
  chars.slice(1).forEach((c, i) => {
    const before = chars[i];
    if (before && before.char !== ' ' && c.char !== ' ' && isWordGap(before.step, c.step)) text += ' ';
    text += c.char;
  });
  // The model writes full-width forms of ASCII punctuation (，）：); NFKC maps them back.
  return text.normalize('NFKC');
}

/** PaddleOCR's dictionary file as an alphabet: one character per line, plus the space class at the end. */
export function alphabetFrom(dictionary: string): string[] {
  const lines = dictionary.split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  return [...lines, ' '];
}
