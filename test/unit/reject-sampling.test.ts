/**
 * The paths of CapFlow that depend on what a model answers — the VLM
 * deciding the domain, judge scores read (and asked again), best-of-N by
 * seeded sampling, the agents behind the weakest dimension re-run, early
 * stop on top scores, rejection below `minScore` — run on scripted fixture
 * models (real ONNX through transformers.js) whose answers the test chooses.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RawImage, env } from '@huggingface/transformers';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { MAX_JUDGE_ATTEMPTS } from '../../src/capflow/judge';
import { judgePrompt } from '../../src/capflow/prompts';
import { type CapflowModels, type WorkflowContext, runCapflow } from '../../src/capflow/workflow';
import { capflowModels } from '../../src/models/capflow-models';
import { ClipModel } from '../../src/models/clip-model';
import { TextLlm } from '../../src/models/text-llm';
import { Vlm } from '../../src/models/vlm';
import type { CaptionEvent } from '../../src/shared/events';
import type { CapflowOptions, CaptionRecord } from '../../src/shared/record';
import { writeClip } from '../fixtures/forge/models';
import type { Script } from '../fixtures/forge/script';
import { writeScriptedLlm, writeScriptedVlm } from '../fixtures/forge/scripted';
import { TINY_CLIP, TINY_LLM, TINY_VLM } from '../fixtures/specs';

const scores = (fa: number, c: number, rr: number, ci: number, p: number) =>
  `factual accuracy: ${fa}\ncompleteness: ${c}\nreasoning rigor: ${rr}\ncore intent: ${ci}\nprofessionalism: ${p}`;

/** The VLM: agents' notes, the router's answer, single-pass and prompt captions, and the judge's scores by caption. */
const VLM_SCRIPT: Script = {
  rules: [
    // Any caption of a video: its timing and causal logic are weakest.
    {
      when: 'caption of the video',
      answer:
        'temporal and factual accuracy: 2\nevent and detail coverage: 3\ntemporal causal logic: 2\ncore intent: 3\nprofessionalism: 3',
    },
    { when: 'Which kind of image', answer: 'E' },
    // Asked again for the three dimensions it left out, the judge answers them.
    { when: 'core intent:\ncaption: Half scored.', answer: 'completeness: 3\nreasoning rigor: 2\ncore intent: 3' },
    { when: 'caption: Half scored.', answer: 'factual accuracy: 3\nprofessionalism: 2' },
    { when: 'caption: A plain caption', answer: scores(3, 2, 3, 3, 3) },
    { when: 'caption: Vivid caption', answer: scores(3, 3, 3, 3, 3) },
    { when: 'caption: Dull.', answer: scores(2, 2, 2, 2, 3) },
    { when: 'caption: Much duller.', answer: 'I cannot tell.' },
    { when: 'caption: Poor.', answer: scores(1, 1, 1, 1, 1) },
    {
      when: 'List the visible objects',
      answer: [{ text: 'Boats on a lake.', weight: 2 }, { text: 'Red boats by a pier.' }],
    },
    {
      when: 'Give a short overview',
      answer: [{ text: 'A harbour photo.', weight: 2 }, { text: 'Calm evening scene.' }],
    },
    { when: 'Describe this', answer: [{ text: 'Dull.', weight: 2 }, { text: 'Much duller.' }] },
    { when: 'Say half', answer: 'Half scored.' },
    { when: 'Be vivid', answer: 'Vivid caption, every detail.' },
    { when: 'Unreadable or poor', answer: [{ text: 'Much duller.', weight: 2 }, { text: 'Poor.' }] },
  ],
  otherwise: 'A reasoning note.',
};

/** The summary LLM: greedy first, then a draw between a plain and a vivid caption once told what to improve. */
const LLM_SCRIPT: Script = {
  rules: [
    {
      when: 'Improve:',
      answer: [{ text: 'A plain caption again.', weight: 2 }, { text: 'Vivid caption, every detail.' }],
    },
    { when: 'Merge these notes', answer: 'A plain caption.' },
  ],
  otherwise: 'Unexpected prompt.',
};

let root: string;
let models: CapflowModels<RawImage>;
let disposers: (() => Promise<void>)[] = [];

const grey = new RawImage(new Uint8ClampedArray(40 * 30 * 3).fill(128), 40, 30, 3);
const context = (events: CaptionEvent[] = []): WorkflowContext => ({
  jobId: 'job',
  check: () => {},
  emit: (e) => events.push(e),
  now: () => performance.now(),
});
const caption = (options: CapflowOptions, events?: CaptionEvent[]) =>
  runCapflow({ kind: 'image', image: grey }, models, options, context(events));
