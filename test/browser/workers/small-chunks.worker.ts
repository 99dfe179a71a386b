/** The real service with 64 KiB weight chunks, so every fixture file spans several chunks. */
import { expose } from 'comlink';
import { CaptionerService, workerDeps } from '../../../src/models/captioner-service';

expose(new CaptionerService({ ...workerDeps(), chunkBytes: 64 * 1024 }));
