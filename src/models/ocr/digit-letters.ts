/**
 * The recogniser's dictionary is Chinese + Latin, so it reads `0x1F` as
 * `Ox1F` and a zero between digits as an `O`. This corrects `O` to `0`
 * only where nothing else fits: a hex prefix followed by hex digits (with
 * at least one digit, or four or more capitals, so "Oxford" stays), and
 * inside runs of digits that hold at least two real digits (so "O2" stays).
 */

/** `O` read for `0` in hex literals and digit runs, corrected. */
export function fixDigitLetters(text: string): string {
  return text
    .replace(/\bO(?=[xX](?:[0-9A-Fa-f]*[0-9][0-9A-Fa-f]*|[0-9A-F]{4,})\b)/g, '0')
    .replace(/\b[0-9O]+\b/g, (run) => ((run.match(/[0-9]/g)?.length ?? 0) >= 2 ? run.replaceAll('O', '0') : run));
}
