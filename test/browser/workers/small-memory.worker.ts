/**
 * The real service on a device that reports 0.25 GB of memory
 * (`navigator.deviceMemory`): less than any shipped tier's load peak. Each
 * judgement of the device reads the memory once; the test reads the count
 * over a second comlink wrapper.
 */
import { expose } from 'comlink';
import { CaptionerService, workerDeps } from '../../../src/models/captioner-service';

let reads = 0;

class SmallMemoryService extends CaptionerService {
  /** How many times the device's memory was read, i.e. the device judged. */
  async memoryReads(): Promise<number> {
    return reads;
  }
}

export type SmallMemory = Pick<SmallMemoryService, 'memoryReads'>;

expose(
  new SmallMemoryService({
    ...workerDeps(),
    deviceMemory: () => {
      reads += 1;
      return 0.25;
    },
  }),
);
