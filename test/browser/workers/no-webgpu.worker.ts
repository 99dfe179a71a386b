/** The real service in a browser without WebGPU (no `navigator.gpu`). */
import { expose } from 'comlink';
import { CaptionerService, workerDeps } from '../../../src/models/captioner-service';
import { probeDevice } from '../../../src/models/runtime/device-probe';

expose(
  new CaptionerService({
    ...workerDeps(),
    probe: () => probeDevice({ gpu: undefined, crossOriginIsolated: false, hardwareConcurrency: 2 }),
  }),
);
