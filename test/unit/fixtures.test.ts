/**
 * The forge's fixtures load through the same transformers.js classes the app
 * uses (the app's own Vlm wrapper for the VLM) and behave exactly as
 * documented in test/fixtures/forge/models.ts.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AutoImageProcessor,
  AutoModelForCausalLM,
  AutoTokenizer,
  CLIPTextModelWithProjection,
  CLIPVisionModelWithProjection,
  RawImage,
  Tensor,
  env,
} from '@huggingface/transformers';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { TextLlm } from '../../src/models/text-llm';
import { Vlm } from '../../src/models/vlm';
import { forgeAll } from '../fixtures/forge/models';
import { type Script, scriptedAnswer } from '../fixtures/forge/script';
import { writeScriptedLlm, writeScriptedVlm } from '../fixtures/forge/scripted';
import { TINY_LLM, TINY_VLM, TINY_VLM_CAPTIONS } from '../fixtures/specs';

let root: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'mc-forge-'));
  forgeAll(join(root, 'forge'), { dtypes: ['fp32', 'q4'] });
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = `${root}/`;
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

function solid(r: number, g: number, b: number): RawImage {
  const data = new Uint8ClampedArray(50 * 40 * 3);
  for (let i = 0; i < data.length; i += 3) data.set([r, g, b], i);
  return new RawImage(data, 50, 40, 3);
}

test('every fixture is written under each requested dtype suffix', () => {
  expect(readdirSync(join(root, 'forge/tiny-smolvlm/onnx')).sort()).toEqual([
    'decoder_model_merged.onnx',
    'decoder_model_merged_q4.onnx',
    'embed_tokens.onnx',
    'embed_tokens_q4.onnx',
    'vision_encoder.onnx',
    'vision_encoder_q4.onnx',
  ]);
});

describe('tiny SmolVLM (Idefics3) through the app’s Vlm wrapper', () => {
  let vlm: Vlm;
  beforeAll(async () => {
    vlm = await Vlm.load(TINY_VLM, 'wasm', 'fp32', () => {});
  });
  afterAll(() => vlm.dispose());

  test.each([
    ['red', solid(230, 20, 30)],
    ['green', solid(10, 200, 40)],
    ['blue', solid(20, 30, 220)],
    ['grey', solid(128, 128, 128)],
  ] as const)('a %s image gets its exact caption', async (colour, image) => {
    const out = await vlm.generate([image], { prompt: 'Describe this image.', maxNewTokens: 40 });
    expect(out.text).toBe(TINY_VLM_CAPTIONS[colour]);
    expect(out.tokens).toBe(TINY_VLM_CAPTIONS[colour].length + 1); // + end of utterance
  });

  test('max_new_tokens cuts the caption', async () => {
    const out = await vlm.generate([solid(230, 20, 30)], { prompt: 'Describe.', maxNewTokens: 3 });
    expect(out.text).toBe('RST');
  });
});

describe('tiny Qwen3 text LLM', () => {
  test('answers with the colour its prompt names most, through the chat template', async () => {
    const tokenizer = await AutoTokenizer.from_pretrained('forge/tiny-qwen3');
    const model = await AutoModelForCausalLM.from_pretrained('forge/tiny-qwen3', { dtype: 'fp32' });
    const answer = async (content: string) => {
      const text = tokenizer.apply_chat_template([{ role: 'user', content }], {
        add_generation_prompt: true,
        tokenize: false,
      });
      if (typeof text !== 'string') throw new Error('expected a string prompt');
      const inputs = tokenizer(text);
      const out = await model.generate({ ...inputs, max_new_tokens: 40, do_sample: false });
      if (!(out instanceof Tensor)) throw new Error('expected a tensor');
      const promptLength = inputs.input_ids.dims.at(-1) ?? 0;
      return tokenizer.batch_decode(out.slice(null, [promptLength, out.dims.at(-1) ?? promptLength]), {
        skip_special_tokens: true,
      })[0];
    };
    expect(await answer('Notes: Blue sky. Big Boat. Red roof.')).toBe('bcdefghijklmnopqrstuvwxyz.');
    expect(await answer('no capitals here')).toBe('abcdefghijklmnopqrstuvwxyz.');
    await model.dispose();
  });
});

describe('tiny CLIP router model', () => {
  test('scores the prompt of the image’s colour highest', async () => {
    const tokenizer = await AutoTokenizer.from_pretrained('forge/tiny-clip');
    const text = await CLIPTextModelWithProjection.from_pretrained('forge/tiny-clip', { dtype: 'fp32' });
    const vision = await CLIPVisionModelWithProjection.from_pretrained('forge/tiny-clip', { dtype: 'fp32' });
    const processor = await AutoImageProcessor.from_pretrained('forge/tiny-clip');
    const prompts = ['a Red thing', 'a Green thing', 'a Blue thing'];
    const { text_embeds } = await text(tokenizer(prompts, { padding: true }));
    const { image_embeds } = await vision(await processor(solid(20, 200, 40)));
    const t = text_embeds.tolist() as number[][];
    const [img] = image_embeds.tolist() as number[][];
    const cosine = (a: number[], b: number[]) => {
      const dot = a.reduce((s, x, i) => s + x * (b[i] ?? 0), 0);
      return dot / (Math.hypot(...a) * Math.hypot(...b));
    };
    const scores = t.map((row) => cosine(row, img ?? []));
    expect(scores[1]).toBeGreaterThan(0.5);
    expect(scores[0]).toBeLessThan(0);
    expect(scores[2]).toBeLessThan(0);
    await Promise.all([text.dispose(), vision.dispose()]);
  });
});

describe('scripted models answer as the test’s script says', () => {
  const script: Script = {
    rules: [
      { when: 'Which kind', answer: 'E' },
      { when: 'Score this', answer: 'factual accuracy: 3\ncompleteness: 2' },
      {
        when: 'caption',
        answer: [
          { text: 'A cat.', weight: 3 },
          { text: 'Two dogs.', weight: 1 },
        ],
      },
    ],
    otherwise: 'Nothing to say.',
  };
  const prompts = ['Which kind of image is this?', 'Score this caption: A cat.', 'Write a caption.', 'Hello there.'];

  test('the VLM, through the app’s wrapper, with an image', async () => {
    writeScriptedVlm(join(root, 'forge/scripted-vlm'), script);
    const vlm = await Vlm.load({ ...TINY_VLM, repo: 'forge/scripted-vlm' }, 'wasm', 'fp32', () => {});
    for (const prompt of prompts) {
      const out = await vlm.generate([solid(230, 20, 30)], { prompt, maxNewTokens: 60 });
      expect(out.text, prompt).toBe(scriptedAnswer(script, prompt));
    }
    expect(new Set(prompts.map((p) => scriptedAnswer(script, p))).size).toBe(4);
    await vlm.dispose();
  });

  test('a batch of prompts about one image answers as each prompt alone, streamed per row, the image encoded once', async () => {
    writeScriptedVlm(join(root, 'forge/scripted-vlm'), script);
    const vlm = await Vlm.load({ ...TINY_VLM, repo: 'forge/scripted-vlm' }, 'wasm', 'fp32', () => {});
    const image = solid(10, 200, 40);
    const rows = [
      { prompt: prompts[0] ?? '', maxNewTokens: 60 },
      { prompt: prompts[1] ?? '', maxNewTokens: 60 },
      { prompt: 'A longer prompt with more tokens, then: Write a caption.', maxNewTokens: 4 },
      { prompt: prompts[3] ?? '', maxNewTokens: 60 },
    ];
    const streamed = rows.map(() => '');
    const batch = await vlm.generateBatch([image], rows, { onText: (row, text) => (streamed[row] += text) });
    expect(batch.map((b) => b.text)).toEqual([
      'E',
      scriptedAnswer(script, prompts[1] ?? ''),
      'A ca',
      'Nothing to say.',
    ]);
    for (const [i, row] of rows.entries()) {
      const alone = await vlm.generate([image], row);
      expect(batch[i], row.prompt).toEqual(alone);
    }
    expect(streamed).toEqual(batch.map((b) => b.text));
    expect(vlm.imageWork).toEqual({ preprocessed: 1, encoded: 1 });
    await vlm.dispose();
  });

  test('the text LLM, through the app’s wrapper', async () => {
    writeScriptedLlm(join(root, 'forge/scripted-llm'), script);
    const llm = await TextLlm.load({ ...TINY_LLM, repo: 'forge/scripted-llm' }, 'wasm', 'fp32', () => {});
    for (const prompt of prompts) {
      const out = await llm.generateText({ prompt, maxNewTokens: 60 });
      expect(out.text, prompt).toBe(scriptedAnswer(script, prompt));
    }
    // Seeded sampling draws among a rule's answers by weight (3 : 1), the same seed the same answer.
    const drawn: string[] = [];
    for (let seed = 0; seed < 40; seed++) {
      const sampling = { temperature: 1, topP: 1, seed };
      drawn.push((await llm.generateText({ prompt: 'Write a caption.', maxNewTokens: 20, sampling })).text);
    }
    const cats = drawn.filter((t) => t === 'A cat.').length;
    expect(cats + drawn.filter((t) => t === 'Two dogs.').length).toBe(40);
    expect(cats).toBeGreaterThan(20);
    expect(cats).toBeLessThan(38);
    const again = await llm.generateText({
      prompt: 'Write a caption.',
      maxNewTokens: 20,
      sampling: { temperature: 1, topP: 1, seed: 7 },
    });
    expect(again.text).toBe(drawn[7]);
    // Top-p 0.5 keeps only the likeliest answer (it alone holds 3/4 of the probability).
    for (let seed = 0; seed < 8; seed++) {
      const sampling = { temperature: 1, topP: 0.5, seed };
      expect((await llm.generateText({ prompt: 'Write a caption.', maxNewTokens: 20, sampling })).text).toBe('A cat.');
    }
    await llm.dispose();
  });
});
