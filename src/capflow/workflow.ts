/**
 * The CapFlow engine: route → the domain's agents → summary agent → judge
 * with reject sampling (judge.ts), and the single-pass MetaCaptioner mode.
 * Pure logic over injected models (generic in the image type), so it runs
 * in Node tests on real tiny models and in the worker on real ones.
 */
import { type AgentRun, type Rerun, aboutFrames, runAgents, stepName, wholeView } from './agents';
import { type CapflowInput, type CapflowModels, type TimedFrame, type WorkflowContext, step } from './context';
import { type Regenerated, rejectSample } from './judge';
import { cleanCaption, singlePassPrompt, summaryPrompt } from './prompts';
import {
  type AgentId,
  type AgentTrace,
  type CaptionRecord,
  type CapflowOptions,
  RECORD_VERSION,
} from '../shared/record';
import { route } from './router';
import { AGENTS, DIMENSION_ROLES, DOMAINS } from './spec';
import { CAPTION_STYLES, shapeCaption } from './styles';

export type { CapflowInput, CapflowModels, StepOptions, StepOutput, TimedFrame, WorkflowContext } from './context';
export { groupsOf, ocrNote, spread, type View } from './agents';

/** The instruction `prompt` mode uses when the caller gives none. */
export const DEFAULT_PROMPT = 'Describe this image in detail.';

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
