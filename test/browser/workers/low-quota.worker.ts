/** The real service, but the browser reports a nearly full disk (1 MB free). */
import { expose } from 'comlink';
import { CaptionerService, workerDeps } from '../../../src/models/captioner-service';

expose(
  new CaptionerService({
    ...workerDeps(),
    storage: { estimate: async () => ({ quota: 50_000_000, usage: 49_000_000 }), persisted: async () => false },
  }),
);
