/**
 * The real service and real IndexedDB, but the disk fills up: after 400 kB
 * of weight chunks every further write fails with the DOMException the
 * browser raises for a full quota, while the storage estimate still says
 * 10 GB are free (estimates are coarse and can be stale).
 */
import { expose } from 'comlink';
import { CaptionerService, workerDeps } from '../../../src/models/captioner-service';

const ROOM = 400_000;
let written = 0;
const put = IDBObjectStore.prototype.put;
IDBObjectStore.prototype.put = function (this: IDBObjectStore, value: unknown, key?: IDBValidKey) {
  if (this.name === 'chunks' && value instanceof Blob) {
    if (written + value.size > ROOM) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    written += value.size;
  }
  return put.call(this, value, key);
};

const storage = {
  estimate: async () => ({ quota: 10_000_000_000, usage: 0 }),
  persisted: async () => false,
};

expose(new CaptionerService({ ...workerDeps(), storage, chunkBytes: 64 * 1024 }));
