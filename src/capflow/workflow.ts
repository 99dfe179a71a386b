/**
 * The CapFlow engine: route → the domain's agents → summary agent → judge
 * with reject sampling (judge.ts), and the single-pass MetaCaptioner mode.
 * Pure logic over injected models (generic in the image type), so it runs
 * in Node tests on real tiny models and in the worker on real ones.
 */
import type { OcrLine } from '../shared/ocr';
import {
  type CapflowInput,
  type CapflowModels,
  type TimedFrame,
  type WorkflowContext,
  batchStep,
  step,
} from './context';
import { type Regenerated, rejectSample } from './judge';
import { cleanCaption, framesLine, singlePassPrompt, summaryPrompt, type Note } from './prompts';
import {
  type AgentId,
  type AgentTrace,
  type CaptionRecord,
  type CapflowOptions,
  RECORD_VERSION,
  type Sampling,
} from '../shared/record';
import { route } from './router';
import { AGENTS, DIMENSION_ROLES, DOMAINS } from './spec';
import { CAPTION_STYLES, shapeCaption } from './styles';

export type { CapflowInput, CapflowModels, StepOptions, StepOutput, TimedFrame, WorkflowContext } from './context';

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

/** How a step runs in a further attempt of the judge: under a suffixed name (`summary-2`), sampled. */
interface Rerun {
  readonly n: number;
  readonly sampling: Sampling;
}

const stepName = (name: string, rerun?: Rerun) => (rerun ? `${name}-${rerun.n}` : name);

/** A VLM prompt about a video opens with the frame times, so the model can say when things happen. */
const aboutFrames = (prompt: string, times: readonly number[] | null) =>
  times ? `${framesLine(times)} ${prompt}` : prompt;

/** A VLM agent's step: its name (suffixed in a further attempt), role, model and prompt. */
function vlmAgentStep(
  id: AgentId,
  agent: { role: string; prompt: string },
  times: readonly number[] | null,
  model: string,
  rerun?: Rerun,
) {
  return { agent: stepName(id, rerun), role: agent.role, model, prompt: aboutFrames(agent.prompt, times) };
}

async function runAgent<I>(
  id: AgentId,
  images: readonly I[],
  times: readonly number[] | null,
  models: CapflowModels<I>,
  ctx: WorkflowContext,
  trace: AgentTrace[],
  rerun?: Rerun,
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
  const meta = vlmAgentStep(id, agent, times, models.vlm.name, rerun);
  const out = await step(ctx, trace, meta, (onText) =>
    models.vlm.generate(images, meta.prompt, {
      maxNewTokens: agent.maxNewTokens,
      stopping: ctx.stopping,
      onText,
      sampling: rerun?.sampling,
    }),
  );
  return { label: agent.label, text: out.text };
}

/** How a group of agents runs: batched (VLM agents in one generation) or at most `concurrency` at a time. */
interface AgentRun<I> {
  readonly images: readonly I[];
  readonly times: readonly number[] | null;
  readonly models: CapflowModels<I>;
  readonly ctx: WorkflowContext;
  readonly trace: AgentTrace[];
  readonly batch: boolean;
  readonly concurrency: number;
}

