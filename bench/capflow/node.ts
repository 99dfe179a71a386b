/**
 * Figure 3's image-reuse half, in Node (transformers.js on onnxruntime-node):
 * CapFlow against a single pass on the same image with a VLM that costs
 * what a small real one does (a vision encoder of dense layers, a decoder
 * reading its weights per token), with the image's preprocessing and
 * features reused across the job's prompts and without. The models never
 * stop early, so every step runs to its real token budget; every record's
 * steps and caption are checked (budgets.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RawImage, env } from '@huggingface/transformers';
import { type CapflowModels, runCapflow } from '../../src/capflow/workflow';
import { capflowModels } from '../../src/models/capflow-models';
import { TextLlm } from '../../src/models/text-llm';
import { Vlm } from '../../src/models/vlm';
import type { CapflowOptions } from '../../src/shared/record';
import { writeHeavyVlm, writeTextLlm } from '../../test/fixtures/forge/models';
import { TINY_ENDLESS_LLM, TINY_VLM, TINY_VLM_CAPTIONS } from '../../test/fixtures/specs';
import { checkAtBudget } from './budgets';

/** ms per job of each round, and how the work splits. */
export interface ImageReuseFigures {
  readonly single: readonly number[];
  /** CapFlow as it runs now: the image's work reused, the agents batched. */
  readonly capflowNow: readonly number[];
  /** CapFlow as it ran before: the image encoded for every prompt, the agents one by one. */
  readonly capflowBefore: readonly number[];
  /** CapFlow with image reuse and the agents one by one (`capflowNow` batches them). */
  readonly capflowOneByOne: readonly number[];
  /** VLM calls about the image in one CapFlow job. */
  readonly vlmCalls: number;
  /** Vision encoder runs per CapFlow job, with and without reuse. */
  readonly encodes: { readonly reused: number; readonly unreused: number };
  /** Tokens one job generates, every step at its budget. */
  readonly tokens: { readonly capflow: number; readonly single: number };
}

/** The letter the VLM's answers about the red test image start with. */
const RED_START = TINY_VLM_CAPTIONS.red.charAt(0);

const SINGLE: CapflowOptions = { mode: 'single-pass', domain: 'natural', judge: null };
/** The natural domain's three agents, the summary, and the judge (asked again: the fixture's answer is unread). */
const CAPFLOW: CapflowOptions = { mode: 'capflow', domain: 'natural', judge: { attempts: 1 } };
/**
 * The agents one by one. On the VLM loaded without reuse, this is how CapFlow ran before issue 12
 * (every prompt encoded the image again).
 */
const ONE_BY_ONE: CapflowOptions = { ...CAPFLOW, batchAgents: false };

export async function nodeImageReuse(rounds: number, quick: boolean): Promise<ImageReuseFigures> {
  const root = mkdtempSync(join(tmpdir(), 'mc-bench-reuse-'));
  try {
    writeHeavyVlm(join(root, 'forge/tiny-smolvlm'), {
      visionLayers: quick ? 2 : 12,
      decoderBallastBytes: (quick ? 4 : 32) * 2 ** 20,
      endless: true,
    });
    writeTextLlm(join(root, TINY_ENDLESS_LLM.repo), {}, true);
    env.allowRemoteModels = false;
    env.allowLocalModels = true;
    env.localModelPath = `${root}/`;
    const noProgress = () => {};
    const [reusing, plain, llm] = await Promise.all([
      Vlm.load(TINY_VLM, 'wasm', 'fp32', noProgress),
      Vlm.load(TINY_VLM, 'wasm', 'fp32', noProgress, false),
      TextLlm.load(TINY_ENDLESS_LLM, 'wasm', 'fp32', noProgress),
    ]);
    const pixels = new Uint8ClampedArray(640 * 480 * 3);
    for (let i = 0; i < pixels.length; i += 3) pixels.set([220, 20, 30], i);
    const image = new RawImage(pixels, 640, 480, 3);
    const context = { jobId: 'bench', check: () => {}, emit: () => {}, now: () => performance.now() };
    const timedRun = async (models: CapflowModels<RawImage>, options: CapflowOptions) => {
      // A fresh image object per job, as the worker decodes one per job: nothing carries over between jobs.
      const copy = new RawImage(image.data, image.width, image.height, image.channels);
      const start = performance.now();
      const record = await runCapflow({ kind: 'image', image: copy }, models, options, context);
      const ms = performance.now() - start;
      return { ms, record, tokens: checkAtBudget(record, RED_START) };
    };
    const withReuse = capflowModels(reusing, llm, null, null);
    const without = capflowModels(plain, llm, null, null);
    const encodes = (vlm: Vlm, run: () => Promise<unknown>) => async () => {
      const before = vlm.imageWork.encoded;
      await run();
      return vlm.imageWork.encoded - before;
    };
    const encodesReused = await encodes(reusing, () => timedRun(withReuse, CAPFLOW))();
    const encodesUnreused = await encodes(plain, () => timedRun(without, ONE_BY_ONE))();
    const batched = await timedRun(withReuse, CAPFLOW);
    const oneByOne = await timedRun(withReuse, ONE_BY_ONE);
    const notes = (r: typeof batched) => r.record.trace.map((t) => t.output).join('\n');
    if (notes(batched) !== notes(oneByOne)) throw new Error('batched agents wrote other notes');
    const times = {
      single: [] as number[],
      reused: [] as number[],
      unreused: [] as number[],
      oneByOne: [] as number[],
    };
    let vlmCalls = 0;
    const tokens = { capflow: batched.tokens, single: 0 };
    for (let round = 0; round < rounds; round++) {
      const single = await timedRun(withReuse, SINGLE);
      times.single.push(single.ms);
      tokens.single = single.tokens;
      const reused = await timedRun(withReuse, CAPFLOW);
      times.reused.push(reused.ms);
      vlmCalls = reused.record.trace.filter((t) => t.model === TINY_VLM.repo).length;
      times.unreused.push((await timedRun(without, ONE_BY_ONE)).ms);
      times.oneByOne.push((await timedRun(withReuse, ONE_BY_ONE)).ms);
    }
    await Promise.all([reusing.dispose(), plain.dispose(), llm.dispose()]);
    return {
      single: times.single,
      capflowNow: times.reused,
      capflowBefore: times.unreused,
      capflowOneByOne: times.oneByOne,
      vlmCalls,
      encodes: { reused: encodesReused, unreused: encodesUnreused },
      tokens,
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
