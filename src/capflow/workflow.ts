/**
 * The CapFlow engine: route → the domain's agents → summary agent → judge
 * with best-of-N, and the single-pass MetaCaptioner mode. Pure logic over
 * injected models (generic in the image type), so it runs in Node tests on
 * real tiny models and in the worker on real ones.
 */
import type { EventSink } from '../shared/events';
import type { OcrLine } from '../shared/ocr';
import { cleanCaption, judgePrompt, parseJudgeScores, singlePassPrompt, summaryPrompt, type Note } from './prompts';
import { type AgentTrace, type CaptionRecord, type JudgeAttempt, type JudgeResult, RECORD_VERSION } from './record';
import { route } from './router';
import { AGENTS, type AgentId, DOMAINS, type DomainId } from './spec';

/** One model call's knobs. */
export interface StepOptions {
  readonly maxNewTokens: number;
  /** Passed through to generation (transformers.js stopping criteria), so cancel stops mid-step. */
  readonly stopping?: unknown;
}

/** What a generation returns. */
export interface StepOutput {
  readonly text: string;
  readonly tokens: number;
}

/** The models CapFlow uses; `I` is the image type (RawImage in the app). */
export interface CapflowModels<I> {
  readonly vlm: {
    readonly name: string;
    generate(images: readonly I[], prompt: string, options: StepOptions): Promise<StepOutput>;
  };
  readonly llm: { readonly name: string; generateText(prompt: string, options: StepOptions): Promise<StepOutput> };
  readonly router?: {
    readonly name: string;
    embedTexts(texts: readonly string[]): Promise<number[][]>;
    embedImage(image: I): Promise<number[]>;
  };
  readonly ocr?: { readonly name: string; read(image: I): Promise<readonly OcrLine[]> };
}

/** An image, or the sampled frames of a video in time order. */
export type CapflowInput<I> =
  { readonly kind: 'image'; readonly image: I } | { readonly kind: 'video'; readonly frames: readonly I[] };

/** How to caption. */
export interface CapflowOptions {
  readonly mode: 'capflow' | 'single-pass';
  /** Skips routing when set. */
  readonly domain?: DomainId;
  /** Single-pass only: route first to make the prompt domain-aware (default true when a router exists). */
  readonly route?: boolean;
  readonly language?: string;
  /** Judge the caption and regenerate up to `attempts - 1` times; null: no judge. Default: judge once. */
  readonly judge?: { readonly attempts: number } | null;
  /** Agents running at once (the worker's single inference queue makes 1 the right default). */
  readonly concurrency?: number;
  readonly summaryMaxTokens?: number;
}

/** Cancellation and progress hooks of the job running the workflow. */
export interface WorkflowContext {
  readonly jobId: string;
  /** Throws when the job was cancelled; called between steps. */
  check(): void;
  readonly stopping?: unknown;
  readonly emit: EventSink;
  readonly now: () => number;
}

/** Formats OCR lines as a note: reading order, with positions and confidences. */
export function ocrNote(lines: readonly OcrLine[]): string {
  if (lines.length === 0) return 'No text found.';
  return lines
    .map((l) => `"${l.text}" at (${Math.round(l.box.x)}, ${Math.round(l.box.y)}) conf ${l.confidence.toFixed(2)}`)
    .join('\n');
}

async function step<T extends StepOutput>(
  ctx: WorkflowContext,
  trace: AgentTrace[],
  meta: { agent: string; role: string; model: string; prompt: string },
  run: () => Promise<T>,
): Promise<T> {
  ctx.check();
  ctx.emit({ type: 'agent-start', jobId: ctx.jobId, agent: meta.agent });
  const started = ctx.now();
  const out = await run();
  const ms = ctx.now() - started;
  ctx.check();
  trace.push({ ...meta, output: out.text, tokens: out.tokens, ms });
  ctx.emit({ type: 'agent-done', jobId: ctx.jobId, agent: meta.agent, output: out.text, ms });
  return out;
}

async function runAgent<I>(
  id: AgentId,
  images: readonly I[],
  models: CapflowModels<I>,
  ctx: WorkflowContext,
  trace: AgentTrace[],
): Promise<Note> {
  const agent = AGENTS[id];
  if (agent.kind === 'ocr') {
    const ocr = models.ocr;
    const first = images[0];
    const meta = { agent: id, role: agent.role, model: ocr?.name ?? 'none', prompt: '(OCR tool)' };
    const out = await step(ctx, trace, meta, async () => {
      if (!ocr || first === undefined) return { text: 'OCR unavailable.', tokens: 0 };
      const lines = await ocr.read(first);
      return { text: ocrNote(lines), tokens: 0 };
    });
    return { label: agent.label, text: out.text };
  }
  const meta = { agent: id, role: agent.role, model: models.vlm.name, prompt: agent.prompt };
  const out = await step(ctx, trace, meta, () =>
    models.vlm.generate(images, agent.prompt, { maxNewTokens: agent.maxNewTokens, stopping: ctx.stopping }),
  );
  return { label: agent.label, text: out.text };
}

