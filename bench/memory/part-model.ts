/**
 * The forge VLM with a real export's proportions, for figure 10 (where the
 * copies are). The balanced tier's Qwen3.5-0.8B plan (wasm and WebGPU
 * without f16: q4 everywhere) splits its weights between the vision
 * encoder, `embed_tokens` and the decoder as its manifest lists them; this
 * writes the SmolVLM-family forge model (three sessions, as transformers.js
 * builds them with one `Promise.all`) scaled down to `totalBytes`, every
 * session's weights in an `.onnx_data` file as the real export has them
 * (transformers.js then reads each file whole and hands it to
 * onnxruntime-web as `externalData`, the path the real models take).
 *
 * The weights are fp32 chunks of at most 32 MiB (a real export's tensors are
 * many and mid-sized; one buffer per tensor stays under every adapter's
 * binding limit), each multiplied by a vector taken from the session's
 * output, so onnxruntime cannot fold them away at load, times zero: the
 * answers are the forge's.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import { writeSmolVlm } from '../../test/fixtures/forge/models';
import { PARTS, type Part, type PartModel, type PartModels } from './parts.ts';

const { onnx } = onnxProto;

/** The real plan the proportions come from (src/shared/presets.ts: QWEN35_08B, q4 on wasm and WebGPU without f16). */
const MANIFEST =
  'test/fixtures/real/onnx-community/Qwen3.5-0.8B-ONNX-OPT@fafab72d87a9e6be3925b38caf48286d2838f2d0/manifest.json';
const PLAN_SUFFIX = '_q4';

/** One weight chunk at most: a real export's tensors are many, each far under an adapter's binding limit. */
const CHUNK_BYTES = 32 * 2 ** 20;
/** Columns of each weight chunk (rows × 64 float32). */
const COLUMNS = 64;
/** The least a session carries, so every session has its `.onnx_data` file as the real export does. */
const MIN_PART_BYTES = 64 * 2 ** 10;

/** Each part's share of the real plan's ONNX bytes (graph and external data), from the manifest. */
export function realShares(root = '.'): Readonly<Record<Part, number>> {
  const manifest = JSON.parse(readFileSync(join(root, MANIFEST), 'utf8')) as {
    files: { path: string; bytes: number }[];
  };
  const bytes = Object.fromEntries(PARTS.map((part) => [part, 0])) as Record<Part, number>;
  for (const file of manifest.files) {
    const part = PARTS.find((p) => file.path.startsWith(`onnx/${p}${PLAN_SUFFIX}.onnx`));
    if (part) bytes[part] += file.bytes;
  }
  const total = PARTS.reduce((sum, part) => sum + bytes[part], 0);
  if (total === 0) throw new Error(`${MANIFEST}: no ${PLAN_SUFFIX} session files listed`);
  return Object.freeze(Object.fromEntries(PARTS.map((part) => [part, bytes[part] / total])) as Record<Part, number>);
}

/**
 * Moves `bytes` of weights into `onnx/<part>.onnx_data` and makes the
 * graph's first output depend on them (same values).
 */
