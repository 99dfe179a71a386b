/** The overlap score of `distill check`: unigram F1 over lower-cased words, with clipped counts. */
import { describe, expect, test } from 'vitest';
import { unigramF1, words } from '../../src/cli/distill/overlap';

describe('words', () => {
  test('lower-cased runs of letters and digits; punctuation and spacing never count', () => {
    expect(words('A red Kite, over 2 fields!\n(Don’t panic.)')).toEqual([
      'a',
      'red',
      'kite',
      'over',
      '2',
      'fields',
      'don’t',
      'panic',
    ]);
    expect(words('Ｆｕｌｌ ﬁle')).toEqual(['full', 'file']);
    expect(words('Écrit à Zürich')).toEqual(['écrit', 'à', 'zürich']);
    expect(words(' ... ')).toEqual([]);
  });
});

describe('unigramF1', () => {
  test('the same words score 1 whatever the case, punctuation and order', () => {
    expect(unigramF1('A red kite.', 'a RED kite')).toBe(1);
    expect(unigramF1('kite red a', 'A red kite.')).toBe(1);
  });

  test('no common word scores 0', () => {
    expect(unigramF1('blue sea', 'A red kite.')).toBe(0);
  });

  test('precision over the candidate, recall over the reference', () => {
    // 2 common of 2 candidate words (P = 1) and of 4 reference words (R = 0.5): F1 = 2/3.
    expect(unigramF1('red kite', 'a red kite flies')).toBeCloseTo(2 / 3, 12);
    // 1 common of 4 candidate words (P = 0.25) and of 1 reference word (R = 1): F1 = 0.4.
    expect(unigramF1('rstuvwxyz and more words', 'RSTUVWXYZ.')).toBeCloseTo(0.4, 12);
  });

  test('a repeated word counts only as often as the reference has it', () => {
    // "red red red" shares one "red" with "a red kite": P = 1/3, R = 1/3.
    expect(unigramF1('red red red', 'a red kite')).toBeCloseTo(1 / 3, 12);
    expect(unigramF1('red red', 'red red kite')).toBeCloseTo(0.8, 12);
  });

  test('empty texts: two agree, one against words scores 0', () => {
    expect(unigramF1('', '...')).toBe(1);
    expect(unigramF1('', 'a red kite')).toBe(0);
    expect(unigramF1('a red kite', '')).toBe(0);
  });
});
