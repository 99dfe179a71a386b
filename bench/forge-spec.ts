/** The engine's model spec of a bench forge model: fp32 files on every plan, as the forge writes them. */
import type { ModelFamily, ModelSpec } from '../src/shared/model-spec';

export function forgeSpec(family: ModelFamily, repo: string, approxBytes: number): ModelSpec {
  return {
    family,
    repo,
    revision: 'main',
    dtypes: { webgpuF16: 'fp32', webgpu: 'fp32', wasm: 'fp32' },
    approxBytes,
  };
}
