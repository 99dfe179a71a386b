/**
 * The judge and reject sampling (the paper's quality filter): the judge
 * scores a caption 1–3 per dimension; an answer it cannot read is asked
 * again once in a stricter form, and what stays unread is unknown (never
 * counted as a low score). Further attempts are sampled (seeded), each
 * re-running the agents behind the weakest dimension before the summary;
 * the best attempt by mean known score is kept (one never read ranks as a
 * 2), the loop stops early when every dimension scores 3, and the record is
 * `accepted` only when the kept attempt reaches `minScore` on every
 * dimension (unknown does not reach it).
 */
import { judgeDimensions, judgePrompt, parseJudgeScores } from './prompts';
import { type CapflowModels, type WorkflowContext, step } from './context';
import { JUDGE_MAX_NEW_TOKENS } from './spec';
import type { AgentTrace, JudgeAttempt, JudgeOptions, JudgeResult, Sampling } from '../shared/record';

/** The paper's bar: only captions scored 3 on every dimension are kept. */
export const DEFAULT_MIN_SCORE = 3;

/** The most attempts a job makes, whatever it asks: each is a full summary (and agents) plus the judge. */
export const MAX_JUDGE_ATTEMPTS = 10;

/** Sampling of the attempts after the first (the first is greedy). */
export const DEFAULT_SAMPLING: Sampling = Object.freeze({ temperature: 0.7, topP: 0.9, seed: 0 });

type Scores = Readonly<Record<string, number | null>>;

/** What one further attempt produced: its caption and the agents it re-ran. */
export interface Regenerated {
  readonly caption: string;
  readonly rerun: readonly string[];
}

/**
 * Makes attempt `n` (≥ 2): `weak` are the dimensions the previous attempt
 * scored lowest (empty when its scores were unknown), `sampling` the seeded
 * sampling to use for every step of it.
 */
export type Regenerate = (n: number, weak: readonly string[], sampling: Sampling) => Promise<Regenerated>;

/** Mean of the known scores, or null when none is known. */
export function meanScore(scores: Scores): number | null {
  const known = Object.values(scores).filter((s): s is number => s !== null);
  return known.length ? known.reduce((a, b) => a + b, 0) / known.length : null;
}

/** The minimum score per dimension from the option (a number applies to every dimension). */
export function minScores(option: JudgeOptions['minScore'], video: boolean): Readonly<Record<string, number>> {
  const dims = judgeDimensions(video);
  const of = (d: string) =>
    typeof option === 'number' ? option : (option?.[d] ?? (option === undefined ? DEFAULT_MIN_SCORE : 1));
  return Object.fromEntries(dims.map((d) => [d, of(d)]));
}

/** The dimensions scored lowest (ties: all of them); none when nothing was read or all are top. */
export function weakest(scores: Scores): string[] {
  const known = Object.entries(scores).filter((e): e is [string, number] => e[1] !== null);
  const low = Math.min(...known.map(([, s]) => s));
  return low >= 3 ? [] : known.filter(([, s]) => s === low).map(([d]) => d);
}

/** Where an attempt the judge could not read at all ranks: the middle of the scale, no evidence either way. */
const UNKNOWN_RANK = 2;

/** Kept attempt: the highest mean known score (unknown: the middle of the scale); ties keep the earlier. */
function bestIndex(attempts: readonly JudgeAttempt[]): number {
  const rank = (a: JudgeAttempt | undefined) => a?.mean ?? UNKNOWN_RANK;
  let best = 0;
  attempts.forEach((a, i) => {
    if (rank(a) > rank(attempts[best])) best = i;
  });
  return best;
}

/** Scores one caption: asks, and asks again (stricter) for the dimensions the first answer did not score. */
async function score<I>(
  caption: string,
  n: number,
  images: readonly I[],
  times: readonly number[] | null,
  models: CapflowModels<I>,
  ctx: WorkflowContext,
  trace: AgentTrace[],
): Promise<Scores> {
  const judge = models.judge ?? models.vlm;
  const ask = async (agent: string, prompt: string) => {
    const meta = { agent, role: 'judge', model: judge.name, prompt, ...(times && { frames: times }) };
    const out = await step(ctx, trace, meta, () =>
      judge.generate(images, prompt, { maxNewTokens: JUDGE_MAX_NEW_TOKENS, stopping: ctx.stopping }),
    );
    return parseJudgeScores(out.text, times !== null);
  };
  const first = await ask(`judge-${n}`, judgePrompt(caption, times));
  const missing = Object.keys(first).filter((d) => first[d] === null);
  if (missing.length === 0) return first;
  const again = await ask(`judge-${n}-again`, judgePrompt(caption, times, missing));
  return Object.fromEntries(Object.entries(first).map(([d, s]) => [d, s ?? again[d] ?? null]));
}

/**
 * Judges `first` (of an image, or of video frames shown at `times`) and,
 * up to `options.attempts` in all (at most {@link MAX_JUDGE_ATTEMPTS}), regenerates by reject sampling.
 */
export async function rejectSample<I>(
  first: string,
  images: readonly I[],
  times: readonly number[] | null,
  models: CapflowModels<I>,
  options: JudgeOptions,
  regenerate: Regenerate,
  ctx: WorkflowContext,
  trace: AgentTrace[],
): Promise<{ caption: string; judge: JudgeResult }> {
  const asked = Math.floor(options.attempts);
  const limit = Number.isFinite(asked) ? Math.min(MAX_JUDGE_ATTEMPTS, Math.max(1, asked)) : 1;
  const base = { ...DEFAULT_SAMPLING, ...options.sampling };
  const attempts: JudgeAttempt[] = [];
  let made: Regenerated & { seed: number | null } = { caption: first, rerun: [], seed: null };
  for (let n = 1; ; n++) {
    const scores = await score(made.caption, n, images, times, models, ctx, trace);
    attempts.push({ ...made, scores, mean: meanScore(scores) });
    ctx.emit({ type: 'judge', jobId: ctx.jobId, attempt: n, scores });
    const topOnAll = Object.values(scores).every((s) => s === 3);
    if (topOnAll || n === limit) break;
    const sampling = { ...base, seed: base.seed + n };
    made = { ...(await regenerate(n + 1, weakest(scores), sampling)), seed: sampling.seed };
  }
  const kept = bestIndex(attempts);
  const best = attempts[kept] ?? attempts[0];
  if (!best) throw new Error('the judge ran no attempt');
  const minScore = minScores(options.minScore, times !== null);
  // A bar of 1 is no bar; any higher one an unknown score does not reach.
  const accepted = Object.entries(minScore).every(([d, min]) => min <= 1 || (best.scores[d] ?? 0) >= min);
  return {
    caption: best.caption,
    judge: {
      scores: best.scores,
      topOnAll: Object.values(best.scores).every((s) => s === 3),
      attempts,
      kept: kept + 1,
      minScore,
      accepted,
    },
  };
}
