/**
 * The transformers.js and onnxruntime versions the app's fixes on loaded
 * models were written and tested for (`src/models/*`: image reuse, frame
 * joining, rope, decoding mask, feature types, resizing). They replace
 * private internals, so another version may have moved what they replace:
 * package.json pins both exactly, and a runtime that reports other versions
 * (a site's own copy deduplicated in its bundle, say) fails to start with
 * the versions named, rather than captioning wrongly.
 */
import { env } from '@huggingface/transformers';
import { ModelLoadError } from '../../shared/errors';

/** The versions the fixes were written for, by package name. */
export const WRITTEN_FOR = Object.freeze({
  '@huggingface/transformers': '4.3.2',
  'onnxruntime-web': '1.31.0-dev.20260914-8d85527a0',
  'onnxruntime-node': '1.30.0',
});

/** The versions running now: transformers.js, and the ONNX runtime under it (web in browsers, node in Node). */
export function runtimeVersions(): Partial<Record<keyof typeof WRITTEN_FOR, string>> {
  const ort: unknown = Reflect.get(env.backends.onnx, 'versions');
  const versions = typeof ort === 'object' && ort !== null ? ort : {};
  const web: unknown = Reflect.get(versions, 'web');
  const node: unknown = Reflect.get(versions, 'node');
  return {
    '@huggingface/transformers': env.version,
    ...(typeof web === 'string' && { 'onnxruntime-web': web }),
    ...(typeof node === 'string' && { 'onnxruntime-node': node }),
  };
}

/** Throws a ModelLoadError naming every package whose running version is not the one the fixes were written for. */
export function checkRuntimeVersions(found = runtimeVersions()): void {
  const wrong = Object.entries(found).filter(
    ([name, version]) => version !== WRITTEN_FOR[name as keyof typeof WRITTEN_FOR],
  );
  if (wrong.length === 0) return;
  const list = wrong.map(([name, v]) => `${name} ${v} (expected ${WRITTEN_FOR[name as keyof typeof WRITTEN_FOR]})`);
  throw new ModelLoadError(
    `This build runs ${list.join(', ')}: the app's fixes to transformers.js internals were written for the ` +
      'expected versions. Install the versions package.json pins.',
  );
}
