/**
 * Imports a model folder the user picked from disk into the weight cache,
 * for offline and air-gapped users who bring their own weights. The files
 * are filed under the `imported` source, so loading `imported/<name>` finds
 * every file in the cache and never touches the network.
 */
import type { ImportFile } from '../../shared/api';
import { ImportError, QuotaExceededError } from '../../shared/errors';
import { IMPORTED_HOST } from '../../shared/model-source';
import { modelFolder } from '../runtime/runtime';
import type { WeightCache } from './weight-cache';

const NAME = /^[\w.-]{1,96}$/;

/** Why a set of files cannot be a transformers.js model folder, or null. */
export function importProblem(name: string, paths: readonly string[]): string | null {
  if (!NAME.test(name) || name.startsWith('.')) {
    return `"${name}" cannot name an imported model: use letters, digits, ".", "_" or "-".`;
  }
  if (paths.some((p) => p.split('/').some((part) => part === '..' || part === ''))) {
    return 'The picked files have unusual paths; pick the model folder itself.';
  }
  if (!paths.includes('config.json'))
    return `The folder "${name}" has no config.json: pick a transformers.js model folder.`;
  if (!paths.some((p) => /^onnx\/[^/]+\.onnx$/.test(p))) {
    return `The folder "${name}" has no onnx/*.onnx weights: transformers.js needs the ONNX export of the model.`;
  }
  return null;
}

/** Stores the files and returns the repo id to load (`imported/<name>`). */
export async function importModelFiles(
  cache: WeightCache,
  name: string,
  files: readonly ImportFile[],
  available: number,
  total: number,
): Promise<string> {
  const problem = importProblem(
    name,
    files.map((f) => f.path),
  );
  if (problem) throw new ImportError(problem);
  if (total > available) throw new QuotaExceededError(`the imported model "${name}"`, total, available);
  const repo = `imported/${name}`;
  const folder = modelFolder({ kind: 'imported' }, repo, 'main');
  if (!folder.startsWith(IMPORTED_HOST)) throw new Error('imported models must live under the imported host');
  await cache.deleteModel(folder);
  await cache.track(folder, repo, 'main');
  for (const file of files) await cache.putBlob(`${folder}${file.path}`, file.blob);
  await cache.markComplete(folder);
  return repo;
}
