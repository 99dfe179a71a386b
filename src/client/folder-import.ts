/**
 * Turns the files of a picked folder (`<input webkitdirectory>` gives each a
 * `webkitRelativePath` such as "SmolVLM/onnx/model.onnx") into model-relative
 * paths and a model name. The worker validates what the folder holds.
 */
import type { ImportFile } from '../shared/api';
import { ImportError } from '../shared/errors';

function isImportFile(file: File | ImportFile): file is ImportFile {
  return 'path' in file && 'blob' in file;
}

/** The model name and files of a picked folder; `name` defaults to the folder's name. */
export function folderImport(
  files: readonly (File | ImportFile)[],
  name?: string,
): { name: string; files: ImportFile[] } {
  if (files.length === 0) throw new ImportError('No files were picked: choose the model folder.');
  const entries = files.map((f) => (isImportFile(f) ? f : { path: f.webkitRelativePath || f.name, blob: f }));
  const tops = new Set(entries.map((e) => (e.path.includes('/') ? e.path.split('/')[0] : '')));
  const [top] = tops;
  // Strip the picked folder itself when every file sits inside it.
  const strip = tops.size === 1 && top ? `${top}/` : '';
  const modelName = name ?? (strip ? top : undefined);
  if (!modelName) throw new ImportError('Name the imported model: the files do not come from one folder.');
  return { name: modelName, files: entries.map((e) => ({ path: e.path.slice(strip.length), blob: e.blob })) };
}
