/**
 * Seeded sampling for transformers.js generation. transformers.js 4.3
 * samples with its one global Mersenne Twister and implements temperature
 * but not top-p (its TopPLogitsWarper is a TODO in `_get_logits_processor`),
 * so two jobs sampling at once would disturb each other's draws. This
 * processor draws the next token itself, from its own generator seeded per
 * call, and leaves only that token possible; generation then runs greedy
 * and picks it. Same seed, same prompt, same model: same text. Each row
 * of a batch draws from its own generator with the same seed, so a prompt
 * sampled in a batch gets the text it gets alone.
 */
import { LogitsProcessor, type Tensor, random } from '@huggingface/transformers';
import type { Sampling } from '../shared/record';

/** Draws one token per row from softmax(logits / temperature), cut to the top-p nucleus. */
export class SeededSampler extends LogitsProcessor {
  private readonly rngs: InstanceType<typeof random.Random>[] = [];

  constructor(private readonly sampling: Sampling) {
    super();
    if (!(sampling.temperature > 0)) throw new RangeError(`temperature must be above 0, got ${sampling.temperature}`);
    if (!(sampling.topP > 0 && sampling.topP <= 1))
      throw new RangeError(`top-p must be in (0, 1], got ${sampling.topP}`);
  }

  override _call(_inputIds: bigint[][], logits: Tensor): Tensor {
    const [rows = 1, vocab = 0] = logits.dims.length === 2 ? logits.dims : [1, logits.dims.at(-1) ?? 0];
    const data = logits.data as Float32Array;
    for (let r = 0; r < rows; r++) {
      const row = data.subarray(r * vocab, (r + 1) * vocab);
      const rng = (this.rngs[r] ??= new random.Random(this.sampling.seed));
      const chosen = this.draw(row, rng);
      for (let i = 0; i < vocab; i++) if (i !== chosen) row[i] = -Infinity;
    }
    return logits;
  }

  /** The index drawn from one row of logits. */
  private draw(row: Float32Array, rng: InstanceType<typeof random.Random>): number {
    let max = -Infinity;
    for (const x of row) if (x > max) max = x;
    // Only tokens within e^-20 of the best can matter (the rest of a 150k vocabulary holds < 0.0004 of
    // the mass, and top-p cuts the tail anyway), so only those are sorted: sorting all of it costs ms per token.
    const floor = max - 20 * this.sampling.temperature;
    const candidates: number[] = [];
    row.forEach((x, i) => x >= floor && candidates.push(i));
    candidates.sort((a, b) => (row[b] ?? 0) - (row[a] ?? 0) || a - b);
    const weights = candidates.map((i) => Math.exp(((row[i] ?? -Infinity) - max) / this.sampling.temperature));
    const sum = weights.reduce((s, w) => s + w, 0);
    // The nucleus: the most likely tokens whose probabilities first reach top-p (at least one).
    let kept = 0;
    for (let mass = 0; kept < candidates.length && (kept === 0 || mass < this.sampling.topP * sum); kept++) {
      mass += weights[kept] ?? 0;
    }
    const nucleus = weights.slice(0, kept).reduce((s, w) => s + w, 0);
    let target = rng.random() * nucleus;
    for (let k = 0; k < kept; k++) {
      target -= weights[k] ?? 0;
      if (target < 0) return candidates[k] ?? 0;
    }
    return candidates[kept - 1] ?? 0;
  }
}