const steps = (record: CaptionRecord) => record.trace.map((t) => t.agent);

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'mc-scripted-'));
  writeScriptedVlm(join(root, 'forge/scripted-vlm'), VLM_SCRIPT);
  writeScriptedLlm(join(root, 'forge/scripted-llm'), LLM_SCRIPT);
  writeClip(join(root, 'forge/tiny-clip'));
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = `${root}/`;
  const [vlm, llm, clip] = await Promise.all([
    Vlm.load({ ...TINY_VLM, repo: 'forge/scripted-vlm' }, 'wasm', 'fp32', () => {}),
    TextLlm.load({ ...TINY_LLM, repo: 'forge/scripted-llm' }, 'wasm', 'fp32', () => {}),
    ClipModel.load(TINY_CLIP, 'wasm', 'fp32', () => {}),
  ]);
  disposers = [() => vlm.dispose(), () => llm.dispose(), () => clip.dispose()];
  models = capflowModels(vlm, llm, clip, null);
}, 60_000);

afterAll(async () => {
  await Promise.all(disposers.map((d) => d()));
  rmSync(root, { recursive: true, force: true });
});

test('an unsure zero-shot router asks the VLM, and its answer decides the domain', async () => {
  const record = await caption({ mode: 'capflow', judge: null });
  expect(record.domain).toMatchObject({ id: 'ui', decidedBy: 'vlm' });
  expect(record.domain?.confidence).toBeLessThan(0.6);
  expect(steps(record)).toEqual(['router', 'router-vlm', 'ui-perception', 'ocr', 'general-reasoning', 'summary']);
});

