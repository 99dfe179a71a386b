/**
 * The real service plus two fault switches the test calls over a second
 * comlink wrapper: lose ORT's GPUDevice (as a driver reset would), or make
 * the next WebGPU generation throw.
 */
import type { RawImage } from '@huggingface/transformers';
import { expose } from 'comlink';
import { CaptionerService } from '../../../src/models/captioner-service';
import { ortGpuDevice } from '../../../src/models/runtime/gpu-watch';
import type { JobControl } from '../../../src/models/jobs';
import type { CapflowModels } from '../../../src/capflow/workflow';
import type { CaptionJob, CaptionResult } from '../../../src/shared/api';
import type { EventSink } from '../../../src/shared/events';

class GpuFaultService extends CaptionerService {
  private failNext: string | null = null;
  private failCapflowStep: string | null = null;

  /** Destroys ORT's WebGPU device; false when no WebGPU session ever started. */
  async loseGpuDevice(): Promise<boolean> {
    const device = ortGpuDevice();
    device?.destroy();
    await device?.lost;
    return device !== null;
  }

  /** The next caption on WebGPU throws with this message (default: like a failed GPU dispatch). */
  async failNextGpuJob(message = 'GPU dispatch failed: out of memory'): Promise<void> {
    this.failNext = message;
  }

  /** In the next CapFlow job, the second VLM step on WebGPU throws with this message. */
  async failNextCapflowStep(message: string): Promise<void> {
    this.failCapflowStep = message;
  }

  protected override workflowModels(models: CapflowModels<RawImage>): CapflowModels<RawImage> {
    let steps = 0;
    return {
      ...models,
      vlm: {
        name: models.vlm.name,
        generate: (images, prompt, options) => {
          const message = this.failCapflowStep;
          if (message && ++steps === 2) {
            this.failCapflowStep = null;
            return Promise.reject(new Error(message));
          }
          return models.vlm.generate(images, prompt, options);
        },
      },
    };
  }

  protected override captionImage(
    job: CaptionJob,
    image: RawImage,
    control: JobControl,
    onEvent: EventSink,
  ): Promise<CaptionResult> {
    const message = this.failNext;
    if (message) {
      this.failNext = null;
      return Promise.reject(new Error(message));
    }
    return super.captionImage(job, image, control, onEvent);
  }
}

expose(new GpuFaultService());
