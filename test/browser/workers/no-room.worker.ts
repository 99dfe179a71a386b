/** The real service, but every stored file must leave 1.4 MB free of a 1.5 MB quota: large files cannot be kept. */
import { expose } from 'comlink';
import { CaptionerService, workerDeps } from '../../../src/models/captioner-service';

const storage = {
  estimate: async () => ({ quota: 1_500_000, usage: 0 }),
  persisted: async () => false,
};

expose(new CaptionerService({ ...workerDeps(), storage, chunkBytes: 64 * 1024, reserveBytes: 1_400_000 }));
