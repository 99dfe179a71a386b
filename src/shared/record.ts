/**
 * What the worker, the page, the element and the library exchange about a
 * caption: the ids CapFlow's registries are keyed by, the options of a
 * job, and the versioned, JSON-serialisable caption record (exported as
 * JSONL for training a student model). Types only: the registries
 * themselves live in `src/capflow/`, a layer above.
 */

/** The agents CapFlow's domain workflows are made of. */
export type AgentId =
  | 'natural-perception'
  | 'structure-perception'
  | 'infographic-perception'
  | 'ui-perception'
  | 'texture-perception'
  | 'video-perception'
  | 'general-reasoning'
  | 'medical-reasoning'
  | 'knowledge-reasoning'
  | 'video-reasoning'
  | 'visual-guideline'
  | 'video-guideline'
  | 'ocr'
  | 'coder';

/** The domains CapFlow routes to. */
export type DomainId =
  | 'natural'
  | 'structure-math'
  | 'infographic-document'
  | 'medical'
  | 'ui'
  | 'code'
  | 'knowledge'
  | 'synthetic'
  | 'video';

/** A caption style id. */
export type CaptionStyle = 'detailed' | 'short' | 'alt';

/**
 * Bump on any incompatible change of {@link CaptionRecord} (2: `prompt` mode, `style`, models in `runtime`;
 * 3: reject sampling — attempts carry `mean`, `seed`, `rerun`; the verdict `kept`, `minScore`, `accepted`;
 * `timestamps` of video frames; `domain.setAside`).
 */
export const RECORD_VERSION = 3;

/**
 * How to caption: `capflow` (agents + summary), `single-pass` (one
 * domain-aware VLM call, the MetaCaptioner mode) or `prompt` (one VLM call
 * with the caller's own instruction).
 */
export type CaptionMode = 'capflow' | 'single-pass' | 'prompt';

/** How the domain was decided. */
export type DomainDecision =
  | 'pinned'
  | 'video'
  | 'zero-shot'
  | 'vlm'
  /** The VLM's answer was unreadable: the zero-shot winner stands. */
  | 'zero-shot-fallback'
  /** No router and an unreadable VLM answer: the natural workflow. */
  | 'default';

/** The routing outcome. */
export interface DomainResult {
  readonly id: DomainId;
  readonly label: string;
  /** Zero-shot probability of the chosen domain; null when no router ran. */
  readonly confidence: number | null;
  readonly decidedBy: DomainDecision;
  readonly top: readonly { readonly id: DomainId; readonly p: number }[];
  /** An image domain pinned for the job but set aside because the input is a video. */
  readonly setAside?: DomainId;
}

/** One step of the workflow, as it ran. */
export interface AgentTrace {
  readonly agent: string;
  readonly role: string;
  readonly model: string;
  readonly prompt: string;
  readonly output: string;
  readonly tokens: number;
  /** Time of the call; for a step run in a batch, the whole batch's. */
  readonly ms: number;
  /** How many steps ran together in one batched generation, when more than one did. */
  readonly batch?: number;
  /** Why this step ran on its own where batching was asked for (the model's family does not batch safely). */
  readonly unbatched?: string;
  /** The times (seconds) of the video frames this step saw, when it saw some. */
  readonly frames?: readonly number[];
  /** The answer reached its token budget (even after a retry with a larger one): kept, likely incomplete. */
  readonly cut?: true;
}

/** One judged caption attempt. */
export interface JudgeAttempt {
  readonly caption: string;
  /** 1–3 per dimension; null where the judge's answer could not be read, even when asked again. */
  readonly scores: Readonly<Record<string, number | null>>;
  /** Mean of the known scores (what attempts are ranked by); null when none is known. */
  readonly mean: number | null;
  /** The sampling seed of this attempt's steps; null for the first, greedy attempt. */
  readonly seed: number | null;
  /** The agents run again for this attempt (behind its predecessor's weakest dimensions). */
  readonly rerun: readonly string[];
}

