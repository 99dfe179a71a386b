/**
 * `distill check`'s model folder: checked before anything loads (a
 * config.json of a VLM family the app runs, the ONNX files the load will
 * ask for), then made the same override the CLI's `--vlm NAME --models
 * PARENT` makes, so the app's own loader reads it offline from where it is.
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { configFileFacts, DTYPE_SUFFIXES, plannedFiles } from '../../shared/model-files';
import { shippedVlmOf } from '../../shared/family-plan';
import type { Dtype, DtypeChoice, ModelFamily, ModelSpec } from '../../shared/model-spec';
import { applyOverride } from '../../shared/roles';
import { fileKind, fsReason } from '../file-words';
import { DistillInputError } from './inputs';

/** A model folder, ready for the local engine. */
export interface CheckedModel {
  /** The VLM spec: the family's preset model with this folder as its repo. */
  readonly spec: ModelSpec;
  /** The folder holding it (the local engine's `modelsDir`). */
  readonly modelsDir: string;
  readonly family: ModelFamily;
  /** The dtypes the load uses. */
  readonly dtype: DtypeChoice;
}

const VLM_TYPES = 'idefics3 or smolvlm (SmolVLM) and qwen3_5 (Qwen3.5)';

async function readConfig(dir: string): Promise<unknown> {
  const path = join(dir, 'config.json');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new DistillInputError(`"${dir}" is not a model folder: "${path}" could not be read: ${fsReason(err)}.`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new DistillInputError(`"${path}" is not JSON: ${err instanceof Error ? err.message : String(err)}.`);
  }
}

/** The ONNX files in `dir/onnx/`; an error naming the folder when there are none. */
async function onnxFiles(dir: string): Promise<Set<string>> {
  const folder = join(dir, 'onnx');
  let names: string[];
  try {
    names = await readdir(folder);
  } catch (err) {
    throw new DistillInputError(
      `"${dir}" is not a model folder for the app: "${folder}" could not be read: ${fsReason(err)}. ` +
        'Export the model for transformers.js first (distill/README.md).',
    );
  }
  const onnx = names.filter((n) => n.endsWith('.onnx'));
  if (onnx.length === 0)
    throw new DistillInputError(
      `"${folder}" holds no .onnx files: export the model for transformers.js first (distill/README.md).`,
    );
  return new Set(names);
}

/** A dtype choice in words: one dtype, or each session's. */
const dtypeText = (choice: DtypeChoice) =>
  typeof choice === 'string'
    ? choice
    : Object.entries(choice)
        .map(([session, d]) => `${session} ${d}`)
        .join(', ');

/** The dtypes whose files are all in the folder, for a message. */
function completeDtypes(family: ModelFamily, present: ReadonlySet<string>): Dtype[] {
  return (Object.keys(DTYPE_SUFFIXES) as Dtype[]).filter((d) =>
    plannedFiles(family, d, undefined)
      .filter((f) => f.startsWith('onnx/'))
      .every((f) => present.has(f.slice('onnx/'.length))),
  );
}

/**
 * Checks `dir` as a VLM model folder and gives the spec the CLI's local
 * engine loads; `dtype` replaces the family's CPU plan (one dtype for every
 * session).
 */
export async function checkModelFolder(dir: string, dtype: Dtype | null): Promise<CheckedModel> {
  let info;
  try {
    info = await stat(dir);
  } catch (err) {
    throw new DistillInputError(`The model folder "${dir}" could not be read: ${fsReason(err)}.`);
  }
  if (!info.isDirectory())
    throw new DistillInputError(`"${dir}" is ${info.isFile() ? 'a file' : fileKind(info)}, not a model folder.`);
  const config = await readConfig(dir);
  const modelType: unknown = typeof config === 'object' && config !== null ? Reflect.get(config, 'model_type') : null;
  const { family, external } = configFileFacts(config);
  const base = family ? shippedVlmOf(family) : null;
  if (!family || !base)
    throw new DistillInputError(
      `"${join(dir, 'config.json')}" has model_type ${JSON.stringify(modelType ?? null)}: the app runs ${VLM_TYPES} as the VLM.`,
    );
  const present = await onnxFiles(dir);
  const choice: DtypeChoice = dtype ?? base.dtypes.wasm;
  const missing = plannedFiles(family, choice, external).filter(
    (f) => f.startsWith('onnx/') && !present.has(f.slice('onnx/'.length)),
  );
  if (missing.length) {
    const complete = completeDtypes(family, present);
    throw new DistillInputError(
      `"${dir}" lacks ${missing.map((f) => `"${f}"`).join(', ')}, which ${dtype ? `--dtype ${dtype}` : `the app's CPU plan for ${family} models (${dtypeText(choice)})`} loads. ` +
        (complete.length
          ? `Its complete dtypes: ${complete.join(', ')} (choose one with --dtype).`
          : 'No dtype has all its sessions there: export every session (vision_encoder, embed_tokens, decoder_model_merged).'),
    );
  }
  const full = resolve(dir);
  const name = basename(full);
  // The loader takes a repo id under a models folder: a name of other characters cannot be one.
  if (!/^[\w.-]+$/.test(name) || name === '.' || name === '..')
    throw new DistillInputError(
      `The model folder's name "${name}" is not one a model id can have (letters, digits, "_", "-", "."): rename it, or link it under such a name.`,
    );
  const spec = applyOverride({ ...base, dtypes: { ...base.dtypes, wasm: choice } }, { kind: 'repo', repo: name });
  return { spec, modelsDir: dirname(full), family, dtype: choice };
}
