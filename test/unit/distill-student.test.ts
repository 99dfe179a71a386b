/**
 * The committed tiny student (test/fixtures/distill/student/, made by
 * `python distill/distill.py tiny-loop`: a real exporter's output, not the
 * forge's) loads through the app's own model code as a local model folder,
 * the way `--models DIR --vlm distill/student` does, and decodes greedily
 * the token ids torch and onnxruntime (Python) recorded for the same inputs
 * (student-reference.json). The toy's weights are large enough that its
 * tokens depend on every input: a wrong pixel, position or mask changes them.
 * Measured: without the app's float16-feature merge (feature-types.ts) the
 * half-precision plan decodes other tokens, and without keepMaskWhileDecoding
 * (decode-mask.ts) so does the left-padded row of a batch.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RawImage, StoppingCriteria, env } from '@huggingface/transformers';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Vlm } from '../../src/models/vlm';
import type { DtypeChoice } from '../../src/shared/model-spec';
import { PRESETS } from '../../src/shared/presets';
import { applyOverride } from '../../src/shared/roles';
import { studentInputs, tensorHash } from '../support/student-inputs';

const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));
const REPO = 'distill/student';
const SPEC = applyOverride(PRESETS.tiny.vlm, { kind: 'repo', repo: REPO });
const IMAGE = join(FIXTURES, 'distill/student-reference.png');

interface Reference {
  readonly prompt: string;
  readonly max_new_tokens: number;
  readonly input_ids_sha256: string;
  readonly pixel_values_sha256: string;
  readonly prompt_tokens: number;
  readonly tokens: Readonly<Record<string, number[] | string>>;
}
const REFERENCE = JSON.parse(readFileSync(join(FIXTURES, 'distill/student-reference.json'), 'utf8')) as Reference;

/** Keeps the ids transformers.js has generated so far (a criterion that never stops: it only looks). */
class TokenRecorder extends StoppingCriteria {
  rows: number[][] = [];
  // Declared as number[][] in 4.3's types; generate() passes bigint ids (all_input_ids), which Number() reads alike.
  override _call(inputIds: number[][]): boolean[] {
    this.rows = inputIds.map((row) => row.map(Number));
    return inputIds.map(() => false);
  }
  get ids(): number[] {
    return this.rows[0] ?? [];
  }
}

/** The new token ids a loaded student generates for `image` and `prompt` through Vlm.generate. */
async function tokensOf(vlm: Vlm, image: RawImage, prompt = REFERENCE.prompt): Promise<number[]> {
  const recorder = new TokenRecorder();
  await vlm.generate([image], { prompt, maxNewTokens: REFERENCE.max_new_tokens, stopping: recorder });
  return recorder.ids.slice(REFERENCE.prompt_tokens);
}

function recorded(key: string): number[] {
  const tokens = REFERENCE.tokens[key];
  if (!Array.isArray(tokens)) throw new Error(`student-reference.json has no tokens for ${key}: ${String(tokens)}`);
  return tokens;
}

let image: RawImage;

beforeAll(async () => {
  env.localModelPath = FIXTURES;
  env.allowLocalModels = true;
  env.allowRemoteModels = false;
  image = await RawImage.read(IMAGE);
});

test('the app makes the inputs the reference was recorded from', async () => {
  const inputs = await studentInputs(REPO, IMAGE, REFERENCE.prompt);
  expect(inputs.input_ids.dims).toEqual([1, REFERENCE.prompt_tokens]);
  expect(tensorHash(inputs.input_ids)).toBe(REFERENCE.input_ids_sha256);
  expect(tensorHash(inputs.pixel_values)).toBe(REFERENCE.pixel_values_sha256);
});

// Each plan's files as the tiny tier loads them (SMOLVLM_DTYPES), against onnxruntime (Python) on the same
// files; fp32 against torch itself. The half-precision plan (fp16 tower, q4f16 decoder) runs here on
// onnxruntime-node's CPU, as its Python twin ran it, so its float16 features and cache go through the app.
describe.each([
  ['fp32 (torch)', 'fp32' as DtypeChoice, 'torch'],
  ['wasm plan (q8)', SPEC.dtypes.wasm, 'onnxruntime:wasm'],
  ['webgpu plan (fp32 tower, q4 decoder)', SPEC.dtypes.webgpu, 'onnxruntime:webgpu'],
  ['webgpuF16 plan (fp16 tower, q4f16 decoder)', SPEC.dtypes.webgpuF16, 'onnxruntime:webgpuF16'],
] as const)('%s', (_name, dtype, key) => {
  let vlm: Vlm;
  beforeAll(async () => {
    vlm = await Vlm.load(SPEC, 'wasm', dtype, () => {});
  }, 60_000);
  afterAll(() => vlm?.dispose());

  test('greedy tokens equal the recorded ones', async () => {
    expect(await tokensOf(vlm, image)).toEqual(recorded(key));
  }, 60_000);
});

// The student imported over a Qwen3.5 tier (the page's automatic tier on a larger device): the tier's plan
// names `_q4` files of every session, which a SmolVLM export does not have. Its config decides the plan.
test("over a Qwen3.5 tier it loads its own family's plan and decodes the same tokens", async () => {
  const overBalanced = applyOverride(PRESETS.balanced.vlm, { kind: 'repo', repo: REPO });
  const vlm = await Vlm.load(overBalanced, 'wasm', overBalanced.dtypes.wasm, () => {});
  try {
    expect(vlm.dtype).toEqual(SPEC.dtypes.wasm);
    expect(vlm.spec.family).toBe('idefics3');
    expect(await tokensOf(vlm, image)).toEqual(recorded('onnxruntime:wasm'));
  } finally {
    await vlm.dispose();
  }
}, 60_000);

