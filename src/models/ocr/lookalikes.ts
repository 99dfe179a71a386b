/**
 * The recogniser's dictionary is Chinese + Latin, and some glyphs look
 * alike: it reads `0x1F` as `Ox1F`, a zero inside a number as `O`, and the
 * capital I of "API" as a lower-case l (identical in many sans fonts). These
 * are corrected only where nothing else fits: a hex literal whose digits,
 * with `O` read as `0`, hold a digit or are four or more long (so "Oxford"
 * and "OxBAD" stay); digit runs holding at least two real digits (so "O2"
 * stays); an `l` among two or more capitals and nothing else ("APl").
 */

const hexLiteral = /\b[O0]([xX])([0-9A-Fa-fOo]+)\b/g;

/** Look-alike characters corrected where the token leaves no doubt. */
export function fixLookalikes(text: string): string {
  return text
    .replace(hexLiteral, (literal, x: string, digits: string) => {
      const fixed = digits.replace(/[Oo]/g, '0');
      return /\d/.test(fixed) || fixed.length >= 4 ? `0${x}${fixed}` : literal;
    })
    .replace(/\b[0-9O]+\b/g, (run) => ((run.match(/[0-9]/g)?.length ?? 0) >= 2 ? run.replaceAll('O', '0') : run))
    .replace(/\b[A-Zl]+\b/g, (word) =>
      word.includes('l') && (word.match(/[A-Z]/g)?.length ?? 0) >= 2 ? word.replaceAll('l', 'I') : word,
    );
}