/** Runs `tasks` at most `limit` at a time, keeping their order in the result. */
async function limited<T>(tasks: readonly (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: T[] = new Array<T>(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const index = next++;
      const task = tasks[index];
      if (task) results[index] = await task();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, tasks.length)) }, worker));
  return results;
}

const total = (scores: Readonly<Record<string, number | null>>) =>
  Object.values(scores).reduce<number>((sum, s) => sum + (s ?? 0), 0);

/** Captions one input. */
export async function runCapflow<I>(
  input: CapflowInput<I>,
  models: CapflowModels<I>,
  options: CapflowOptions,
  ctx: WorkflowContext,
): Promise<CaptionRecord> {
  const started = ctx.now();
  const language = options.language ?? 'English';
  const images = input.kind === 'image' ? [input.image] : input.frames;
  const video = input.kind === 'video';
  const trace: AgentTrace[] = [];
  const wantRoute = options.mode === 'capflow' || (options.route ?? models.router !== undefined);
  const domain = wantRoute || options.domain ? await route(input, models, options.domain, ctx, trace) : null;

  let caption: string;
  let notes: Note[] = [];
  if (options.mode === 'single-pass') {
    const prompt = singlePassPrompt(domain?.id ?? null, language);
    const meta = { agent: 'single-pass', role: 'metacaptioner', model: models.vlm.name, prompt };
    const out = await step(ctx, trace, meta, () =>
      models.vlm.generate(images, prompt, { maxNewTokens: options.summaryMaxTokens ?? 384, stopping: ctx.stopping }),
    );
    caption = cleanCaption(out.text);
  } else {
    if (!domain) throw new Error('CapFlow needs a domain');
    const agents = DOMAINS[domain.id].agents;
    notes = await limited(
      agents.map((id) => () => runAgent(id, images, models, ctx, trace)),
      options.concurrency ?? 1,
    );
    caption = await summarise(domain.id, notes, language, '', models, options, ctx, trace);
  }

  const judged =
    options.judge === null
      ? null
      : await judgeBestOf(caption, images, video, notes, domain?.id ?? null, language, models, options, ctx, trace);
  return {
    version: RECORD_VERSION,
    caption: judged?.caption ?? caption,
    mode: options.mode,
    language,
    domain,
    trace,
    judge: judged?.judge ?? null,
    totalMs: ctx.now() - started,
    runtime: null,
  };
}

async function summarise<I>(
  domain: DomainId,
  notes: readonly Note[],
  language: string,
  feedback: string,
  models: CapflowModels<I>,
  options: CapflowOptions,
  ctx: WorkflowContext,
  trace: AgentTrace[],
): Promise<string> {
  const prompt = summaryPrompt(domain, notes, language) + feedback;
  const meta = { agent: 'summary', role: 'summary', model: models.llm.name, prompt };
  const out = await step(ctx, trace, meta, () =>
    models.llm.generateText(prompt, { maxNewTokens: options.summaryMaxTokens ?? 384, stopping: ctx.stopping }),
  );
  return cleanCaption(out.text);
}

async function judgeBestOf<I>(
  first: string,
  images: readonly I[],
  video: boolean,
  notes: readonly Note[],
  domain: DomainId | null,
  language: string,
  models: CapflowModels<I>,
  options: CapflowOptions,
  ctx: WorkflowContext,
  trace: AgentTrace[],
): Promise<{ caption: string; judge: JudgeResult }> {
  const limit = Math.max(1, options.judge?.attempts ?? 1);
  const attempts: JudgeAttempt[] = [];
  let caption = first;
  for (let n = 1; n <= limit; n++) {
    const prompt = judgePrompt(caption, video);
    const meta = { agent: `judge-${n}`, role: 'judge', model: models.vlm.name, prompt };
    const out = await step(ctx, trace, meta, () =>
      models.vlm.generate(images, prompt, { maxNewTokens: 64, stopping: ctx.stopping }),
    );
    const scores = parseJudgeScores(out.text, video);
    attempts.push({ caption, scores, total: total(scores) });
    ctx.emit({ type: 'judge', jobId: ctx.jobId, attempt: n, scores });
    const weak = Object.entries(scores)
      .filter(([, s]) => s !== 3)
      .map(([d]) => d);
    if (weak.length === 0 || n === limit || !domain || notes.length === 0) break;
    // Regenerate (reject sampling): tell the summary agent what the judge found lacking.
    caption = await summarise(domain, notes, language, `\nImprove: ${weak.join(', ')}.`, models, options, ctx, trace);
  }
  const best = attempts.reduce((a, b) => (b.total > a.total ? b : a));
  const topOnAll = Object.values(best.scores).every((s) => s === 3);
  return { caption: best.caption, judge: { scores: best.scores, topOnAll, attempts } };
}
