/**
 * One session's weights in the worker at a time. transformers.js starts
 * every session of a model at once (`constructSessions` is a `Promise.all`
 * over them) and reads each session's files whole before creating it, so a
 * warm load used to hold every file of the model as a JS buffer before the
 * first session existed, while onnxruntime-web copied them into the WASM
 * heap or GPU buffers (bench figure 10). transformers.js already creates
 * the sessions one after another in the browser; the gate makes the reads
 * follow: the files of one session (an ONNX file and its external data,
 * which share a stem) are read from the weight cache only once the session
 * before them was created. The peak is then what the runtime keeps of the
 * sessions made so far plus one session's files, not all of them.
 *
 * The cache asks `enter` before a gated file's first chunk and says when a
 * file turned out damaged (`unreadable`: that attempt stops); the runtime's
 * session factory reports each creation (`created`) or failure (`failed`).
 * Only the model folder being loaded is gated (`begin`/`end` bracket one
 * load attempt), so other readers of the cache never wait on it, and a load
 * that overlaps another lets the older one's reads go on.
 */

/** The session a model file belongs to (its folder and stem), or null for a file that is not an ONNX part. */
export function sessionOf(url: string): string | null {
  const match = /^(.*\/[^/]+?)\.onnx(?:_data(?:_\d+)?)?$/.exec(url);
  return match?.[1] ?? null;
}

/** What the gate tells a watcher (tests and the bench), in order. */
export type GateEvent =
  { readonly type: 'read'; readonly session: string } | { readonly type: 'created' } | { readonly type: 'failed' };

interface Waiting {
  readonly session: string;
  readonly open: () => void;
  readonly opened: Promise<void>;
}

/** The state of one load attempt; each attempt starts a new one, so nothing of a failed attempt holds the next. */
export interface Round {
  readonly folder: string;
  holder: string | null;
  readonly waiting: Waiting[];
  /** A file could not be read: the attempt fails, and nothing more of it is read. */
  stopped: boolean;
}

export class SessionGate {
  private round: Round | null = null;
  /** Only a gate that hears creations may hold reads back (see {@link reportCreations}). */
  private hearing = false;

  constructor(private readonly watch?: (event: GateEvent) => void) {}

  /** From now on each session creation is reported: reads may wait for one. */
  hear(): void {
    this.hearing = true;
  }

  /**
   * Gates the ONNX files under `folder` until {@link end} is given the round this returns (null where the
   * gate hears no creations). A load still running from before is let go: its waiting reads go on, ungated,
   * so two loads that overlap never wait on each other.
   */
  begin(folder: string): Round | null {
    if (!this.hearing) return null;
    for (const w of this.round?.waiting.splice(0) ?? []) w.open();
    this.round = { folder, holder: null, waiting: [], stopped: false };
    return this.round;
  }

  /**
   * Ends a load attempt (it has settled). Reads still waiting belong to sessions of an attempt that failed:
   * they are left waiting, and with them transformers.js's leftover session creations, rather than read and
   * made for nobody.
   */
  end(round: Round | null): void {
    if (round && this.round === round) this.round = null;
  }

  /** Resolves when the file at `url` may be read: at once unless it belongs to a later session of the load. */
  enter(url: string): Promise<void> {
    const round = this.round;
    const session = round && url.startsWith(round.folder) ? sessionOf(url) : null;
    if (!round || !session) return Promise.resolve();
    // Left waiting until `end` drops the round: this attempt has failed.
    if (round.stopped) return new Promise<void>(() => {});
    if (round.holder === null) {
      round.holder = session;
      this.watch?.({ type: 'read', session });
    }
    if (round.holder === session) return Promise.resolve();
    const queued = round.waiting.find((w) => w.session === session);
    if (queued) return queued.opened;
    let open = () => {};
    const opened = new Promise<void>((resolve) => {
      open = resolve;
    });
    round.waiting.push({ session, open, opened });
    return opened;
  }

  /** A session was created: the next session's files may be read. */
  created(): void {
    this.watch?.({ type: 'created' });
    this.passOn();
  }

  /**
   * A session could not be created. Its load fails on its own (transformers.js creates them together); the
   * next session's files may be read, as after a creation, since the failure may belong to another model.
   */
  failed(): void {
    this.watch?.({ type: 'failed' });
    this.passOn();
  }

  /**
   * A file of the load could not be read (damaged in the cache): that load fails, so nothing more of it is
   * read; the next attempt starts clean.
   */
  unreadable(url: string): void {
    const round = this.round;
    if (!round || !url.startsWith(round.folder)) return;
    this.watch?.({ type: 'failed' });
    round.waiting.length = 0;
    round.stopped = true;
  }

  private passOn(): void {
    const round = this.round;
    if (!round || round.stopped) return;
    const next = round.waiting.shift();
    round.holder = next?.session ?? null;
    if (!next) return;
    this.watch?.({ type: 'read', session: next.session });
    next.open();
  }
}

/** The part of onnxruntime-web's `InferenceSession` the gate wraps. */
export interface SessionFactory {
  create(...args: never[]): Promise<unknown>;
}

/** The gates each wrapped factory reports to, kept on the factory itself. */
const GATES = Symbol('metacaptioner.sessionGates');

/**
 * Makes `factory.create` (onnxruntime-web's `InferenceSession`, the very
 * object transformers.js calls) report each creation or failure to `gate`
 * (and to every gate given before). The factory is wrapped once.
 */
export function reportCreations(factory: SessionFactory, gate: SessionGate): void {
  let gates = Reflect.get(factory, GATES) as Set<SessionGate> | undefined;
  if (!gates) {
    const listening = new Set<SessionGate>();
    gates = listening;
    const create = factory.create;
    const reporting = async (...args: never[]): Promise<unknown> => {
      try {
        const session = await create.apply(factory, args);
        for (const g of listening) g.created();
        return session;
      } catch (err) {
        for (const g of listening) g.failed();
        throw err;
      }
    };
    Object.defineProperty(factory, 'create', { value: reporting, writable: true, configurable: true });
    Object.defineProperty(factory, GATES, { value: listening });
  }
  gates.add(gate);
  gate.hear();
}
