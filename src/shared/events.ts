/**
 * Everything the worker reports while it works, as one tagged union. The UI
 * and library users switch on `type`; no event needs a cast.
 */
import type { DeviceKind, DtypeChoice, ModelRole } from './model-spec';

/** Bytes of one model file arriving over the network. */
export interface DownloadEvent {
  readonly type: 'download';
  readonly role: ModelRole;
  readonly file: string;
  readonly loaded: number;
  /** 0 when the server did not say. */
  readonly total: number;
  /** Sums over every file of this load seen so far. */
  readonly loadedAll: number;
  readonly totalAll: number;
}

/** A model file was served from the weight cache, no network. */
export interface CachedEvent {
  readonly type: 'cached';
  readonly role: ModelRole;
  readonly file: string;
  readonly bytes: number;
}

/** Sessions created and the warm-up run finished (shader compilation, first allocation). */
export interface CompileEvent {
  readonly type: 'compile';
  readonly role: ModelRole;
  readonly device: DeviceKind;
  readonly ms: number;
}

/** A model is loaded and ready. */
export interface ReadyEvent {
  readonly type: 'ready';
  readonly role: ModelRole;
  readonly repo: string;
  readonly device: DeviceKind;
  readonly dtype: DtypeChoice;
}

/** Streamed generated text; in a CapFlow job, `agent` names the step writing it. */
export interface TokenEvent {
  readonly type: 'token';
  readonly jobId: string;
  readonly text: string;
  readonly agent?: string;
}

/**
 * Whether a step writes the caption itself (the summary, a single pass, a
 * prompt; `summary-2` in the judge's second attempt), so its tokens are the
 * caption taking shape rather than an agent's note.
 */
export function writesCaption(agent: string | undefined): boolean {
  return agent !== undefined && /^(?:summary|single-pass|prompt)(?:-\d+)?$/.test(agent);
}

/** The worker confirmed a cancelled job stopped; `tokensAfterCancel` is how many it generated meanwhile. */
export interface CancelledEvent {
  readonly type: 'cancelled';
  readonly jobId: string;
  readonly tokens: number;
  readonly tokensAfterCancel: number;
}

/** A CapFlow step started (routing, an agent, the summary, the judge). */
export interface StepStartEvent {
  readonly type: 'agent-start';
  readonly jobId: string;
  readonly agent: string;
}

/** A CapFlow step finished, with its output. */
export interface StepDoneEvent {
  readonly type: 'agent-done';
  readonly jobId: string;
  readonly agent: string;
  readonly output: string;
  readonly ms: number;
}

/** The judge scored a caption attempt. */
export interface JudgeEvent {
  readonly type: 'judge';
  readonly jobId: string;
  readonly attempt: number;
  readonly scores: Readonly<Record<string, number | null>>;
}

/** The GPU failed and the models moved to the CPU: every display of the device must follow. */
export interface DeviceFallbackEvent {
  readonly type: 'device-fallback';
  readonly from: DeviceKind;
  readonly to: DeviceKind;
  readonly reason: string;
}

/** A note for the user that is not an error (e.g. "falling back to WASM"). */
export interface NoticeEvent {
  readonly type: 'notice';
  readonly message: string;
}

/**
 * How far a long step that generates no text has got (the OCR tool reading
 * its lines), so the page shows progress rather than a stage that never moves.
 */
export interface StepProgressEvent {
  readonly type: 'step-progress';
  readonly jobId: string;
  readonly agent: string;
  readonly done: number;
  readonly total: number;
  /** What is counted, plural: "pieces of text". */
  readonly unit: string;
}

/** A video job's frames: probing for scene cuts, then decoding the chosen frames. */
export interface VideoFramesEvent {
  readonly type: 'video-frames';
  readonly jobId: string;
  readonly phase: 'scanning' | 'sampling';
  readonly done: number;
  readonly total: number;
}

/** Any event the engine emits. */
export type CaptionEvent =
  | DownloadEvent
  | CachedEvent
  | CompileEvent
  | ReadyEvent
  | TokenEvent
  | CancelledEvent
  | StepStartEvent
  | StepDoneEvent
  | JudgeEvent
  | DeviceFallbackEvent
  | NoticeEvent
  | VideoFramesEvent
  | StepProgressEvent;

/** A listener for engine events. */
export type EventSink = (event: CaptionEvent) => void;
