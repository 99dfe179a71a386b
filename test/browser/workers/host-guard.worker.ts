/** The real service plus one probe: ask transformers.js's fetch (as the service set it up) for any URL. */
import { env } from '@huggingface/transformers';
import { expose } from 'comlink';
import { CaptionerService } from '../../../src/models/captioner-service';

class HostGuardProbe extends CaptionerService {
  /** What fetching `url` through the runtime's fetch gives: a status, or the error it throws. */
  async tryFetch(url: string): Promise<string> {
    try {
      return `status ${(await env.fetch(url)).status}`;
    } catch (err) {
      return `refused: ${err instanceof Error ? err.message : String(err)}`;
    }
  }
}

expose(new HostGuardProbe());