describe('judge', () => {
  test('scores are read from its answer; all top on the first attempt stops there', async () => {
    const record = await caption({ mode: 'prompt', prompt: 'Be vivid.', judge: { attempts: 3 } });
    expect(record.caption).toBe('Vivid caption, every detail.');
    expect(record.judge).toMatchObject({ topOnAll: true, accepted: true, kept: 1, scores: { completeness: 3 } });
    expect(record.judge?.attempts).toHaveLength(1);
    expect(steps(record)).toEqual(['prompt', 'judge-1']);
  });

  test('dimensions it leaves out are asked for again, in a stricter form, and merged', async () => {
    const record = await caption({ mode: 'prompt', prompt: 'Say half.', judge: { attempts: 1 } });
    expect(steps(record)).toEqual(['prompt', 'judge-1', 'judge-1-again']);
    expect(record.trace[2]?.prompt).toBe(
      judgePrompt('Half scored.', null, ['completeness', 'reasoning rigor', 'core intent']),
    );
    expect(record.judge?.scores).toEqual({
      'factual accuracy': 3,
      completeness: 3,
      'reasoning rigor': 2,
      'core intent': 3,
      professionalism: 2,
    });
    expect(record.judge?.attempts[0]?.mean).toBe(2.6);
  });

  test('reject sampling: sampled attempts re-run the agents behind the weakest dimension until all are top', async () => {
    const events: CaptionEvent[] = [];
    const record = await caption({ mode: 'capflow', domain: 'natural', judge: { attempts: 5 } }, events);
    const attempts = record.judge?.attempts ?? [];
    expect(attempts.map((a) => a.caption)).toEqual([
      'A plain caption.',
      'A plain caption again.',
      'Vivid caption, every detail.',
    ]);
    expect(
      attempts.map((a) => a.seed),
      'default seed 0: attempt n samples with seed n - 1',
    ).toEqual([null, 1, 2]);
    // Completeness was weakest: perception and guideline agents run again (sampled), reasoning does not.
    expect(attempts.map((a) => a.rerun)).toEqual([
      [],
      ['natural-perception', 'visual-guideline'],
      ['natural-perception', 'visual-guideline'],
    ]);
    expect(steps(record)).toEqual([
      'natural-perception',
      'general-reasoning',
      'visual-guideline',
      'summary',
      'judge-1',
      'natural-perception-2',
      'visual-guideline-2',
      'summary-2',
      'judge-2',
      'natural-perception-3',
      'visual-guideline-3',
      'summary-3',
      'judge-3',
    ]);
    const summary2 = record.trace.find((t) => t.agent === 'summary-2');
    expect(summary2?.prompt).toMatch(/\nImprove: completeness\.$/);
    for (const agent of ['natural-perception-2', 'visual-guideline-2']) {
      expect(summary2?.prompt).toContain(record.trace.find((t) => t.agent === agent)?.output);
    }
    expect(record.caption).toBe('Vivid caption, every detail.');
    expect(record.judge).toMatchObject({ kept: 3, topOnAll: true, accepted: true });
    expect(events.flatMap((e) => (e.type === 'judge' ? [e.attempt] : []))).toEqual([1, 2, 3]);
    // Seeded: the same options give the same record, with the agents batched or not.
    const again = await caption({ mode: 'capflow', domain: 'natural', judge: { attempts: 5 } });
    expect(again.trace.map((t) => t.output)).toEqual(record.trace.map((t) => t.output));
    const batched = await caption({ mode: 'capflow', domain: 'natural', judge: { attempts: 5 }, batchAgents: true });
    // Each row of a batch samples from its own generator: the notes are those sampled one by one.
    expect(batched.trace.map((t) => [t.agent, t.output])).toEqual(record.trace.map((t) => [t.agent, t.output]));
    expect(batched.trace.filter((t) => t.batch === 2).map((t) => t.agent)).toEqual([
      'natural-perception-2',
      'visual-guideline-2',
      'natural-perception-3',
      'visual-guideline-3',
    ]);
  });

  test('on a video, the weak temporal dimensions re-run perception frame group by group and the reasoning over its notes', async () => {
    const frames = [0, 1, 2, 3].map((time) => ({ image: grey, time }));
    const twoAtOnce = { ...models, vlm: { ...models.vlm, maxImages: 2 } };
    const record = await runCapflow(
      { kind: 'video', frames },
      twoAtOnce,
      { mode: 'capflow', judge: { attempts: 2 } },
      context(),
    );
    expect(record.judge?.attempts.map((a) => a.rerun)).toEqual([[], ['video-perception', 'video-reasoning']]);
    expect(steps(record)).toEqual([
      'video-perception@1-2',
      'video-perception@3-4',
      'video-reasoning',
      'video-guideline',
      'summary',
      'judge-1',
      'video-perception-2@1-2',
      'video-perception-2@3-4',
      'video-reasoning-2',
      'summary-2',
      'judge-2',
    ]);
    expect(record.trace.find((t) => t.agent === 'summary-2')?.prompt).toMatch(
      /\nImprove: temporal and factual accuracy, temporal causal logic\.$/,
    );
    // The re-run reasoning read the re-run perception's timeline, one stamped line per group.
    const [early, late] = record.trace.filter((t) => t.agent.startsWith('video-perception-2@')).map((t) => t.output);
    expect(record.trace.find((t) => t.agent === 'video-reasoning-2')?.prompt).toContain(
      `[video perception]\nFrom 0.0 s to 1.0 s: ${early}\nFrom 2.0 s to 3.0 s: ${late}`,
    );
    expect(record.judge?.scores).toMatchObject({ 'temporal causal logic': 2, 'event and detail coverage': 3 });
  });

  test('single-pass best-of-N samples; an unreadable attempt is unknown, not the worst; below the bar is rejected', async () => {
    const options: CapflowOptions = {
      mode: 'single-pass',
      domain: 'natural',
      judge: { attempts: 3, sampling: { seed: 4 } },
    };
    const record = await caption(options);
    const attempts = record.judge?.attempts ?? [];
    expect(new Set(attempts.map((a) => a.caption))).toEqual(new Set(['Dull.', 'Much duller.']));
    const unread = attempts.find((a) => a.caption === 'Much duller.');
    expect(unread?.scores).toEqual(Object.fromEntries(Object.keys(record.judge?.scores ?? {}).map((d) => [d, null])));
    expect(unread?.mean).toBeNull();
    expect(steps(record).filter((s) => s.startsWith('single-pass'))).toEqual([
      'single-pass',
      'single-pass-2',
      'single-pass-3',
    ]);
    expect(record.caption).toBe('Dull.');
    expect(record.judge).toMatchObject({ kept: 1, topOnAll: false, accepted: false });
    expect(record.judge?.minScore).toMatchObject({ completeness: 3 });

    const lenient = await caption({ ...options, judge: { attempts: 3, sampling: { seed: 4 }, minScore: 2 } });
    expect(lenient.judge).toMatchObject({ kept: 1, accepted: true });
    const perDimension = { attempts: 3, sampling: { seed: 4 }, minScore: { professionalism: 3 } };
    expect((await caption({ ...options, judge: perDimension })).judge?.accepted).toBe(true);
  });

  test('attempts that are not a count make one; too many are capped', async () => {
    const judged = async (attempts: number) =>
      (await caption({ mode: 'prompt', prompt: 'Say half.', judge: { attempts } })).judge?.attempts.length;
    expect(await judged(Number.NaN)).toBe(1);
    expect(await judged(-3)).toBe(1);
    expect(await judged(1e9)).toBe(MAX_JUDGE_ATTEMPTS);
  });

  test('an attempt never read ranks above one scored 1 on everything', async () => {
    const record = await caption({
      mode: 'prompt',
      prompt: 'Unreadable or poor.',
      judge: { attempts: 4, sampling: { seed: 0 }, minScore: 1 },
    });
    const attempts = record.judge?.attempts ?? [];
    expect(attempts.map((a) => a.caption)).toContain('Poor.');
    expect(attempts[0]?.caption).toBe('Much duller.');
    expect(record.caption).toBe('Much duller.');
    expect(record.judge).toMatchObject({ kept: 1, accepted: true });
  });
});