/** Runs `ids`' agents and returns their notes in the same order. */
async function runAgents<I>(ids: readonly AgentId[], run: AgentRun<I>, rerun?: Rerun): Promise<Note[]> {
  const { images, times, models, ctx, trace } = run;
  const one = (id: AgentId) => runAgent(id, images, times, models, ctx, trace, rerun);
  const batched = ids.filter((id) => AGENTS[id].kind === 'vlm');
  const generateBatch = models.vlm.generateBatch?.bind(models.vlm);
  if (!run.batch || !generateBatch || batched.length < 2) {
    return limited(
      ids.map((id) => () => one(id)),
      run.concurrency,
    );
  }
  const notes = new Map<AgentId, Note>();
  const from = trace.length;
  // The OCR tool is not a generation: it runs on its own, then the VLM agents together.
  for (const id of ids.filter((a) => !batched.includes(a))) notes.set(id, await one(id));
  const specs = batched.map((id) => {
    const agent = AGENTS[id];
    if (agent.kind !== 'vlm') throw new Error(`${id} is not a VLM agent`);
    return { id, agent, meta: vlmAgentStep(id, agent, times, models.vlm.name, rerun) };
  });
  const outs = await batchStep(
    ctx,
    trace,
    specs.map((s) => s.meta),
    (onText) =>
      generateBatch(
        images,
        specs.map((s) => ({ prompt: s.meta.prompt, maxNewTokens: s.agent.maxNewTokens })),
        { stopping: ctx.stopping, onText, sampling: rerun?.sampling },
      ),
  );
  specs.forEach((s, i) => notes.set(s.id, { label: s.agent.label, text: outs[i]?.text ?? '' }));
  // The trace lists the agents in the domain's order, as when they run one by one.
  const names = ids.map((id) => stepName(id, rerun));
  const ran = trace.splice(from).sort((a, b) => names.indexOf(a.agent) - names.indexOf(b.agent));
  trace.push(...ran);
  return ids.map((id) => notes.get(id) ?? { label: AGENTS[id].label, text: '' });
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

/** The frames' times, checked: a video's frames come in time order with times in seconds. */
function frameTimes<I>(frames: readonly TimedFrame<I>[]): number[] {
  if (frames.length === 0) throw new RangeError('a video needs at least one frame');
  const times = frames.map((f) => f.time);
  times.forEach((t, i) => {
    if (!Number.isFinite(t) || t < 0 || (i > 0 && t < (times[i - 1] ?? 0))) {
      throw new RangeError(`video frame ${i + 1}: its time (${t}) must be seconds from the start, in order`);
    }
  });
  return times;
}

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
  const images = input.kind === 'image' ? [input.image] : input.frames.map((f) => f.image);
  const times = input.kind === 'video' ? frameTimes(input.frames) : null;
  const trace: AgentTrace[] = [];
  const wantRoute =
    options.mode === 'capflow' || (options.mode === 'single-pass' && (options.route ?? models.router !== undefined));
  // A video always takes the video workflow (routing it costs nothing), whatever was pinned for images.
  const domain = wantRoute || options.domain || times ? await route(input, models, options.domain, ctx, trace) : null;
  const maxNewTokens = options.maxNewTokens ?? CAPTION_STYLES[style ?? 'detailed'].maxNewTokens;

  let makeCaption: (rerun?: Rerun, weak?: readonly string[]) => Promise<Regenerated>;
  if (options.mode === 'capflow') {
    if (!domain) throw new Error('CapFlow needs a domain');
    const d = domain.id;
    const agents: readonly AgentId[] = DOMAINS[d].agents;
    const agentRun: AgentRun<I> = {
      images,
      times,
      models,
      ctx,
      trace,
      batch: options.batchAgents ?? true,
      concurrency: options.concurrency ?? 1,
    };
    const notes = await runAgents(agents, agentRun);
    makeCaption = async (rerun, weak = []) => {
      // A further attempt re-runs the agents behind the weakest dimensions (sampled), then the summary.
      const roles = new Set(weak.flatMap((dim) => DIMENSION_ROLES[dim] ?? []));
      const again = rerun ? agents.filter((id) => AGENTS[id].kind === 'vlm' && roles.has(AGENTS[id].role)) : [];
      const rerunNotes = await runAgents(again, agentRun, rerun);
      again.forEach((id, i) => (notes[agents.indexOf(id)] = rerunNotes[i] ?? { label: AGENTS[id].label, text: '' }));
      const feedback = weak.length ? `\nImprove: ${weak.join(', ')}.` : '';
      const prompt = summaryPrompt(d, notes, language, style ?? 'detailed', times) + feedback;
      const meta = { agent: stepName('summary', rerun), role: 'summary', model: models.llm.name, prompt };
      const out = await step(ctx, trace, meta, (onText) =>
        models.llm.generateText(prompt, { maxNewTokens, stopping: ctx.stopping, onText, sampling: rerun?.sampling }),
      );
      return { caption: shapeCaption(cleanCaption(out.text), style ?? 'detailed'), rerun: again };
    };
  } else {
    const single = options.mode === 'single-pass';
    const prompt = aboutFrames(
      single
        ? singlePassPrompt(domain?.id ?? null, language, style ?? 'detailed')
        : options.prompt?.trim() || DEFAULT_PROMPT,
      times,
    );
    makeCaption = async (rerun) => {
      // Best-of-N in one call: a further attempt samples the same prompt.
      const name = stepName(options.mode, rerun);
      const meta = { agent: name, role: single ? 'metacaptioner' : 'prompt', model: models.vlm.name, prompt };
      const out = await step(ctx, trace, meta, (onText) =>
        models.vlm.generate(images, prompt, {
          maxNewTokens,
          stopping: ctx.stopping,
          onText,
          sampling: rerun?.sampling,
        }),
      );
      return { caption: style ? shapeCaption(cleanCaption(out.text), style) : out.text.trim(), rerun: [] };
    };
  }
  const { caption } = await makeCaption();

  const judge = options.judge === undefined ? (options.mode === 'prompt' ? null : { attempts: 1 }) : options.judge;
  const judged =
    judge === null
      ? null
      : await rejectSample(
          caption,
          images,
          times,
          models,
          judge,
          (n, weak, sampling) => makeCaption({ n, sampling }, weak),
          ctx,
          trace,
        );
  return {
    version: RECORD_VERSION,
    caption: judged?.caption ?? caption,
    mode: options.mode,
    style,
    language,
    domain,
    timestamps: times,
    trace,
    judge: judged?.judge ?? null,
    totalMs: ctx.now() - started,
    runtime: null,
  };
}