function addExternalWeights(dir: string, part: Part, bytes: number): void {
  const path = join(dir, 'onnx', `${part}.onnx`);
  const model = onnx.ModelProto.decode(readFileSync(path));
  const graph = model.graph;
  const output = graph?.output?.[0]?.name;
  if (!graph || !output) throw new Error(`${path}: no graph output to hang the weights on`);
  const before = `${output}__unweighted`;
  for (const node of graph.node ?? []) node.output = (node.output ?? []).map((o) => (o === output ? before : o));
  const node = (opType: string, input: string[], out: string, attribute: object[] = []) =>
    graph.node?.push(onnx.NodeProto.create({ opType, name: `n_${out}`, input, output: [out], attribute }));
  const ints = (name: string, values: number[]) =>
    graph.initializer?.push(
      onnx.TensorProto.create({
        name,
        dims: [values.length],
        dataType: onnx.TensorProto.DataType.INT64,
        int64Data: values,
      }),
    );
  const keepdims0 = [
    onnx.AttributeProto.create({ name: 'keepdims', type: onnx.AttributeProto.AttributeType.INT, i: 0 }),
  ];
  ints('w_vector_shape', [COLUMNS, 1]);
  node('ReduceMean', [before], 'w_mean', keepdims0);
  node('Expand', ['w_mean', 'w_vector_shape'], 'w_vector');

  const data = `${part}.onnx_data`;
  const rowBytes = COLUMNS * 4;
  const chunks: number[] = [];
  for (let left = Math.ceil(bytes / rowBytes) * rowBytes; left > 0; left -= CHUNK_BYTES) {
    chunks.push(Math.min(left, CHUNK_BYTES));
  }
  let offset = 0;
  let sum = '';
  chunks.forEach((length, i) => {
    const name = `w_chunk_${i}`;
    graph.initializer?.push(
      onnx.TensorProto.create({
        name,
        dims: [length / rowBytes, COLUMNS],
        dataType: onnx.TensorProto.DataType.FLOAT,
        dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
        externalData: [
          { key: 'location', value: data },
          { key: 'offset', value: String(offset) },
          { key: 'length', value: String(length) },
        ],
      }),
    );
    offset += length;
    node('MatMul', [name, 'w_vector'], `w_product_${i}`);
    node('ReduceMean', [`w_product_${i}`], `w_reduced_${i}`, keepdims0);
    if (sum) node('Add', [sum, `w_reduced_${i}`], `w_sum_${i}`);
    sum = sum ? `w_sum_${i}` : `w_reduced_${i}`;
  });
  graph.initializer?.push(
    onnx.TensorProto.create({ name: 'w_zero', dims: [], dataType: onnx.TensorProto.DataType.FLOAT, floatData: [0] }),
  );
  node('Mul', [sum, 'w_zero'], 'w_nothing');
  node('Add', [before, 'w_nothing'], output);
  writeFileSync(path, onnx.ModelProto.encode(model).finish());
  // 0.5 everywhere: the products are finite, and the bytes are real pages once read.
  writeFileSync(join(dir, 'onnx', data), new Float32Array(offset / 4).fill(0.5));
}

/**
 * Writes the VLM with `bytes[part]` of external weights per part (at least
 * {@link MIN_PART_BYTES} each), and says so in its config, as the real
 * exports do (`use_external_data_format`).
 */
export function writePartModel(dir: string, bytes: Readonly<Record<Part, number>>): void {
  writeSmolVlm(dir);
  for (const part of PARTS) addExternalWeights(dir, part, Math.max(MIN_PART_BYTES, bytes[part]));
  const configPath = join(dir, 'config.json');
  const config = JSON.parse(readFileSync(configPath, 'utf8')) as Record<string, unknown>;
  config['transformers.js_config'] = { use_external_data_format: true };
  writeFileSync(configPath, JSON.stringify(config, null, 2));
}

/** Bytes each part gets when a model of `totalBytes` keeps the real plan's proportions. */
export function scaledParts(totalBytes: number, shares: Readonly<Record<Part, number>>): Record<Part, number> {
  return Object.fromEntries(PARTS.map((part) => [part, Math.round(totalBytes * shares[part])])) as Record<Part, number>;
}

/**
 * Writes the variants under `root/forge/`: the whole model at 256 MiB
 * (quick: 16 MiB) in the real plan's proportions, the model with no weights
 * to speak of, and in full runs each part alone at its share of the whole,
 * so its copies can be told apart from the others' (transformers.js creates
 * the three sessions at once).
 */
export function writePartModels(root: string, quick: boolean): PartModels {
  const total = (quick ? 16 : 256) * 2 ** 20;
  const scaled = scaledParts(total, realShares());
  const write = (name: string, bytes: Record<Part, number>): PartModel => {
    const repo = `forge/${name}`;
    writePartModel(join(root, repo), bytes);
    return { repo, bytes };
  };
  const only = (part: Part | null) =>
    Object.fromEntries(PARTS.map((p) => [p, p === part ? scaled[p] : MIN_PART_BYTES])) as Record<Part, number>;
  const whole = write('parts-whole', scaled);
  const empty = write('parts-empty', only(null));
  if (quick) return { whole, empty, alone: null };
  const alone = Object.fromEntries(PARTS.map((part) => [part, write(`parts-${part}`, only(part))]));
  return { whole, empty, alone: alone as Record<Part, PartModel> };
}
