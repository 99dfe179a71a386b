/**
 * How a domain's agents run over an input: the OCR tool, VLM agents over
 * the whole input (batched into one generation when the VLM can) or over a
 * video's frames group by group (as many as the VLM takes in one prompt,
 * each note line stamped with its times), and agents on the text model over
 * earlier agents' notes. Every step is traced with the frames it saw.
 */
import type { OcrLine } from '../shared/ocr';
import type { AgentId, AgentTrace, Sampling } from '../shared/record';
import { type CapflowModels, type TimedFrame, type WorkflowContext, batchStep, step } from './context';
import { formatTime, framesLine, type Note } from './prompts';
import { AGENTS, type AgentSpec } from './spec';

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
export interface Rerun {
  readonly n: number;
  readonly sampling: Sampling;
}

export const stepName = (name: string, rerun?: Rerun) => (rerun ? `${name}-${rerun.n}` : name);

/** A VLM prompt about a video opens with the frame times, so the model can say when things happen. */
export const aboutFrames = (prompt: string, times: readonly number[] | null) =>
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
export function wholeView<I>(frames: readonly TimedFrame<I>[], video: boolean, maxImages: number | undefined): View<I> {
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

/** How a group of agents runs: batched (VLM agents in one generation) or one after another. */
export interface AgentRun<I> {
  readonly frames: readonly TimedFrame<I>[];
  /** Is the input a video (frames with times)? */
  readonly video: boolean;
  readonly models: CapflowModels<I>;
  readonly ctx: WorkflowContext;
  readonly trace: AgentTrace[];
  readonly batch: boolean;
}

/** One VLM step over a view, under its step name (`stepName`, and a frame group's suffix). */
async function vlmStep<I>(
  run: AgentRun<I>,
  agent: VlmAgent,
  name: string,
  view: View<I>,
  rerun?: Rerun,
  unbatched?: string,
) {
  const base = vlmAgentStep(name, agent, view, run.models.vlm.name);
  const meta = unbatched ? { ...base, unbatched } : base;
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
    const progress = (done: number, total: number) =>
      run.ctx.emit({ type: 'step-progress', jobId: run.ctx.jobId, agent: 'ocr', done, total, unit: 'pieces of text' });
    return { text: ocrNote(await ocr.read(first, progress)), tokens: 0 };
  });
  return { label, text: out.text };
}

/**
 * A VLM agent over a video's frames group by group (groups as large as the
 * VLM takes): one step per group, named `agent@first-last` (1-based frame
 * numbers); the note is one timestamped line per group. Frames that fit in
 * one prompt make one ordinary step.
 */
async function groupedAgent<I>(run: AgentRun<I>, id: AgentId, agent: VlmAgent, rerun?: Rerun): Promise<Note> {
  const name = stepName(id, rerun);
  const indexed = run.frames.map((frame, index) => ({ frame, index }));
  const groups = groupsOf(indexed, run.models.vlm.maxImages ?? run.frames.length);
  if (groups.length <= 1) {
    return { label: agent.label, text: await vlmStep(run, agent, name, wholeView(run.frames, true, undefined), rerun) };
  }
  const lines = await inOrder(
    groups.map((group) => async () => {
      const first = (group[0]?.index ?? 0) + 1;
      const last = (group.at(-1)?.index ?? 0) + 1;
      const view = wholeView(
        group.map((g) => g.frame),
        true,
        undefined,
      );
      const text = await vlmStep(run, agent, `${name}@${first === last ? first : `${first}-${last}`}`, view, rerun);
      return timedLine(view.times ?? [], text);
    }),
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

/** VLM agents that look at the whole input: batched into one generation when the VLM can, else one after another. */
async function wholeInputAgents<I>(run: AgentRun<I>, ids: readonly AgentId[], rerun?: Rerun): Promise<Note[]> {
  const specs = ids.map((id) => {
    const agent = AGENTS[id];
    if (agent.kind !== 'vlm') throw new Error(`${id} is not a VLM agent`);
    return { id, agent };
  });
  const view = wholeView(run.frames, run.video, run.models.vlm.maxImages);
  const generateBatch = run.models.vlm.generateBatch?.bind(run.models.vlm);
  if (!run.batch || !generateBatch || specs.length < 2) {
    // Batching was asked for but the model answers one prompt at a time: each step says why.
    const unbatched = run.batch && specs.length > 1 ? run.models.vlm.unbatched : undefined;
    return inOrder(
      specs.map(({ id, agent }) => async () => ({
        label: agent.label,
        text: await vlmStep(run, agent, stepName(id, rerun), view, rerun, unbatched),
      })),
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
export async function runAgents<I>(
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

/** Runs `tasks` one after another (one inference at a time is what the worker and a local CPU have). */
async function inOrder<T>(tasks: readonly (() => Promise<T>)[]): Promise<T[]> {
  const results: T[] = [];
  for (const task of tasks) results.push(await task());
  return results;
}
