/**
 * VLM families beyond the shipped SmolVLM, forged with the layout
 * transformers.js 4.3.2 expects (docs/model-families.md), through the app's
 * own Vlm wrapper: exact captions, batches, image reuse, and the files a
 * load asks the model host for, which the download plan must list.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import onnxProto from 'onnx-proto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RawImage, type Tensor } from '@huggingface/transformers';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CHAT_OPTIONS } from '../../src/models/generation';
import { FAMILY_BATCHING } from '../../src/shared/batching';
import { capflowModels } from '../../src/models/capflow-models';
import { runCapflow } from '../../src/capflow/workflow';
import { DOMAINS } from '../../src/capflow/spec';
import { TextLlm } from '../../src/models/text-llm';
import { preprocessImagesApart } from '../../src/models/image-frames';
import { Vlm, capImagePixels, loadProcessor } from '../../src/models/vlm';
import { PRESETS, QWEN3_06B } from '../../src/shared/presets';
import { plannedFiles } from '../../src/shared/model-files';
import { writeQwen35Vlm } from '../fixtures/forge/qwen';
import { DTYPE_SUFFIX, type ForgeDtype, writeSmolVlm } from '../fixtures/forge/models';

const PLAN_KEYS = ['webgpuF16', 'webgpu', 'wasm'] as const;
import { TINY_QWEN35_VLM, TINY_VLM_CAPTIONS } from '../fixtures/specs';
import { closeHub, serveAsHub } from '../support/hub-env';
import type { ModelServer } from '../support/model-server';

const QWEN35 = TINY_QWEN35_VLM;

let root: string;
let server: ModelServer;

function solid(r: number, g: number, b: number, width = 50, height = 40): RawImage {
  const data = new Uint8ClampedArray(width * height * 3);
  for (let i = 0; i < data.length; i += 3) data.set([r, g, b], i);
  return new RawImage(data, width, height, 3);
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'mc-families-'));
  writeQwen35Vlm(join(root, 'forge/tiny-qwen3_5'));
  writeQwen35Vlm(join(root, 'forge/no-template'));
  // Loaded over HTTP from the test's model host into an empty cache folder, so every file it needs is requested.
  server = await serveAsHub(root);
});

afterAll(() => closeHub(server, root));

describe('Qwen3.5 (hybrid attention, multimodal rope, Qwen2-VL patches)', () => {
  let vlm: Vlm;
  beforeAll(async () => {
    vlm = await Vlm.load(QWEN35, 'wasm', 'fp32', () => {});
  });
  afterAll(() => vlm.dispose());

  test('the load fetches exactly the files its download plan lists', () => {
    const fetched = new Set(
      server.requests
        .filter((r) => r.status === 200)
        .map((r) => r.path.replace(/^\/forge\/tiny-qwen3_5\/resolve\/main\//, '')),
    );
    expect([...fetched].sort()).toEqual(plannedFiles('qwen3_5', 'fp32', undefined).sort());
  });

  test.each([
    ['red', solid(230, 20, 30)],
    ['green', solid(10, 200, 40)],
    ['blue', solid(20, 30, 220)],
  ] as const)('a %s image gets its exact caption', async (colour, image) => {
    const out = await vlm.generate([image], { prompt: 'Describe this image.', maxNewTokens: 40 });
    expect(out.text).toBe(TINY_VLM_CAPTIONS[colour]);
  });

  test('batched, padding reaches the linear-attention state and changes an answer: Qwen3.5 runs one by one', async () => {
    // The decoder's fused linear-attention ops take no mask (as the export's); the left-padded row sees its padding.
    const image = solid(10, 200, 40);
    const rows = [
      { prompt: 'Describe.', maxNewTokens: 40 },
      { prompt: 'Describe this image in a few more words than that.', maxNewTokens: 5 },
    ];
    const before = { ...vlm.imageWork };
    const alone = await Promise.all(rows.map((row) => vlm.generate([image], row)));
    // One by one, the image is still preprocessed and encoded once.
    expect(vlm.imageWork).toEqual({ preprocessed: before.preprocessed + 1, encoded: before.encoded + 1 });
    expect(alone.map((a) => a.text)).toEqual([TINY_VLM_CAPTIONS.green, TINY_VLM_CAPTIONS.green.slice(0, 5)]);
    const batch = await vlm.generateBatch([image], rows, {});
    expect(batch[0]?.text).not.toBe(alone[0]?.text); // the padded (shorter) row
    expect(batch[1]).toEqual(alone[1]);
    expect(vlm.batching).toEqual(FAMILY_BATCHING.qwen3_5);
    expect(vlm.batching.batched).toBe(false);
  });

  test('with batching asked for, CapFlow runs a Qwen3.5 domain’s agents one by one and each step says why', async () => {
    const models = capflowModels(vlm, vlm, null, null);
    expect(models.vlm.generateBatch).toBeUndefined();
    const options = { mode: 'capflow', domain: 'ui', judge: null, batchAgents: true } as const;
    const ctx = { jobId: 'j', check: () => {}, emit: () => {}, now: () => performance.now() };
    const record = await runCapflow({ kind: 'image', image: solid(230, 20, 30) }, models, options, ctx);
    const vlmSteps = record.trace.filter((t) => DOMAINS.ui.agents.some((a) => a === t.agent && a !== 'ocr'));
    expect(vlmSteps.length).toBeGreaterThan(1);
    for (const step of vlmSteps) {
      expect(step.batch).toBeUndefined();
      expect(step.unbatched).toBe(FAMILY_BATCHING.qwen3_5.reason);
      expect(step.output).toBe(TINY_VLM_CAPTIONS.red);
    }
  });

  test('text-only prompts run on the same model (the summary role of a one-model tier)', async () => {
    expect((await vlm.generateText({ prompt: 'Notes: Blue sky, Big Boat.', maxNewTokens: 40 })).text).toBe(
      TINY_VLM_CAPTIONS.blue,
    );
  });

  test('the chat template comes from chat_template.jinja, rendered with thinking off', async () => {
    const processor = await loadProcessor(QWEN35.repo, {});
    expect(processor.tokenizer?.chat_template).toBeNull(); // as in the export: not in tokenizer_config.json
    const content = [{ type: 'image' }, { type: 'text', text: 'Hi' }];
    expect(processor.apply_chat_template([{ role: 'user', content }], CHAT_OPTIONS)).toBe(
      '<|im_start|>user\n<|vision_start|><|image_pad|><|vision_end|>Hi<|im_end|>\n' +
        '<|im_start|>assistant\n<think>\n\n</think>\n\n',
    );
  });

  test('a tier’s pixel cap bounds the image tokens of any photo; a larger cap never raises the export’s own', async () => {
    const processor = await loadProcessor(QWEN35.repo, {});
    const photo = solid(200, 120, 40, 400, 400);
    const images = processor.image_processor;
    if (!images) throw new Error('the fixture has an image processor');
    const grid = async () => {
      const { image_grid_thw } = await images([photo]);
      return Array.from(image_grid_thw.data as BigInt64Array, Number);
    };
    // The export's own limits (256×256 to 16.7 MP): 400 px rounds to 416, 26 patches of 16 px a side.
    expect(await grid()).toEqual([1, 26, 26]);
    capImagePixels(processor, 100_000_000);
    expect(await grid()).toEqual([1, 26, 26]);
    capImagePixels(processor, 64 * 64);
    expect(await grid()).toEqual([1, 4, 4]);
  });

  test('its decoder also loads alone as a text model (template from chat_template.jinja), answering as the VLM does', async () => {
    const llm = await TextLlm.load({ ...QWEN3_06B, repo: QWEN35.repo, revision: 'main' }, 'wasm', 'fp32', () => {});
    try {
      expect((await llm.generateText({ prompt: 'Notes: Blue sky, Big Boat.', maxNewTokens: 40 })).text).toBe(
        TINY_VLM_CAPTIONS.blue,
      );
    } finally {
      await llm.dispose();
    }
  });

  test('several images in one prompt (video frames) are preprocessed one by one: one grid row each', async () => {
    const processor = await loadProcessor(QWEN35.repo, {});
    preprocessImagesApart(processor);
    const images = processor.image_processor;
    if (!images) throw new Error('the fixture has an image processor');
    const frames = [solid(230, 20, 30), solid(20, 30, 220, 80, 40), solid(10, 200, 40)];
    const alone = await Promise.all(frames.map((f) => images([f])));
    const together = await images(frames);
    const rows = (t: Tensor) => Array.from(t.data as BigInt64Array, Number);
    expect(rows(together.image_grid_thw)).toEqual(alone.flatMap((o) => rows(o.image_grid_thw)));
    expect(together.pixel_values.dims[0]).toBe(alone.reduce((n, o) => n + (o.pixel_values.dims[0] ?? 0), 0));
    // Through the VLM: three red frames caption as red; mixed frames answer too (4.3.2 alone throws on three).
    const red = solid(230, 20, 30);
    const caption = (f: RawImage[]) => vlm.generate(f, { prompt: 'Describe these frames.', maxNewTokens: 40 });
    expect((await caption([red, solid(231, 20, 30), solid(229, 20, 30)])).text).toBe(TINY_VLM_CAPTIONS.red);
    expect((await caption(frames)).tokens).toBeGreaterThan(0);
  });

  test('a repo with no chat template anywhere fails to load with a specific error', async () => {
    rmSync(join(root, 'forge/no-template/chat_template.jinja'));
    await expect(Vlm.load({ ...QWEN35, repo: 'forge/no-template' }, 'wasm', 'fp32', () => {})).rejects.toThrow(
      'forge/no-template has no chat template: neither tokenizer_config.json nor chat_template.jinja has one',
    );
  });
});

describe('every shipped plan runs through the app on graphs with its real element types', () => {
  const ALL_DTYPES = Object.keys(DTYPE_SUFFIX) as ForgeDtype[];
  const plans = [
    ['tiny', 'forge/plans-smolvlm', PRESETS.tiny.vlm] as const,
    ['balanced', 'forge/plans-qwen3_5', PRESETS.balanced.vlm] as const,
  ];
  beforeAll(() => {
    writeSmolVlm(join(root, 'forge/plans-smolvlm'), { dtypes: ALL_DTYPES });
    writeQwen35Vlm(join(root, 'forge/plans-qwen3_5'), { dtypes: ALL_DTYPES });
  });

  test('the half-precision files are float16 where the real ones are', () => {
    const decoder = readFileSync(join(root, 'forge/plans-qwen3_5/onnx/decoder_model_merged_q4f16.onnx'));
    const model = onnxProto.onnx.ModelProto.decode(decoder);
    const types = Object.fromEntries(
      [...(model.graph?.input ?? []), ...(model.graph?.output ?? [])].map((v) => [
        v.name,
        v.type?.tensorType?.elemType,
      ]),
    );
    const FLOAT16 = onnxProto.onnx.TensorProto.DataType.FLOAT16;
    expect(types['past_key_values.3.key']).toBe(FLOAT16);
    expect(types['past_recurrent.0']).toBe(FLOAT16);
    expect(types.logits).toBe(FLOAT16);
    expect(types.inputs_embeds).toBe(onnxProto.onnx.TensorProto.DataType.FLOAT);
  });

  test.each(plans.flatMap(([tier, repo, spec]) => PLAN_KEYS.map((plan) => [tier, plan, repo, spec] as const)))(
    '%s, %s plan: exact captions, several frames, and batches where the family batches',
    async (_tier, plan, repo, spec) => {
      const vlm = await Vlm.load({ ...spec, repo, revision: 'main' }, 'wasm', spec.dtypes[plan], () => {});
      try {
        for (const [colour, image] of [
          ['red', solid(230, 20, 30)],
          ['blue', solid(20, 30, 220)],
        ] as const) {
          expect((await vlm.generate([image], { prompt: 'Describe.', maxNewTokens: 40 })).text).toBe(
            TINY_VLM_CAPTIONS[colour],
          );
        }
        const frames = [solid(230, 20, 30), solid(231, 20, 30)];
        expect((await vlm.generate(frames, { prompt: 'Describe these frames.', maxNewTokens: 40 })).text).toBe(
          TINY_VLM_CAPTIONS.red,
        );
        expect((await vlm.generateText({ prompt: 'Notes: Blue sky.', maxNewTokens: 40 })).text).toMatch(/^[Bb]/);
        if (vlm.batching.batched) {
          const rows = [
            { prompt: 'Describe.', maxNewTokens: 40 },
            { prompt: 'Describe this image in a few more words.', maxNewTokens: 40 },
          ];
          const image = solid(10, 200, 40);
          const alone = await Promise.all(rows.map((r) => vlm.generate([image], r)));
          expect(await vlm.generateBatch([image], rows, {})).toEqual(alone);
        }
      } finally {
        await vlm.dispose();
      }
    },
  );
});
