/** What every model wrapper passes to transformers.js's `from_pretrained`, and how its failures read. */
import { ModelHostUnreachableError, ModelLoadError, errorText } from '../shared/errors';
import type { DeviceKind, DtypeChoice, ModelSpec } from '../shared/model-spec';
import { executionDevice } from './runtime/device-choice';
import { checkRuntimeVersions } from './runtime/versions';
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
    // The fixes on loaded models replace transformers.js internals: another version fails here, by name.
    checkRuntimeVersions();
    return await load();
  } catch (err) {
    // Unreachable hosts keep their own name, so the page can offer the ways out; the model is named now.
    if (err instanceof ModelHostUnreachableError) throw new ModelHostUnreachableError(err.host, err.reason, spec.repo);
    throw new ModelLoadError(`Could not load ${spec.repo}@${spec.revision} on ${device}: ${errorText(err)}`);
  }
}

/**
 * Loads a model's parts (tokenizer, processor, towers) side by side. When
 * one fails, the others are waited for and whatever they loaded is freed
 * before the failure is reported: with `Promise.all` they would go on
 * downloading after the load had failed and hold ONNX sessions nobody can
 * free. (Their files still reach the weight cache, so a retry fetches only
 * what failed.)
 */
export async function loadParts<const T extends readonly unknown[]>(parts: {
  readonly [K in keyof T]: Promise<T[K]>;
}): Promise<T> {
  const settled = await Promise.allSettled(parts);
  const failure = settled.find((s) => s.status === 'rejected');
  if (!failure) return settled.map((s) => (s as PromiseFulfilledResult<unknown>).value) as unknown as T;
  await Promise.all(
    settled.map(async (s) => {
      const part = s.status === 'fulfilled' ? (s.value as { dispose?: () => Promise<unknown> }) : null;
      await part?.dispose?.().catch(() => {});
    }),
  );
  throw failure.reason;
}
