/** What every model wrapper passes to transformers.js's `from_pretrained`, and how its failures read. */
import { ModelHostUnreachableError, ModelLoadError, errorText } from '../shared/errors';
import type { DeviceKind, DtypeChoice, ModelSpec } from '../shared/model-spec';
import { executionDevice } from './runtime/device-choice';
import type { ProgressCallback } from './progress';

/** Options for tokenizers and processors (`files`) and for ONNX models (`model`). */
export function pretrainedOptions(spec: ModelSpec, device: DeviceKind, dtype: DtypeChoice, progress: ProgressCallback) {
  const files = { revision: spec.revision, progress_callback: progress };
  // transformers.js wants a mutable record when dtypes differ per session.
  const model = { ...files, device: executionDevice(device), dtype: typeof dtype === 'string' ? dtype : { ...dtype } };
  return { files, model };
}

/** Runs a load, turning any failure into a ModelLoadError that names the model and device. */
export async function loadingModel<T>(spec: ModelSpec, device: DeviceKind, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (err) {
    // Unreachable hosts keep their own name, so the page can offer the ways out; the model is named now.
    if (err instanceof ModelHostUnreachableError) throw new ModelHostUnreachableError(err.host, err.reason, spec.repo);
    throw new ModelLoadError(`Could not load ${spec.repo}@${spec.revision} on ${device}: ${errorText(err)}`);
  }
}
