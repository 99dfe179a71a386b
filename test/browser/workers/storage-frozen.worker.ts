/**
 * The real service and real IndexedDB, with the origin's storage already
 * full: every write to the weight cache's database fails with the
 * DOMException the browser raises for a full quota, reads work.
 */
import { expose } from 'comlink';
import { CaptionerService, workerDeps } from '../../../src/models/captioner-service';

for (const method of ['put', 'add'] as const) {
  const original = IDBObjectStore.prototype[method];
  IDBObjectStore.prototype[method] = function (this: IDBObjectStore, value: unknown, key?: IDBValidKey) {
    if (this.transaction.db.name === 'metacaptioner-weights') {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    }
    return original.call(this, value, key);
  };
}

const storage = {
  estimate: async () => ({ quota: 10_000_000_000, usage: 10_000_000_000 }),
  persisted: async () => false,
};

expose(new CaptionerService({ ...workerDeps(), storage, chunkBytes: 64 * 1024 }));
