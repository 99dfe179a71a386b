/**
 * Follows each whole-file download from the fetch until its bytes are in
 * the weight cache (or the download failed). transformers.js loads a
 * model's files in parallel and gives up as soon as one fails; the others
 * keep arriving in the background. Waiting for them before reporting the
 * failure keeps every completed file cached, so a retry fetches only what
 * failed, and no stray download races the next load.
 */
import { fileOfUrl } from '../../shared/model-files';

/** Pending downloads by URL. */
export class DownloadTracker {
  private readonly pending = new Map<string, Promise<void>>();
  private readonly finish = new Map<string, () => void>();

  /** Wraps a fetch of a whole file so the tracker knows when its body ends or fails. */
  async track(url: string, response: Promise<Response>): Promise<Response> {
    this.pending.set(url, new Promise<void>((resolve) => this.finish.set(url, resolve)));
    let res: Response;
    try {
      res = await response;
    } catch (err) {
      this.done(url);
      throw err;
    }
    const body = res.body;
    if (!res.ok || !body) {
      this.done(url);
      return res;
    }
    const reader = body.getReader();
    const total = res.headers.get('content-length');
    let received = 0;
    const watched = new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        try {
          const { done, value } = await reader.read();
          if (done) return controller.close();
          received += value.length;
          controller.enqueue(value);
        } catch (err) {
          this.done(url); // a broken body is never stored
          controller.error(err instanceof TypeError ? brokenOff(url, received, total, err) : err);
        }
      },
      cancel: (reason) => {
        this.done(url);
        return reader.cancel(reason);
      },
    });
    return new Response(watched, { status: res.status, statusText: res.statusText, headers: res.headers });
  }

  /** The file's bytes were stored (or could not be): its download is over. */
  done(url: string): void {
    this.finish.get(url)?.();
    this.finish.delete(url);
    this.pending.delete(url);
  }

  /**
   * Resolves once every download started so far has ended, or after
   * `limitMs` (transformers.js skips the store of a file another load
   * cached meanwhile, and a failure report must never hang on that).
   */
  async settled(limitMs = 30_000): Promise<void> {
    const deadline = new Promise<void>((resolve) => setTimeout(resolve, limitMs));
    const drained = (async () => {
      while (this.pending.size > 0) await Promise.all(this.pending.values());
    })();
    await Promise.race([drained, deadline]);
  }
}

/** A download whose connection dropped, said so that a person knows what happened and what a retry does. */
function brokenOff(url: string, received: number, total: string | null, err: TypeError): Error {
  const of = total ? ` of ${total}` : '';
  return new Error(
    `the download of ${fileOfUrl(url)} from ${new URL(url, self.location.href).host} broke off after ${received}${of} bytes ` +
      `(${err.message}); nothing of it was kept, and a retry fetches only the files not yet stored`,
  );
}
