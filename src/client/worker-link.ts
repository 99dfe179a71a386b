/**
 * The client's connection to the captioner worker: started lazily on first
 * use, configured before anything else, and watched so that a crash (or a
 * termination) is noticed at once and the next call starts a fresh worker.
 *
 * Death detection uses a Web Lock: the worker holds a uniquely named lock
 * for its whole life and the client queues for the same lock, which the
 * browser grants only when the worker's context is gone. A plain `Worker`
 * fires no event when it is killed (e.g. out of memory), so this is the one
 * reliable signal.
 */
import { type Remote, wrap } from 'comlink';
import type { CaptionerApi, RuntimeConfig } from '../shared/api';
import { WorkerCrashedError } from '../shared/errors';

interface Live {
  readonly generation: number;
  readonly worker: Worker;
  readonly remote: Promise<Remote<CaptionerApi>>;
  /** Rejects when this worker ends, crashed or terminated on purpose. */
  readonly exited: Promise<never>;
  readonly end: (error: Error) => void;
}

let lockCounter = 0;

/** One worker at a time, restarted on demand. */
export class WorkerLink {
  private live: Live | null = null;
  private generation = 0;

  constructor(
    private readonly createWorker: () => Worker,
    private readonly config: Omit<RuntimeConfig, 'lifeLock'>,
    /** Called when a worker dies without being asked to. */
    private readonly onCrash: (error: WorkerCrashedError) => void,
    private readonly locks: LockManager | undefined = globalThis.navigator?.locks,
  ) {}

  /**
   * Runs `fn` against the worker (starting one if needed). If the worker dies
   * or is terminated first, the call rejects instead of hanging forever.
   */
  async call<T>(fn: (api: Remote<CaptionerApi>) => Promise<T>): Promise<T> {
    const live = (this.live ??= this.start());
    return Promise.race([live.remote.then(fn), live.exited]);
  }

  /** Which worker generation is live (changes after every restart); 0 when none. */
  get current(): number {
    return this.live?.generation ?? 0;
  }

  /** Ends the current worker on purpose; its pending calls reject; the next call starts another. */
  terminate(reason = 'terminated'): void {
    const live = this.live;
    this.live = null;
    live?.worker.terminate();
    live?.end(new WorkerCrashedError(reason));
  }

  private start(): Live {
    const generation = ++this.generation;
    const worker = this.createWorker();
    const lifeLock = `metacaptioner-worker-${Date.now()}-${++lockCounter}`;
    let end: (error: Error) => void = () => {};
    const exited = new Promise<never>((_, reject) => (end = reject));
    exited.catch(() => {}); // observed through call(); never an unhandled rejection
    const died = (detail: string) => {
      if (this.live?.generation !== generation) return; // already replaced or ended on purpose
      const error = new WorkerCrashedError(detail);
      this.live = null;
      worker.terminate();
      end(error);
      this.onCrash(error);
    };
    worker.addEventListener('error', (event) => died(event.message || 'uncaught error in the worker'));
    const wrapped = wrap<CaptionerApi>(worker);
    const remote = wrapped.configure({ ...this.config, lifeLock }).then(() => {
      // Granted only once the worker's context is gone.
      void this.locks?.request(lifeLock, () => died('it was terminated or ran out of memory'));
      return wrapped;
    });
    return { generation, worker, remote, exited, end };
  }
}
