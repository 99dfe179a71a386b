/**
 * The CapFlow engine: route → the domain's agents → summary agent → judge
 * with best-of-N, and the single-pass MetaCaptioner mode. Pure logic over
 * injected models (generic in the image type), so it runs in Node tests on
 * real tiny models and in the worker on real ones.
 */
import type { OcrLine } from '../shared/ocr';
import { type CapflowInput, type CapflowModels, type WorkflowContext, step } from './context';
import { cleanCaption, judgePrompt, parseJudgeScores, singlePassPrompt, summaryPrompt, type Note } from './prompts';
import {
  type AgentTrace,
  type CaptionMode,
  type CaptionRecord,
  type JudgeAttempt,
  type JudgeResult,
  RECORD_VERSION,
  type AgentId,
  type DomainId,
  type CaptionStyle,
  type CapflowOptions,
} from '../shared/record';
import { route } from './router';
import { AGENTS, DOMAINS } from './spec';
import { CAPTION_STYLES, shapeCaption } from './styles';

export type { CapflowInput, CapflowModels, StepOptions, StepOutput, WorkflowContext } from './context';

/** The instruction `prompt` mode uses when the caller gives none. */
export const DEFAULT_PROMPT = 'Describe this image in detail.';

/** How a line that is not upright reads, for the note (a vertical axis label tells what the axis shows). */
function direction(angle: number): string {
  if (Math.abs(angle) < 10) return '';
  if (Math.abs(angle) > 170) return ', upside down';
  if (Math.abs(angle + 90) <= 10) return ', vertical reading upwards';
  if (Math.abs(angle - 90) <= 10) return ', vertical reading downwards';
  return `, tilted ${angle}°`;
}

/** Formats OCR lines as a note: reading order, with positions, directions and confidences. */
export function ocrNote(lines: readonly OcrLine[]): string {
  if (lines.length === 0) return 'No text found.';
  return lines
    .map(
      (l) =>
        `"${l.text}" at (${Math.round(l.box.x)}, ${Math.round(l.box.y)})${direction(l.angle)} conf ${l.confidence.toFixed(2)}`,
    )
    .join('\n');
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
  const out = await step(ctx, trace, meta, (onText) =>
    models.vlm.generate(images, agent.prompt, { maxNewTokens: agent.maxNewTokens, stopping: ctx.stopping, onText }),
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
  const style = options.mode === 'prompt' ? null : (options.style ?? 'detailed');
  const images = input.kind === 'image' ? [input.image] : input.frames;
  const video = input.kind === 'video';
  const trace: AgentTrace[] = [];
  const wantRoute =
    options.mode === 'capflow' || (options.mode === 'single-pass' && (options.route ?? models.router !== undefined));
  const domain = wantRoute || options.domain ? await route(input, models, options.domain, ctx, trace) : null;
  const maxNewTokens = options.maxNewTokens ?? CAPTION_STYLES[style ?? 'detailed'].maxNewTokens;

  let caption: string;
  let notes: Note[] = [];
  if (options.mode === 'capflow') {
    if (!domain) throw new Error('CapFlow needs a domain');
    const agents = DOMAINS[domain.id].agents;
    notes = await limited(
      agents.map((id) => () => runAgent(id, images, models, ctx, trace)),
      options.concurrency ?? 1,
    );
    caption = await summarise(domain.id, notes, language, style ?? 'detailed', '', models, maxNewTokens, ctx, trace);
  } else {
    const single = options.mode === 'single-pass';
    const prompt = single
      ? singlePassPrompt(domain?.id ?? null, language, style ?? 'detailed')
      : options.prompt?.trim() || DEFAULT_PROMPT;
    const meta = { agent: options.mode, role: single ? 'metacaptioner' : 'prompt', model: models.vlm.name, prompt };
    const out = await step(ctx, trace, meta, (onText) =>
      models.vlm.generate(images, prompt, { maxNewTokens, stopping: ctx.stopping, onText }),
    );
    caption = style ? shapeCaption(cleanCaption(out.text), style) : out.text.trim();
  }

  const judge = options.judge === undefined ? (options.mode === 'prompt' ? null : { attempts: 1 }) : options.judge;
  const judged =
    judge === null
      ? null
      : await judgeBestOf(caption, images, video, notes, domain?.id ?? null, language, style ?? 'detailed', models, {
          attempts: judge.attempts,
          maxNewTokens,
          ctx,
          trace,
        });
  return {
    version: RECORD_VERSION,
    caption: judged?.caption ?? caption,
    mode: options.mode,
    style,
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
  style: CaptionStyle,
  feedback: string,
  models: CapflowModels<I>,
  maxNewTokens: number,
  ctx: WorkflowContext,
  trace: AgentTrace[],
): Promise<string> {
  const prompt = summaryPrompt(domain, notes, language, style) + feedback;
  const meta = { agent: 'summary', role: 'summary', model: models.llm.name, prompt };
  const out = await step(ctx, trace, meta, (onText) =>
    models.llm.generateText(prompt, { maxNewTokens, stopping: ctx.stopping, onText }),
  );
  return shapeCaption(cleanCaption(out.text), style);
}

async function judgeBestOf<I>(
  first: string,
  images: readonly I[],
  video: boolean,
  notes: readonly Note[],
  domain: DomainId | null,
  language: string,
  style: CaptionStyle,
  models: CapflowModels<I>,
  run: { attempts: number; maxNewTokens: number; ctx: WorkflowContext; trace: AgentTrace[] },
): Promise<{ caption: string; judge: JudgeResult }> {
  const { ctx, trace } = run;
  const limit = Math.max(1, run.attempts);
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
    const feedback = `\nImprove: ${weak.join(', ')}.`;
    caption = await summarise(domain, notes, language, style, feedback, models, run.maxNewTokens, ctx, trace);
  }
  const best = attempts.reduce((a, b) => (b.total > a.total ? b : a));
  const topOnAll = Object.values(best.scores).every((s) => s === 3);
  return { caption: best.caption, judge: { scores: best.scores, topOnAll, attempts } };
}
