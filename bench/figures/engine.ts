/**
 * Figures 1, 3 and 6: engine overhead (createCaptioner — page, worker,
 * engine — against transformers.js called directly in a worker), CapFlow's
 * cost per stage against single-pass (every step run to its real token
 * budget by the forge's endless models), and throughput with one worker
 * against two. Every caption is checked: a bench that computes a wrong
 * answer fails.
 */
import { type Remote, wrap } from 'comlink';
import { afterAll, expect, inject, test } from 'vitest';
import { commands } from 'vitest/browser';
import { type Captioner, createCaptioner } from '../../src/client/captioner';
import type { CaptionRecord } from '../../src/shared/record';
import { solidImage } from '../../test/browser/images';
import {
  TINY_ENDLESS_LLM,
  TINY_ENDLESS_VLM,
  TINY_PRESET,
  TINY_VLM,
  TINY_VLM_CAPTIONS,
} from '../../test/fixtures/specs';
import { checkAtBudget } from '../capflow/budgets';
import { ratioRow, roundsRow, valueRow } from '../rows';
import { alternate, median, record, settings, size, timed } from '../support';
import type { RawVlmApi } from '../workers/raw-vlm.worker';

const host = inject('modelHost');
const source = { kind: 'host', host, pathTemplate: '{model}/resolve/{revision}/' } as const;
const device = settings.device;
const PROMPT = 'Describe this image.';
const MAX_TOKENS = 64;
const COLOURS = [
  ['red', '#e01020'],
  ['green', '#10c020'],
  ['blue', '#1030e0'],
] as const;

/** `count` solid images cycling through the colours, each with the caption the forge VLM must give. */
async function fixtures(count: number): Promise<{ image: Blob; caption: string }[]> {
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const [name, css] = COLOURS[i % COLOURS.length] ?? COLOURS[0];
      return { image: await solidImage(css, 48 + (i % 7), 32 + (i % 5)), caption: TINY_VLM_CAPTIONS[name] };
    }),
  );
}

const open: Captioner[] = [];
function captioner(): Captioner {
  const c = createCaptioner({ source });
  open.push(c);
  return c;
}
afterAll(() => {
  for (const c of open.splice(0)) c.dispose();
});

test('1 engine overhead: createCaptioner against transformers.js directly', async () => {
  const images = await fixtures(size(30, 6));
  const engine = captioner();
  await engine.load({ preset: TINY_PRESET, roles: ['vlm'], device });
  const worker = new Worker(new URL('../workers/raw-vlm.worker.ts', import.meta.url), { type: 'module' });
  const raw: Remote<RawVlmApi> = wrap(worker);
  await raw.load(host, TINY_VLM.repo, device);

  let tokens = 0;
  let engineMs = 0;
  const ours = () =>
    timed(async () => {
      for (const { image, caption } of images) {
        const result = await engine.caption({ image, prompt: PROMPT, maxNewTokens: MAX_TOKENS });
        expect(result.text).toBe(caption);
        tokens += result.tokens;
        engineMs += result.ms;
      }
    });
  const direct = () =>
    timed(async () => {
      for (const { image, caption } of images) {
        expect((await raw.caption(image, PROMPT, MAX_TOKENS)).text).toBe(caption);
      }
    });
  const rounds = size(5, 2);
  const ms = await alternate(rounds, ours, direct);
  worker.terminate();
  const perImage = (values: number[]) => median(values) / images.length;
  const each = (values: number[]) => values.map((v) => v / images.length);
  await record(
    roundsRow(
      '1 engine overhead',
      `ms/image, ${images.length} images, median of ${rounds} rounds, ${device}`,
      { label: 'createCaptioner', values: each(ms.a) },
      { label: 'transformers.js direct', values: each(ms.b) },
      1.05,
    ),
    valueRow(
      '1 engine overhead',
      'fixed cost per job, ms (header checks, page ↔ worker messages, queue; the same for any model)',
      { label: 'createCaptioner − direct', value: perImage(ms.a) - perImage(ms.b) },
    ),
    valueRow('1 engine overhead', `decode tokens/s in the engine (generate only), ${device}`, {
      label: 'tokens/s',
      value: tokens / (engineMs / 1000),
    }),
  );
});

