/**
 * The real service plus two fault switches the test calls over a second
 * comlink wrapper: lose ORT's GPUDevice (as a driver reset would), or make
 * the next WebGPU generation throw.
 */
import type { RawImage } from '@huggingface/transformers';
import { expose } from 'comlink';
import { CaptionerService } from '../../../src/models/captioner-service';
import { ortGpuDevice } from '../../../src/models/gpu-watch';
import type { JobControl } from '../../../src/models/jobs';
import type { CaptionJob, CaptionResult } from '../../../src/shared/api';
import type { EventSink } from '../../../src/shared/events';

class GpuFaultService extends CaptionerService {
  private failNext = false;

  /** Destroys ORT's WebGPU device; false when no WebGPU session ever started. */
  async loseGpuDevice(): Promise<boolean> {
    const device = ortGpuDevice();
    device?.destroy();
    await device?.lost;
    return device !== null;
  }

  /** The next caption on WebGPU throws like a failed GPU dispatch would. */
  async failNextGpuJob(): Promise<void> {
    this.failNext = true;
  }

  protected override captionImage(
    job: CaptionJob,
    image: RawImage,
    control: JobControl,
    onEvent: EventSink,
  ): Promise<CaptionResult> {
    if (this.failNext) {
      this.failNext = false;
      return Promise.reject(new Error('GPU dispatch failed: out of memory'));
    }
    return super.captionImage(job, image, control, onEvent);
  }
}

expose(new GpuFaultService());