/** An onnxruntime tensor as a session run takes it (its constructor makes another of its kind). */
interface OrtTensor {
  readonly type: string;
  readonly data: BigInt64Array | Uint8Array;
  readonly dims: readonly number[];
  readonly constructor: new (type: string, data: BigInt64Array | Uint8Array, dims: readonly number[]) => OrtTensor;
}
type Feeds = Record<string, OrtTensor>;

/** Makes one of the loaded model's ONNX sessions see `edit(feeds)` instead of what transformers.js feeds it. */
function perturb(vlm: Vlm, session: string, edit: (feeds: Feeds) => Feeds): void {
  const model = Reflect.get(vlm, 'model') as {
    sessions: Record<string, { run: (f: Feeds, ...r: unknown[]) => unknown }>;
  };
  const target = model.sessions[session];
  if (!target) throw new Error(`the student has no ${session} session`);
  const run = target.run.bind(target);
  target.run = (feeds, ...rest) => run(edit(feeds), ...rest);
}

/** `feeds` with `name`'s data changed by `change` (a copy) when `when` holds for it. */
function edited(
  feeds: Feeds,
  name: string,
  when: (t: OrtTensor) => boolean,
  change: (data: BigInt64Array | Uint8Array) => void,
): Feeds {
  const tensor = feeds[name];
  if (!tensor || !when(tensor)) return feeds;
  const data = tensor.data.slice();
  change(data);
  return { ...feeds, [name]: new tensor.constructor(tensor.type, data, tensor.dims) };
}

// What the recorded tokens catch: each input the app builds, made slightly wrong, changes them (measured on
// this fixture: a decode position off by 5 from the 2nd token on, one prompt position from the 10th, one
// masked prompt token or the last tile's lower rows masked from the 3rd).
test('in a batch with a longer prompt, the left-padded row decodes the same tokens', async () => {
  const vlm = await Vlm.load(SPEC, 'wasm', 'fp32', () => {});
  try {
    const recorder = new TokenRecorder();
    const budget = REFERENCE.max_new_tokens;
    const longer = `${REFERENCE.prompt} Name every colour you see, and where it is.`;
    await vlm.generateBatch(
      [image],
      [
        { prompt: REFERENCE.prompt, maxNewTokens: budget },
        { prompt: longer, maxNewTokens: budget },
      ],
      { stopping: recorder },
    );
    expect(recorder.rows).toHaveLength(2);
    expect(recorder.ids.slice(-budget)).toEqual(recorded('torch'));
  } finally {
    await vlm.dispose();
  }
}, 60_000);

describe('the comparison can fail', () => {
  const decodeStep = (t: OrtTensor) => t.dims.at(-1) === 1;
  const prompt = (t: OrtTensor) => (t.dims.at(-1) ?? 0) > 1;
  test.each([
    [
      "a decode step's position",
      'decoder_model_merged',
      (f: Feeds) =>
        edited(f, 'position_ids', decodeStep, (d) => {
          d[0] = (d[0] as bigint) - 5n;
        }),
    ],
    [
      'one prompt position',
      'decoder_model_merged',
      (f: Feeds) =>
        edited(f, 'position_ids', prompt, (d) => {
          d[10] = d[11] as bigint;
        }),
    ],
    [
      'one prompt token masked',
      'decoder_model_merged',
      (f: Feeds) =>
        edited(f, 'attention_mask', prompt, (d) => {
          d[3] = 0n;
        }),
    ],
    [
      "the pixel mask of the last tile's lower rows",
      'vision_encoder',
      (f: Feeds) =>
        edited(
          f,
          'pixel_attention_mask',
          () => true,
          (d) => {
            (d as Uint8Array).fill(0, d.length - 64 * 20);
          },
        ),
    ],
  ] as const)(
    '%s',
    async (_name, session, edit) => {
      const vlm = await Vlm.load(SPEC, 'wasm', 'fp32', () => {});
      try {
        expect(await tokensOf(vlm, image)).toEqual(recorded('torch'));
        perturb(vlm, session, edit);
        // A copy: the same image object's features would be reused, not encoded again (image-reuse.ts).
        expect(await tokensOf(vlm, image.clone())).not.toEqual(recorded('torch'));
      } finally {
        await vlm.dispose();
      }
    },
    60_000,
  );

  test('the image mirrored gives other tokens', async () => {
    const vlm = await Vlm.load(SPEC, 'wasm', 'fp32', () => {});
    try {
      // Same pixels in other places: the tower's patch positions matter.
      expect(await tokensOf(vlm, mirror(image))).not.toEqual(recorded('torch'));
    } finally {
      await vlm.dispose();
    }
  }, 60_000);
});

/** The image mirrored left to right. */
function mirror(source: RawImage): RawImage {
  const { width, height, channels } = source;
  const out = new Uint8ClampedArray(source.data.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < channels; c++) {
        out[(y * width + x) * channels + c] = source.data[(y * width + (width - 1 - x)) * channels + c] ?? 0;
      }
    }
  }
  return new RawImage(out, width, height, channels);
}