/** The judge's verdict on the kept caption, and every attempt. */
export interface JudgeResult {
  /** The kept attempt's scores. */
  readonly scores: Readonly<Record<string, number | null>>;
  /** True when every dimension scored 3. */
  readonly topOnAll: boolean;
  readonly attempts: readonly JudgeAttempt[];
  /** Which attempt was kept (1-based): the best mean known score (none known: ranked 2), the earliest on ties. */
  readonly kept: number;
  /** The bar per dimension the kept attempt had to reach. */
  readonly minScore: Readonly<Record<string, number>>;
  /** Whether the kept attempt reached `minScore` on every dimension (dataset builders filter on it). */
  readonly accepted: boolean;
}

/** The judge's knobs. */
export interface JudgeOptions {
  /** Attempts in all (best-of-N); the first is greedy, the rest sampled. */
  readonly attempts: number;
  /**
   * The bar for `accepted`: one score for every dimension, or per dimension (those not named: no bar).
   * Default 3 on every dimension, the paper's reject-sampling bar.
   */
  readonly minScore?: number | Readonly<Record<string, number>>;
  /** Sampling of attempts 2…N; attempt n uses `seed + n - 1`. Default temperature 0.7, top-p 0.9, seed 0. */
  readonly sampling?: Partial<Sampling>;
}

/** Where a record was made: device, dtypes and model repo per role (filled in by the worker). */
export interface RecordRuntime {
  readonly device: string;
  /** Set when `auto` chose WASM over a software WebGPU adapter: why. */
  readonly deviceReason?: string;
  /** Set when `preset=auto` chose the tier: which tier, and why in words ("Balanced fits this device; …"). */
  readonly tier?: { readonly id: string; readonly auto: true; readonly reason: string };
  readonly dtypes: Readonly<Record<string, unknown>>;
  readonly models: Readonly<Record<string, string>>;
}

/** How a video file's frames were read (see {@link CaptionRecord.sampledBy}). */
export type VideoSampler = 'webcodecs' | 'seeking';

/** Everything about one caption. */
export interface CaptionRecord {
  readonly version: typeof RECORD_VERSION;
  readonly caption: string;
  readonly mode: CaptionMode;
  /** Null in `prompt` mode, where the caller's instruction decides the form. */
  readonly style: CaptionStyle | null;
  readonly language: string;
  readonly domain: DomainResult | null;
  /** A video's sampled frame times in seconds, in order (the frames the agents saw); null for an image. */
  readonly timestamps: readonly number[] | null;
  /**
   * How a video file's frames were read: decoded with WebCodecs in the
   * worker, or (where WebCodecs is missing) by seeking a `<video>` on the
   * page, which is slower and probes fewer moments for scene changes.
   * Absent for images and for frames the caller gave.
   */
  readonly sampledBy?: VideoSampler;
  /**
   * A video that could only partly be read (damaged, cut short): what went wrong. The frames, and so the
   * caption, are those that could be read. Absent when the whole video was read, and for images.
   */
  readonly partialVideo?: string;
  readonly trace: readonly AgentTrace[];
  readonly judge: JudgeResult | null;
  readonly totalMs: number;
  /** Where it ran: filled in by the worker (null from the bare engine). */
  readonly runtime: RecordRuntime | null;
}

/** Seeded sampling: the same seed, prompt and model give the same text. */
export interface Sampling {
  readonly temperature: number;
  /** Nucleus: sample among the most likely tokens holding this share of the probability. */
  readonly topP: number;
  readonly seed: number;
}

/** How to caption. */
export interface CapflowOptions {
  readonly mode: CaptionMode;
  /** Skips routing when set. */
  readonly domain?: DomainId;
  /** Single-pass only: route first to make the prompt domain-aware (default true when a router exists). */
  readonly route?: boolean;
  readonly language?: string;
  /** Length and audience of the caption (default `detailed`); ignored by `prompt` mode. */
  readonly style?: CaptionStyle;
  /** The instruction of `prompt` mode. */
  readonly prompt?: string;
  /** Judge the caption and regenerate up to `attempts - 1` times; null: no judge. Default: judge once (never in `prompt` mode). */
  readonly judge?: JudgeOptions | null;
  /**
   * Run a domain's VLM agents (they share the image) as one batched generation instead of one after
   * another, where the VLM supports it. Default: on — it measured faster (BENCHMARKS.md, figure 3).
   */
  readonly batchAgents?: boolean;
  /** Token budget of the caption-writing step (summary, single pass, prompt); default: the style's. */
  readonly maxNewTokens?: number;
}
