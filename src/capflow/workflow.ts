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
import { cleanCaption, formatTime, framesLine, singlePassPrompt, summaryPrompt, type Note } from './prompts';
import {
  type AgentId,
  type AgentTrace,
  type CaptionRecord,
  type CapflowOptions,
  RECORD_VERSION,
  type Sampling,
} from '../shared/record';
import { route } from './router';
import { AGENTS, type AgentSpec, DIMENSION_ROLES, DOMAINS } from './spec';
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
    .map((l) =>
      // A line read by a model that gives no position or confidence (the CLI's `--ocr vlm`) is just its text.
      Number.isNaN(l.confidence)
        ? `"${l.text}"`
        : `"${l.text}" at (${Math.round(l.box.x)}, ${Math.round(l.box.y)})${direction(l.angle)} conf ${l.confidence.toFixed(2)}`,
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

/** Images with their times (null for a still image): what one step sees. */
export interface View<I> {
  readonly images: readonly I[];
  readonly times: readonly number[] | null;
}

/** At most `n` of `items`, spread evenly from first to last (all of them when they fit), in order. */
export function spread<T>(items: readonly T[], n: number): T[] {
  if (items.length <= n) return [...items];
  if (n <= 1) return items.length ? [items[Math.floor((items.length - 1) / 2)] as T] : [];
  return Array.from({ length: n }, (_, i) => items[Math.round((i * (items.length - 1)) / (n - 1))] as T);
}

/** `items` cut into consecutive groups of at most `n`, as even in size as can be. */
export function groupsOf<T>(items: readonly T[], n: number): T[][] {
  const count = Math.ceil(items.length / Math.max(1, n));
  return Array.from({ length: count }, (_, g) =>
    items.slice(Math.round((g * items.length) / count), Math.round(((g + 1) * items.length) / count)),
  );
}

/** The whole input as one step may see it: a video's frames spread to what the VLM takes in one prompt. */
function wholeView<I>(frames: readonly TimedFrame<I>[], video: boolean, maxImages: number | undefined): View<I> {
  const shown = spread(frames, maxImages ?? frames.length);
  return { images: shown.map((f) => f.image), times: video ? shown.map((f) => f.time) : null };
}

/** A group's note line: "At 2.6 s: …" or "From 0.4 s to 1.9 s: …". */
function timedLine(times: readonly number[], text: string): string {
  const first = times[0] ?? 0;
  const last = times.at(-1) ?? first;
  const when = first === last ? `At ${formatTime(first)}` : `From ${formatTime(first)} to ${formatTime(last)}`;
  return `${when}: ${text.trim()}`;
}

/** A VLM agent's step: its name, role, model, prompt and the frames it sees. */
function vlmAgentStep(name: string, agent: VlmAgent, view: View<unknown>, model: string) {
  const meta = { agent: name, role: agent.role, model, prompt: aboutFrames(agent.prompt, view.times) };
  return view.times ? { ...meta, frames: view.times } : meta;
}

type VlmAgent = Extract<AgentSpec, { kind: 'vlm' }>;

/** How a group of agents runs: batched (VLM agents in one generation) or at most `concurrency` at a time. */
interface AgentRun<I> {
  readonly frames: readonly TimedFrame<I>[];
  /** Is the input a video (frames with times)? */
  readonly video: boolean;
  readonly models: CapflowModels<I>;
  readonly ctx: WorkflowContext;
  readonly trace: AgentTrace[];
  readonly batch: boolean;
  readonly concurrency: number;
}

/** One VLM step over a view, under its step name (`stepName`, and a frame group's suffix). */
async function vlmStep<I>(run: AgentRun<I>, agent: VlmAgent, name: string, view: View<I>, rerun?: Rerun) {
  const meta = vlmAgentStep(name, agent, view, run.models.vlm.name);
  const out = await step(run.ctx, run.trace, meta, (onText) =>
    run.models.vlm.generate(view.images, meta.prompt, {
      maxNewTokens: agent.maxNewTokens,
      stopping: run.ctx.stopping,
      onText,
      sampling: rerun?.sampling,
    }),
  );
  return out.text;
}

/** The OCR tool on the input's first image. */
async function ocrAgent<I>(run: AgentRun<I>, label: string): Promise<Note> {
  const ocr = run.models.ocr;
  const first = run.frames[0]?.image;
  const meta = { agent: 'ocr', role: 'tool', model: ocr?.name ?? 'none', prompt: '(OCR tool)' };
  const out = await step(run.ctx, run.trace, meta, async () => {
    if (!ocr || first === undefined) return { text: 'OCR unavailable.', tokens: 0 };
    return { text: ocrNote(await ocr.read(first)), tokens: 0 };
  });
  return { label, text: out.text };
}

/**
 * A VLM agent over a video's frames group by group (groups as large as the
 * VLM takes): one step per group, named `agent@first-last` (1-based frame
 * numbers); the note is one timestamped line per group. A still image, or
 * frames that fit in one prompt, make one ordinary step.
 */
async function groupedAgent<I>(run: AgentRun<I>, id: AgentId, agent: VlmAgent, rerun?: Rerun): Promise<Note> {
  const size = run.models.vlm.maxImages ?? run.frames.length;
  const indexed = run.frames.map((frame, index) => ({ frame, index }));
  const groups = run.video ? groupsOf(indexed, size) : [indexed];
  if (groups.length <= 1) {
    const text = await vlmStep(run, agent, stepName(id, rerun), wholeView(run.frames, run.video, undefined), rerun);
    return { label: agent.label, text };
  }
  const lines = await limited(
    groups.map((group) => async () => {
      const first = (group[0]?.index ?? 0) + 1;
      const last = (group.at(-1)?.index ?? 0) + 1;
      const name = `${stepName(id, rerun)}@${first === last ? first : `${first}-${last}`}`;
      const view = wholeView(
        group.map((g) => g.frame),
        true,
        undefined,
      );
      return timedLine(view.times ?? [], await vlmStep(run, agent, name, view, rerun));
    }),
    run.concurrency,
  );
  return { label: agent.label, text: lines.join('\n') };
}

/** An agent on the text model over earlier agents' notes (a video's timeline, for reasoning). */
async function notesAgent<I>(
  run: AgentRun<I>,
  id: AgentId,
  agent: Extract<AgentSpec, { kind: 'notes' }>,
  known: ReadonlyMap<AgentId, Note>,
  rerun?: Rerun,
): Promise<Note> {
  const read = agent.reads.flatMap((r) => {
    const note = known.get(r);
    return note ? [`[${note.label}]\n${note.text}`] : [];
  });
  const times = run.video ? run.frames.map((f) => f.time) : null;
  const prompt = `${aboutFrames(agent.prompt, times)}\n\n${read.join('\n\n')}`;
  const meta = { agent: stepName(id, rerun), role: agent.role, model: run.models.llm.name, prompt };
  const out = await step(run.ctx, run.trace, meta, (onText) =>
    run.models.llm.generateText(prompt, {
      maxNewTokens: agent.maxNewTokens,
      stopping: run.ctx.stopping,
      onText,
      sampling: rerun?.sampling,
    }),
  );
  return { label: agent.label, text: out.text };
}

/** VLM agents that look at the whole input: batched into one generation when the VLM can, else at most `concurrency` at a time. */
async function wholeInputAgents<I>(run: AgentRun<I>, ids: readonly AgentId[], rerun?: Rerun): Promise<Note[]> {
  const specs = ids.map((id) => {
    const agent = AGENTS[id];
    if (agent.kind !== 'vlm') throw new Error(`${id} is not a VLM agent`);
    return { id, agent };
  });
  const view = wholeView(run.frames, run.video, run.models.vlm.maxImages);
  const generateBatch = run.models.vlm.generateBatch?.bind(run.models.vlm);
  if (!run.batch || !generateBatch || specs.length < 2) {
    return limited(
      specs.map(({ id, agent }) => async () => ({
        label: agent.label,
        text: await vlmStep(run, agent, stepName(id, rerun), view, rerun),
      })),
      run.concurrency,
    );
  }
  const metas = specs.map(({ id, agent }) => vlmAgentStep(stepName(id, rerun), agent, view, run.models.vlm.name));
  const outs = await batchStep(run.ctx, run.trace, metas, (onText) =>
    generateBatch(
      view.images,
      specs.map((s, i) => ({ prompt: metas[i]?.prompt ?? '', maxNewTokens: s.agent.maxNewTokens })),
      { stopping: run.ctx.stopping, onText, sampling: rerun?.sampling },
    ),
  );
  return specs.map((s, i) => ({ label: s.agent.label, text: outs[i]?.text ?? '' }));
}

/**
 * Runs `ids`' agents and returns their notes in the same order: the OCR
 * tool, then the VLM agents over frame groups, then those over the whole
 * input (together), then those over other agents' notes (`known` holds the
 * notes of agents not run now). The trace lists them in the domain's order.
 */
async function runAgents<I>(
  ids: readonly AgentId[],
  run: AgentRun<I>,
  known: ReadonlyMap<AgentId, Note> = new Map(),
  rerun?: Rerun,
): Promise<Note[]> {
  const notes = new Map(known);
  const from = run.trace.length;
  const whole = ids.filter((id) => {
    const agent: AgentSpec = AGENTS[id];
    return agent.kind === 'vlm' && (agent.frames !== 'groups' || !run.video);
  });
  for (const id of ids) {
    const agent = AGENTS[id];
    if (agent.kind === 'ocr') notes.set(id, await ocrAgent(run, agent.label));
  }
  for (const id of ids) {
    const agent = AGENTS[id];
    if (agent.kind === 'vlm' && !whole.includes(id)) notes.set(id, await groupedAgent(run, id, agent, rerun));
  }
  const wholeNotes = await wholeInputAgents(run, whole, rerun);
  whole.forEach((id, i) => notes.set(id, wholeNotes[i] ?? { label: AGENTS[id].label, text: '' }));
  for (const id of ids) {
    const agent = AGENTS[id];
    if (agent.kind === 'notes') notes.set(id, await notesAgent(run, id, agent, notes, rerun));
  }
  // The trace lists the agents in the domain's order (a stable sort keeps a grouped agent's steps in time order).
  const order = ids.map((id) => stepName(id, rerun));
  const base = (agent: string) => order.indexOf(agent.replace(/@[\d-]+$/, ''));
  const ran = run.trace.splice(from).sort((a, b) => base(a.agent) - base(b.agent));
  run.trace.push(...ran);
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
  const video = input.kind === 'video';
  const frames: readonly TimedFrame<I>[] = video ? input.frames : [{ image: input.image, time: 0 }];
  const times = video ? frameTimes(input.frames) : null;
  // What a single step over the whole input sees (the single pass, the judge): at most the VLM's images.
  const view = wholeView(frames, video, models.vlm.maxImages);
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
      frames,
      video,
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
      const again = rerun ? agents.filter((id) => AGENTS[id].kind !== 'ocr' && roles.has(AGENTS[id].role)) : [];
      const known = new Map(agents.map((id, i) => [id, notes[i] ?? { label: AGENTS[id].label, text: '' }]));
      const rerunNotes = await runAgents(again, agentRun, known, rerun);
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
      view.times,
    );
    makeCaption = async (rerun) => {
      // Best-of-N in one call: a further attempt samples the same prompt.
      const name = stepName(options.mode, rerun);
      const role = single ? 'metacaptioner' : 'prompt';
      const meta = { agent: name, role, model: models.vlm.name, prompt, ...(view.times && { frames: view.times }) };
      const out = await step(ctx, trace, meta, (onText) =>
        models.vlm.generate(view.images, prompt, {
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
          view.images,
          view.times,
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
