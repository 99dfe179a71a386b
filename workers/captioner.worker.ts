/** The captioner worker: exposes the service over comlink, nothing else. */
import { expose } from 'comlink';
import { CaptionerService } from '../src/models/captioner-service';

expose(new CaptionerService());