test('3 CapFlow cost: CapFlow against single-pass on the same image, per stage, at real token budgets', async () => {
  const c = captioner();
  // Models that never stop early: every step writes its whole budget, as real models' long answers do.
  const preset = { ...TINY_PRESET, vlm: TINY_ENDLESS_VLM, llm: TINY_ENDLESS_LLM };
  await c.load({ preset, roles: ['vlm', 'llm', 'router'], device });
  const [{ image, caption } = { image: new Blob(), caption: '' }] = await fixtures(1);
  const start = caption[0] ?? '';
  const records: { capflow: CaptionRecord[]; single: CaptionRecord[] } = { capflow: [], single: [] };
  const tokens = { capflow: 0, single: 0 };
  const capflow = () =>
    timed(async () => {
      const r = await c.capflow({ image, options: { mode: 'capflow' } });
      tokens.capflow = checkAtBudget(r, start);
      records.capflow.push(r);
    });
  const single = () =>
    timed(async () => {
      const r = await c.capflow({ image, options: { mode: 'single-pass' } });
      tokens.single = checkAtBudget(r, start);
      records.single.push(r);
    });
  const rounds = size(5, 2);
  const ms = await alternate(rounds, capflow, single);
  // Per stage: the median of each step's own time over the measured rounds (warm-up dropped).
  const stages = new Map<string, number[]>();
  for (const r of records.capflow.slice(1)) {
    for (const t of r.trace) stages.set(t.agent, [...(stages.get(t.agent) ?? []), t.ms]);
  }
  const singleMs = median(ms.b);
  // The forge's VLM costs nothing per image; the Node half measures reuse on a VLM whose encoder does cost.
  const reuse = await commands.benchImageReuseNode(rounds, settings.quick);
  const heavy = (what: string) =>
    `ms/image, ${what}, heavy-encoder VLM fixture, Node, ${reuse.tokens.capflow} and ${reuse.tokens.single} tokens, median of ${rounds} rounds`;
  await record(
    roundsRow(
      '3 CapFlow cost',
      `ms/image, every step to its budget (${tokens.capflow} and ${tokens.single} tokens), median of ${rounds} rounds, ${device}`,
      { label: 'CapFlow', values: ms.a },
      { label: 'single-pass', values: ms.b },
      3,
    ),
    roundsRow(
      '3 CapFlow cost',
      heavy('image encoded once per job, agents batched (now)'),
      { label: 'CapFlow', values: reuse.capflowNow },
      { label: 'single-pass', values: reuse.single },
      3,
    ),
    roundsRow(
      '3 CapFlow cost',
      heavy('encoded for every prompt, agents one by one (before)'),
      { label: 'CapFlow', values: reuse.capflowBefore },
      { label: 'single-pass', values: reuse.single },
      null,
    ),
    roundsRow(
      '3 CapFlow cost',
      heavy('the 3 agents as one batched generation ÷ one after another'),
      { label: 'batched', values: reuse.capflowNow },
      { label: 'one by one', values: reuse.capflowOneByOne },
      null,
    ),
    ratioRow(
      '3 CapFlow cost',
      `vision encoder runs per CapFlow job (${reuse.vlmCalls} VLM calls about the image)`,
      { label: 'reused', value: reuse.encodes.reused },
      { label: 'before', value: reuse.encodes.unreused },
      null,
    ),
    ...[...stages].map(([agent, values]) =>
      ratioRow(
        '3 CapFlow cost',
        `stage ${agent}, ms (÷ the single-pass image)`,
        { label: agent, value: median(values) },
        { label: 'single-pass', value: singleMs },
        null,
      ),
    ),
  );
});

test('6 concurrency: one worker against two, on the same images', async () => {
  const images = await fixtures(size(24, 6));
  const one = [captioner()];
  const two = [captioner(), captioner()];
  for (const c of [...one, ...two]) await c.load({ preset: TINY_PRESET, roles: ['vlm'], device: 'wasm' });
  /** Captions every image, spread round-robin over the captioners, all at once. */
  const throughput = (workers: Captioner[]) => async () => {
    const ms = await timed(() =>
      Promise.all(
        images.map(async ({ image, caption }, i) => {
          const c = workers[i % workers.length] as Captioner;
          expect((await c.caption({ image, prompt: PROMPT, maxNewTokens: MAX_TOKENS })).text).toBe(caption);
        }),
      ),
    );
    return images.length / (ms / 1000);
  };
  const rounds = size(5, 2);
  const rate = await alternate(rounds, throughput(two), throughput(one));
  await record(
    roundsRow(
      '6 concurrency',
      `images/s on wasm, ${images.length} images, median of ${rounds} rounds (${navigator.hardwareConcurrency} cores)`,
      { label: '2 workers', values: rate.a },
      { label: '1 worker', values: rate.b },
      null,
    ),
  );
});
