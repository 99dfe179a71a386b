/**
 * The bench's honesty rules: a verdict only where the rounds earn it, and
 * BENCHMARKS.md generated from the reference run (never edited by hand).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { type BenchResults, renderBenchmarks } from '../../bench/doc';
import { ratioRow, roundsRow, valueRow } from '../../bench/rows';

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

describe('a verdict is printed only where the rounds earn it', () => {
  const rounds = (label: string, values: number[]) => ({ label, values });

  test('every pairing of rounds meets the bound: met; none does: missed', () => {
    expect(roundsRow('1 x', 'ms', rounds('a', [10, 11, 12]), rounds('b', [20, 21, 22]), 1.0).met).toBe(true);
    expect(roundsRow('1 x', 'ms', rounds('a', [30, 31, 32]), rounds('b', [20, 21, 22]), 1.0).met).toBe(false);
    // At least: the least favourable pairing (a's lowest ÷ b's highest) must still reach it.
    expect(roundsRow('1 x', '/s', rounds('a', [40, 41, 42]), rounds('b', [9, 10, 10]), 4, true).met).toBe(true);
  });

  test('rounds that overlap the bound, or too few rounds, give no verdict and say why', () => {
    const overlap = roundsRow('2 x', 'ms', rounds('a', [9, 10, 25]), rounds('b', [10, 11, 12]), 1.0);
    expect(overlap.met).toBeNull();
    expect(overlap.noVerdict).toMatch(/^rounds span ×0\.750–×2\.500$/);
    expect(overlap.ratio).toBeCloseTo(10 / 11);
    const one = roundsRow('2 x', 'ms', rounds('a', [1]), rounds('b', [100]), 1.0);
    expect(one.met).toBeNull();
    expect(one.noVerdict).toBe('fewer than 3 rounds');
  });

  test('a row without a target keeps its rounds and never has a verdict', () => {
    const row = roundsRow('3 x', 'ms', rounds('a', [1, 2, 3]), rounds('b', [4, 5, 6]), null);
    expect(row).toMatchObject({ met: null, target: '', rounds: { a: [1, 2, 3], b: [4, 5, 6] } });
  });
});

describe('BENCHMARKS.md', () => {
  const reference = JSON.parse(read('bench/reference-results.json')) as BenchResults;

  test('is exactly what bench/BENCHMARKS.template.md and the reference run give (npm run bench:doc)', () => {
    expect(reference.quick, 'the reference is a full run').toBe(false);
    expect(read('BENCHMARKS.md')).toBe(renderBenchmarks(read('bench/BENCHMARKS.template.md'), reference));
  });

  const results: BenchResults = {
    date: '2026-12-07T08:00:00.000Z',
    quick: false,
    gpu: false,
    machine: { cpu: 'Test CPU', cores: 2, memoryGb: 8, node: 'v20' },
    rows: [
      ratioRow('4 OCR', 'CER %, fresh, Node', { label: 'ours', value: 0.5 }, { label: 'peer', value: 10 }, 1.0),
      ratioRow('4 OCR', 'CER %, fresh, Chromium', { label: 'ours', value: 0.6 }, { label: 'peer', value: 10 }, 1.0),
      valueRow('9 CLI', 'images/s', { label: 'at 8', value: 61.25 }),
    ],
  };

  test('numbers in the prose come from the one row their text names', () => {
    const text = renderBenchmarks(
      '{{run}}: CER {{a: fresh, Node}}% ({{ratio: fresh, Node}}, {{verdict: fresh, Node}}).',
      results,
    );
    expect(text).toBe('`npm run bench` on 2026-12-07: Test CPU, 2 cores, 8 GB, Node v20: CER 0.500% (×0.050, met).');
    expect(renderBenchmarks('{{table 9}}', results)).toContain('| 9 CLI  | images/s | at 8: 61.3 |');
  });

  test('" … " in a placeholder stands for any text between its parts, in order', () => {
    expect(renderBenchmarks('{{a: CER % … Chromium}}', results)).toBe('0.600');
    expect(() => renderBenchmarks('{{a: Chromium … CER %}}', results)).toThrow(/matches 0 rows/);
  });

  test('a placeholder that names no row, several rows or a missing field is an error, not a stale number', () => {
    expect(() => renderBenchmarks('{{a: CER %, fresh}}', results)).toThrow(/matches 2 rows/);
    expect(() => renderBenchmarks('{{a: renamed measure}}', results)).toThrow(/matches 0 rows/);
    expect(() => renderBenchmarks('{{ratio: images/s}}', results)).toThrow(/has no ratio/);
    expect(() => renderBenchmarks('{{table 5}}', results)).toThrow(/no figure 5/);
    expect(() => renderBenchmarks('{{median: x}}', results)).toThrow(/unknown placeholder/);
  });
});
