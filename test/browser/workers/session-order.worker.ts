/** The real service, its session gate watched: the test reads what the gate saw, in order. */
import { expose } from 'comlink';
import { type GateEvent, SessionGate } from '../../../src/models/cache/session-gate';
import { CaptionerService, workerDeps } from '../../../src/models/captioner-service';

const events: GateEvent[] = [];

class WatchedService extends CaptionerService {
  /** What the gate saw since the last call, emptied. */
  gateEvents(): GateEvent[] {
    return events.splice(0);
  }
}

expose(new WatchedService({ ...workerDeps(), sessionGate: new SessionGate((e) => events.push(e)) }));
