/**
 * What every CapFlow step shares: the injected models interface, the job's
 * context (cancel check, events, clock) and `step`, which runs one model
 * call as a traced, streamed, cancellable step. The router and the
 * workflow both build on it.
 */
import type { EventSink } from '../shared/events';
import type { OcrLine } from '../shared/ocr';
import type { AgentTrace, Sampling } from '../shared/record';

/** One model call's knobs. */
export interface StepOptions {
  readonly maxNewTokens: number;
  /** Passed through to generation (transformers.js stopping criteria), so cancel stops mid-step. */
  readonly stopping?: unknown;
  /** Receives the text as it is generated (streamed to the UI as `token` events). */
  readonly onText?: (text: string) => void;
  /** Sample (seeded, so reproducible) instead of decoding greedily: the judge's further attempts. */
  readonly sampling?: Sampling;
}

/** What a generation returns. */
export interface StepOutput {
  readonly text: string;
  readonly tokens: number;
  /**
   * The answer reached its token budget (a server's `finish_reason: "length"`,
   * even after a retry with a larger one): kept, but likely incomplete.
   */
  readonly cut?: boolean;
}

/** The models CapFlow uses; `I` is the image type (RawImage in the app). */
export interface CapflowModels<I> {
  readonly vlm: {
    readonly name: string;
    /**
     * The most images one prompt may carry (a video's frames beyond it are
     * spread over the video, or seen group by group); unset: no limit.
     */
    readonly maxImages?: number;
    generate(images: readonly I[], prompt: string, options: StepOptions): Promise<StepOutput>;
    /** Why the VLM answers one prompt at a time (its family does not batch safely); then it has no generateBatch. */
    readonly unbatched?: string;
    /** Several prompts about the same images as one batched generation (`onText` streams row `i`'s text). */
    generateBatch?(
      images: readonly I[],
      prompts: readonly { readonly prompt: string; readonly maxNewTokens: number }[],
      options: Omit<StepOptions, 'maxNewTokens' | 'onText'> & { readonly onText?: (row: number, text: string) => void },
    ): Promise<StepOutput[]>;
  };
  readonly llm: { readonly name: string; generateText(prompt: string, options: StepOptions): Promise<StepOutput> };
  /** The judge; unset: the VLM judges (as in every browser tier). A serving cluster may give it its own model. */
  readonly judge?: {
    readonly name: string;
    generate(images: readonly I[], prompt: string, options: StepOptions): Promise<StepOutput>;
  };
  readonly router?: {
    readonly name: string;
    embedTexts(texts: readonly string[]): Promise<number[][]>;
    embedImage(image: I): Promise<number[]>;
  };
  readonly ocr?: {
    readonly name: string;
    /** `onProgress`: lines read so far of those found, as reading goes. */
    read(image: I, onProgress?: (done: number, total: number) => void): Promise<readonly OcrLine[]>;
  };
}

/** One sampled frame of a video and when it was shown, in seconds from the start. */
export interface TimedFrame<I> {
  readonly image: I;
  readonly time: number;
}

/** An image, or the sampled frames of a video in time order. */
export type CapflowInput<I> =
  { readonly kind: 'image'; readonly image: I } | { readonly kind: 'video'; readonly frames: readonly TimedFrame<I>[] };

/** Cancellation and progress hooks of the job running the workflow. */
export interface WorkflowContext {
  readonly jobId: string;
  /** Throws when the job was cancelled; called between steps. */
  check(): void;
  readonly stopping?: unknown;
  readonly emit: EventSink;
  readonly now: () => number;
}

/** Step metadata: who runs, in which role, on which model, with which prompt. */
export interface StepMeta {
  readonly agent: string;
  readonly role: string;
  readonly model: string;
  readonly prompt: string;
  /** The times of the video frames the step saw, when it saw some. */
  readonly frames?: readonly number[];
  /** Why the step runs on its own where batching was asked for. */
  readonly unbatched?: string;
}

/**
 * Runs several steps as one call (a batched generation): each gets its
 * `agent-start`, its streamed tokens, its trace entry and `agent-done`; the
 * time of each is the batch's.
 */
export async function batchStep(
  ctx: WorkflowContext,
  trace: AgentTrace[],
  metas: readonly StepMeta[],
  run: (onText: (row: number, text: string) => void) => Promise<StepOutput[]>,
): Promise<StepOutput[]> {
  ctx.check();
  for (const meta of metas) ctx.emit({ type: 'agent-start', jobId: ctx.jobId, agent: meta.agent });
  const started = ctx.now();
  const outs = await run((row, text) => {
    const agent = metas[row]?.agent;
    if (agent) ctx.emit({ type: 'token', jobId: ctx.jobId, agent, text });
  });
  const ms = ctx.now() - started;
  ctx.check();
  metas.forEach((meta, i) => {
    const out = outs[i] ?? { text: '', tokens: 0 };
    trace.push({
      ...meta,
      output: out.text,
      tokens: out.tokens,
      ms,
      batch: metas.length,
      ...(out.cut && { cut: true }),
    });
    ctx.emit({ type: 'agent-done', jobId: ctx.jobId, agent: meta.agent, output: out.text, ms });
  });
  return outs;
}

/** Runs one traced step: `agent-start`, streamed `token`s under the agent's name, the trace entry, `agent-done`. */
export async function step<T extends StepOutput>(
  ctx: WorkflowContext,
  trace: AgentTrace[],
  meta: StepMeta,
  run: (onText: (text: string) => void) => Promise<T>,
): Promise<T> {
  ctx.check();
  ctx.emit({ type: 'agent-start', jobId: ctx.jobId, agent: meta.agent });
  const started = ctx.now();
  const out = await run((text) => ctx.emit({ type: 'token', jobId: ctx.jobId, agent: meta.agent, text }));
  const ms = ctx.now() - started;
  ctx.check();
  trace.push({ ...meta, output: out.text, tokens: out.tokens, ms, ...(out.cut && { cut: true }) });
  ctx.emit({ type: 'agent-done', jobId: ctx.jobId, agent: meta.agent, output: out.text, ms });
  return out;
}
