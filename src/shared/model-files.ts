/**
 * Which files loading a model fetches, as frozen data per architecture
 * family, so the page can say how many bytes a choice will download before
 * it downloads anything. The lists follow what the loaders in
 * `src/models/` ask transformers.js 4.3 for (checked against the requests
 * the tests' model server sees): config and tokenizer/processor files,
 * then one ONNX file per session with the dtype's suffix, plus external
 * data files when the model's config says it has them. transformers.js's
 * own `ModelRegistry.get_files` is not used: it ignores the revision and
 * lists `model.onnx` for CLIP, whose two towers we load separately.
 */
import type { Dtype, DtypeChoice, ModelFamily } from './model-spec';

/** The files of a family: small JSON files (each may be absent) and ONNX sessions. */
export interface FamilyFiles {
  readonly configs: readonly string[];
  readonly sessions: readonly string[];
}

/** Files per family, in the order loads ask for them. */
export const FAMILY_FILES = Object.freeze({
  idefics3: {
    configs: [
      'config.json',
      'generation_config.json',
      'preprocessor_config.json',
      'processor_config.json',
      'tokenizer.json',
      'tokenizer_config.json',
    ],
    sessions: ['vision_encoder', 'embed_tokens', 'decoder_model_merged'],
  },
  /**
   * Qwen3.5 VLMs: no processor_config.json (the Qwen3-VL processor does not read one; docs/model-families.md);
   * the chat template in chat_template.jinja, read when tokenizer_config.json has none (see vlm.ts).
   */
  qwen3_5: {
    configs: [
      'config.json',
      'generation_config.json',
      'preprocessor_config.json',
      'tokenizer.json',
      'tokenizer_config.json',
      'chat_template.jinja',
    ],
    sessions: ['vision_encoder', 'embed_tokens', 'decoder_model_merged'],
  },
  qwen3: {
    configs: ['config.json', 'generation_config.json', 'tokenizer.json', 'tokenizer_config.json'],
    sessions: ['model'],
  },
  clip: {
    configs: ['config.json', 'preprocessor_config.json', 'tokenizer.json', 'tokenizer_config.json'],
    sessions: ['text_model', 'vision_model'],
  },
} as const satisfies Record<ModelFamily, FamilyFiles>);

/** Families by a config's `model_type` (SmolVLM repos say `idefics3`, later ones `smolvlm`). */
const MODEL_TYPE_FAMILIES: Readonly<Record<string, ModelFamily>> = Object.freeze({
  idefics3: 'idefics3',
  smolvlm: 'idefics3',
  qwen3_5: 'qwen3_5',
  qwen3: 'qwen3',
  clip: 'clip',
});

/** The family a config's `model_type` belongs to, or null for one the engine has no file list for. */
export function familyOfModelType(modelType: unknown): ModelFamily | null {
  return typeof modelType === 'string' && Object.hasOwn(MODEL_TYPE_FAMILIES, modelType)
    ? (MODEL_TYPE_FAMILIES[modelType] ?? null)
    : null;
}

/** transformers.js's file-name suffix per dtype. */
export const DTYPE_SUFFIXES = Object.freeze({
  fp32: '',
  fp16: '_fp16',
  q8: '_quantized',
  q4: '_q4',
  q4f16: '_q4f16',
} as const satisfies Record<Dtype, string>);

/** The `use_external_data_format` setting of a config's `transformers.js_config` (true, a count, or per file). */
export type ExternalDataSetting = boolean | number | Readonly<Record<string, boolean | number>> | undefined;

/** What a model's `config.json` says about its files. */
export interface ConfigFacts {
  /** The external-data setting of its `transformers.js_config`. */
  readonly external: ExternalDataSetting;
  /** The family by `model_type`; null for one the engine has no file list for. */
  readonly family: ModelFamily | null;
}

function isExternalDataSetting(value: unknown): value is ExternalDataSetting {
  if (typeof value === 'boolean' || typeof value === 'number') return true;
  return (
    typeof value === 'object' &&
    value !== null &&
    Object.values(value).every((v) => typeof v === 'boolean' || typeof v === 'number')
  );
}

/** The facts of a parsed `config.json` (anything but an object says nothing). */
export function configFileFacts(config: unknown): ConfigFacts {
  if (typeof config !== 'object' || config === null) return { external: undefined, family: null };
  const family = familyOfModelType(Reflect.get(config, 'model_type'));
  const custom: unknown = Reflect.get(config, 'transformers.js_config');
  if (typeof custom !== 'object' || custom === null) return { external: undefined, family };
  const setting: unknown = Reflect.get(custom, 'use_external_data_format');
  return { external: isExternalDataSetting(setting) ? setting : undefined, family };
}

function externalChunks(setting: ExternalDataSetting, fullName: string, session: string): number {
  if (setting === undefined) return 0;
  if (typeof setting === 'object') return Number(setting[fullName] ?? setting[session] ?? 0);
  return Number(setting);
}

/** The dtype a session runs with under a choice (per-session records fall back to fp32, as transformers.js does). */
export function sessionDtype(choice: DtypeChoice, session: string): Dtype {
  return typeof choice === 'string' ? choice : (choice[session] ?? 'fp32');
}

/**
 * The files a load of `family` with `dtype` fetches, relative to the model
 * folder. External data follows transformers.js's naming
 * (`<file>.onnx_data`, `<file>.onnx_data_1`, …).
 */
export function plannedFiles(family: ModelFamily, dtype: DtypeChoice, externalData: ExternalDataSetting): string[] {
  const spec: FamilyFiles = FAMILY_FILES[family];
  const files = [...spec.configs];
  for (const session of spec.sessions) {
    const fullName = `${session}${DTYPE_SUFFIXES[sessionDtype(dtype, session)]}.onnx`;
    files.push(`onnx/${fullName}`);
    const chunks = externalChunks(externalData, fullName, session);
    for (let i = 0; i < chunks; i++) files.push(`onnx/${fullName}_data${i === 0 ? '' : `_${i}`}`);
  }
  return files;
}

/**
 * A model file as people know it, from its URL (absolute, or a path on
 * this origin): the path after the hub's `resolve/<revision>/`, else the
 * whole path.
 */
export function fileOfUrl(url: string): string {
  const { pathname } = new URL(url, 'http://relative.invalid/');
  return /\/resolve\/[^/]+\/(.+)$/.exec(pathname)?.[1] ?? pathname;
}
