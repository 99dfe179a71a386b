/**
 * The real service, except that a CapFlow job for an image named
 * "crash*.png" ends the worker abruptly, as running out of memory would.
 */
import type { RawImage } from '@huggingface/transformers';
import { expose } from 'comlink';
import type { CapflowModels } from '../../../src/capflow/workflow';
import { CaptionerService } from '../../../src/models/captioner-service';
import type { CapflowJob } from '../../../src/shared/api';
import type { EventSink } from '../../../src/shared/events';

class CrashyService extends CaptionerService {
  private crashNext = false;

  override capflow(job: CapflowJob, onEvent: EventSink) {
    this.crashNext = job.name.startsWith('crash');
    return super.capflow(job, onEvent);
  }

  protected override workflowModels(models: CapflowModels<RawImage>): CapflowModels<RawImage> {
    if (this.crashNext) self.close();
    return models;
  }
}

expose(new CrashyService());
