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

/** Characters that hug the one before them: a word gap never puts a space before these. */
const CLOSING = new Set(['.', ',', ':', ';', '!', '?', '%', ')', ']', '}']);
/** Characters that hug the one after them. */
const OPENING = new Set(['(', '[', '{', '$', '#']);
/** Joiners inside tokens (`BX-7731`, `snake_case`) when letters or digits stand on both sides. */
const JOINERS = new Set(['-', '_']);
const isAlnum = (c: string | undefined) => c !== undefined && /^[\p{L}\p{N}]$/u.test(c);
const isDigit = (c: string | undefined) => c !== undefined && /^\p{N}$/u.test(c);

/**
 * Whether a word gap seen in the image may become a space after `text`
 * (what is decoded so far) and before `after`. Never inside `::` paths,
 * numbers (`3.14`, `3,870`, a thousands group), joined tokens (`BX-7731`),
 * or between a word and its punctuation.
 */
export function spaceAllowed(text: string, after: string): boolean {
  const before = text.at(-1) ?? '';
  const prior = text.at(-2);
  if (CLOSING.has(after) || OPENING.has(before) || text.endsWith('::')) return false;
  if ((JOINERS.has(before) && isAlnum(prior) && isAlnum(after)) || (JOINERS.has(after) && isAlnum(before))) {
    return false;
  }
  if ((before === '.' || before === ',') && isDigit(prior) && isDigit(after)) return false;
  // "1,3|70": a digit group after a separator is not complete until it has three digits.
  return !(isDigit(after) && /\d[,.]\d{1,2}$/.test(text));
}

/**
 * Joins decoded characters. The Chinese PP-OCR recogniser often emits no
 * space class between Latin words, so a space goes wherever the image shows
 * a word gap between two characters, unless the characters say otherwise.
 */
function withWordSpaces(chars: readonly { char: string; step: number }[], isWordGap: GapTest): string {
  let text = chars[0]?.char ?? '';
  chars.slice(1).forEach((c, i) => {
    const before = chars[i];
    if (
      before &&
      before.char !== ' ' &&
      c.char !== ' ' &&
      spaceAllowed(text, c.char) &&
      isWordGap(before.step, c.step)
    ) {
      text += ' ';
    }
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
