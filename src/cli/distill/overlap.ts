/**
 * The score `distill check` gives a student's caption against its CapFlow
 * caption: unigram F1 over words. Simple on purpose (the issue asks for an
 * overlap score, not a judge): it says whether the student writes about
 * the same things in the same words, and is 1 only for the same bag of
 * words. Words are lower-cased (after NFKC, so "ﬁ" and "fi" agree) runs
 * of letters and digits, apostrophes inside a word kept ("don't");
 * punctuation and spacing never count.
 */

/** How the score is described in the command's output. */
export const OVERLAP_METHOD = 'unigram F1 of lower-cased words (letters and digits)';

const WORD = /[\p{L}\p{N}]+(?:['’][\p{L}\p{N}]+)*/gu;

/** The words of `text`, in order, lower-cased. */
export function words(text: string): string[] {
  return text.normalize('NFKC').toLowerCase().match(WORD) ?? [];
}

/**
 * Unigram F1 of `candidate` against `reference`: each word counts as
 * often as it occurs in both (clipped counts), precision over the
 * candidate's words, recall over the reference's. Two empty texts agree
 * (1); one empty text against words scores 0.
 */
export function unigramF1(candidate: string, reference: string): number {
  const cand = words(candidate);
  const ref = words(reference);
  if (cand.length === 0 || ref.length === 0) return cand.length === ref.length ? 1 : 0;
  const left = new Map<string, number>();
  for (const w of ref) left.set(w, (left.get(w) ?? 0) + 1);
  let common = 0;
  for (const w of cand) {
    const n = left.get(w) ?? 0;
    if (n > 0) {
      common += 1;
      left.set(w, n - 1);
    }
  }
  if (common === 0) return 0;
  const precision = common / cand.length;
  const recall = common / ref.length;
  return (2 * precision * recall) / (precision + recall);
}
