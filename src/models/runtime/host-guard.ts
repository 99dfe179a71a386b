/**
 * The worker fetches from the app's own origin and from the model hosts it
 * was configured with — nothing else. transformers.js and ORT know other
 * addresses (the hub, a CDN for the runtime); a request to any host nobody
 * chose is refused here, before it leaves, so a mistake in a dependency or
 * a model's config cannot send a request (or a user's files) anywhere.
 */
import { type ModelSource, sourceLocation } from '../../shared/model-source';

/** The origins the worker may fetch from. */
export class HostGuard {
  private readonly origins = new Set<string>();

  constructor(ownUrl: string) {
    this.origins.add(new URL(ownUrl).origin);
  }

  /** Allows a model source's host (the hub, a mirror); local and imported sources add nothing. */
  allow(source: ModelSource): void {
    if (source.kind !== 'hub' && source.kind !== 'host') return;
    try {
      this.origins.add(new URL(sourceLocation(source).host).origin);
    } catch {
      // Not an http(s) URL: nothing is allowed, and loading or planning says why.
    }
  }

  /** Throws unless `url` is on an allowed origin. */
  check(url: string, base: string): void {
    const origin = new URL(url, base).origin;
    if (!this.origins.has(origin)) {
      throw new Error(`Refused to fetch ${url}: ${origin} is not this app or a configured model host.`);
    }
  }

  /** A fetch that checks every URL first. */
  guard(fetcher: typeof fetch, base: string): typeof fetch {
    return (input, init) => {
      this.check(String(input instanceof Request ? input.url : input), base);
      return fetcher(input, init);
    };
  }
}
