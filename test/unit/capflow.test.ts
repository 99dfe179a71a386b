/**
 * The CapFlow engine through real transformers.js on the forge's tiny
 * models (deterministic outputs) and the real PP-OCR: routing, the agents of
 * every domain, the summary, the judge and the single-pass mode.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RawImage, env } from '@huggingface/transformers';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { cleanCaption, parseDomainAnswer, parseJudgeScores, summaryPrompt } from '../../src/capflow/prompts';
import type { CaptionRecord } from '../../src/shared/record';
import { AGENTS, DOMAINS, DOMAIN_IDS } from '../../src/capflow/spec';
import { type DomainId } from '../../src/shared/record';
import { CAPTION_STYLES, CAPTION_STYLE_IDS, shapeCaption } from '../../src/capflow/styles';
import {
  type CapflowInput,
  type CapflowModels,
  type WorkflowContext,
  ocrNote,
  runCapflow,
} from '../../src/capflow/workflow';
import { CancelledError } from '../../src/shared/errors';
import type { CaptionEvent } from '../../src/shared/events';
import { capflowModels } from '../../src/models/capflow-models';
import { ClipModel } from '../../src/models/clip-model';
import { TextLlm } from '../../src/models/text-llm';
import { Vlm } from '../../src/models/vlm';
import { forgeAll, writeClip } from '../fixtures/forge/models';
import { tinyLlmAnswer } from '../fixtures/forge/oracle';
import { colourRouting } from '../fixtures/forge/router-markers';
import { TINY_CLIP, TINY_LLM, TINY_VLM, TINY_VLM_CAPTIONS } from '../fixtures/specs';
import { createNodeOcr } from '../support/ocr-node';
import { RGB_CAPTION, RGB_FRAMES, RGB_REASONING, VIDEO_LLM } from '../fixtures/video-script';

let root: string;
let models: CapflowModels<RawImage>;
let disposers: (() => Promise<void>)[] = [];
let vlmModel: Vlm;
let llmModel: TextLlm;
/** Router domains steered by image colour (red, green, blue), from characters unique to their prompts. */
let colourDomains: [DomainId, DomainId, DomainId];

const solid = (r: number, g: number, b: number) => {
  const data = new Uint8ClampedArray(40 * 30 * 3);
  for (let i = 0; i < data.length; i += 3) data.set([r, g, b], i);
  return new RawImage(data, 40, 30, 3);
};
const RED = solid(230, 20, 30);
const GREEN = solid(20, 220, 40);
const BLUE = solid(20, 30, 230);
const COLOURS = { red: RED, green: GREEN, blue: BLUE } as const;

function context(events: CaptionEvent[] = [], check: () => void = () => {}): WorkflowContext {
  return { jobId: 'job', check, emit: (e) => events.push(e), now: () => performance.now() };
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'mc-capflow-'));
  forgeAll(join(root, 'forge'));
  const routing = colourRouting();
  colourDomains = routing.domains;
  writeClip(join(root, 'forge/tiny-clip'), {}, routing.markers);
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = `${root}/`;
  const noProgress = () => {};
  const [vlm, llm, clip, ocr] = await Promise.all([
    Vlm.load(TINY_VLM, 'wasm', 'fp32', noProgress),
    TextLlm.load(TINY_LLM, 'wasm', 'fp32', noProgress),
    ClipModel.load(TINY_CLIP, 'wasm', 'fp32', noProgress),
    createNodeOcr(),
  ]);
  disposers = [() => vlm.dispose(), () => llm.dispose(), () => clip.dispose()];
  vlmModel = vlm;
  llmModel = llm;
  const ocrTool = { name: 'PP-OCRv4', read: (image: RawImage) => ocr.read(image.rgb()) };
  models = capflowModels(vlm, llm, clip, ocrTool);
}, 60_000);

afterAll(async () => {
  await Promise.all(disposers.map((d) => d()));
  rmSync(root, { recursive: true, force: true });
});

const summaryOf = (record: CaptionRecord) => record.trace.find((t) => t.agent === 'summary');

describe.each(DOMAIN_IDS)('domain %s', (domain) => {
  test('runs exactly its agents; every note reaches the summary; the caption is the summary agent’s', async () => {
    const input: CapflowInput<RawImage> =
      domain === 'video'
        ? {
            kind: 'video',
            frames: [
              { image: RED, time: 0 },
              { image: RED, time: 2 },
            ],
          }
        : { kind: 'image', image: RED };
    const record = await runCapflow(
      input,
      models,
      { mode: 'capflow', domain: domain === 'video' ? undefined : domain, judge: null },
      context(),
    );
    expect(record.domain).toMatchObject({ id: domain, decidedBy: domain === 'video' ? 'video' : 'pinned' });
    const agents = record.trace.filter((t) => t.role !== 'summary').map((t) => t.agent);
    expect(agents).toEqual(DOMAINS[domain].agents);
    const summary = summaryOf(record);
    for (const note of record.trace.filter((t) => t.role !== 'summary')) {
      expect(summary?.prompt).toContain(note.output);
      // An agent over other agents' notes runs on the text model; the others look at the (red) image.
      const onNotes = note.agent !== 'ocr' && AGENTS[note.agent as keyof typeof AGENTS].kind === 'notes';
      if (onNotes) expect(note.output).toBe(tinyLlmAnswer(note.prompt));
      else if (note.agent !== 'ocr') expect(note.output).toBe(TINY_VLM_CAPTIONS.red);
    }
    if (DOMAINS[domain].agents.some((a) => a === 'ocr')) {
      expect(record.trace.find((t) => t.agent === 'ocr')?.output).toBe('No text found.');
    }
    expect(record.caption).toBe(tinyLlmAnswer(summary?.prompt ?? ''));
    expect(record.caption).toBe('rstuvwxyz.');
    expect(JSON.parse(JSON.stringify(record))).toEqual(record);
  });
});

describe('video', () => {
  const frames = [0, 1.5, 4, 75.25].map((time) => ({ image: RED, time }));
  const TIMES = 'The 4 frames were taken at 0.0 s, 1.5 s, 4.0 s, 1:15.3.';

  test('frame times reach every VLM agent, the summary and the judge, and the record', async () => {
    const record = await runCapflow(
      { kind: 'video', frames },
      models,
      { mode: 'capflow', judge: { attempts: 1 } },
      context(),
    );
    expect(record.timestamps).toEqual([0, 1.5, 4, 75.25]);
    expect(record.domain).toMatchObject({ id: 'video', decidedBy: 'video' });
    expect(record.domain?.setAside).toBeUndefined();
    const steps = record.trace.filter((t) => t.role !== 'tool');
    expect(steps.map((t) => t.agent)).toEqual([...DOMAINS.video.agents, 'summary', 'judge-1', 'judge-1-again']);
    for (const t of steps) expect(t.prompt, t.agent).toContain(TIMES);
    expect(summaryOf(record)?.prompt).toContain('Say when things happen.');
    expect(record.trace.find((t) => t.agent === 'judge-1')?.prompt).toContain('temporal causal logic:');
    expect(Object.keys(record.judge?.scores ?? {})).toContain('temporal and factual accuracy');
  });

  test('perception looks at frames in groups the VLM takes; reasoning reads the timestamped notes; the rest see spread frames', async () => {
    const colours = [RED, RED, GREEN, GREEN, BLUE, BLUE];
    const six = colours.map((image, time) => ({ image, time }));
    const twoAtOnce = { ...models, vlm: { ...models.vlm, maxImages: 2 } };
    const record = await runCapflow(
      { kind: 'video', frames: six },
      twoAtOnce,
      { mode: 'capflow', judge: { attempts: 1 } },
      context(),
    );
    const seen = record.trace.map((t) => [t.agent, t.frames ?? null]);
    expect(seen).toEqual([
      ['video-perception@1-2', [0, 1]],
      ['video-perception@3-4', [2, 3]],
      ['video-perception@5-6', [4, 5]],
      ['video-reasoning', null],
      ['video-guideline', [0, 5]],
      ['summary', null],
      ['judge-1', [0, 5]],
      ['judge-1-again', [0, 5]],
    ]);
    const perception = record.trace.filter((t) => t.role === 'perception');
    expect(perception.map((t) => t.output)).toEqual([
      TINY_VLM_CAPTIONS.red,
      TINY_VLM_CAPTIONS.green,
      TINY_VLM_CAPTIONS.blue,
    ]);
    expect(perception[1]?.prompt).toMatch(/^The 2 frames were taken at 2\.0 s, 3\.0 s\. These are frames/);
    const timeline = [
      `From 0.0 s to 1.0 s: ${TINY_VLM_CAPTIONS.red}`,
      `From 2.0 s to 3.0 s: ${TINY_VLM_CAPTIONS.green}`,
      `From 4.0 s to 5.0 s: ${TINY_VLM_CAPTIONS.blue}`,
    ].join('\n');
    const reasoning = record.trace.find((t) => t.agent === 'video-reasoning');
    expect(reasoning?.model).toBe(TINY_LLM.repo);
    expect(reasoning?.prompt).toContain(`[video perception]\n${timeline}`);
    expect(reasoning?.output).toBe(tinyLlmAnswer(reasoning?.prompt ?? ''));
    expect(summaryOf(record)?.prompt).toContain(`[video perception]\n${timeline}\n\n[video reasoning]\n`);
    expect(record.timestamps).toEqual([0, 1, 2, 3, 4, 5]);
    // One frame at a time: eight steps, one line each, in time order.
    const oneAtATime = { ...models, vlm: { ...models.vlm, maxImages: 1 } };
    const single = await runCapflow(
      { kind: 'video', frames: six },
      oneAtATime,
      { mode: 'single-pass', judge: null },
      context(),
    );
    expect(single.trace.map((t) => [t.agent, t.frames])).toEqual([['single-pass', [2]]]);
    expect(single.trace[0]?.prompt).toMatch(/^The frame was taken at 2\.0 s\. Describe this video/);
  });

  test('the exact caption of a known video comes only from its perception timeline in time order', async () => {
    const llm = await TextLlm.load(VIDEO_LLM, 'wasm', 'fp32', () => {});
    try {
      const frameModels = {
        ...capflowModels(vlmModel, llm, null, null),
        vlm: { ...models.vlm, maxImages: 1 },
      };
      const frames = RGB_FRAMES.map(([time, colour]) => ({ image: COLOURS[colour], time }));
      const options = { mode: 'capflow', judge: null } as const;
      const record = await runCapflow({ kind: 'video', frames }, frameModels, options, context());
      expect(record.trace.filter((t) => t.role === 'perception').map((t) => [t.agent, t.frames])).toEqual(
        RGB_FRAMES.map(([time], i) => [`video-perception@${i + 1}`, [time]]),
      );
      expect(record.trace.find((t) => t.agent === 'video-reasoning')?.output).toBe(RGB_REASONING);
      expect(record.caption).toBe(RGB_CAPTION);
      // The same frames out of order (times kept in order): the text model sees a timeline it was not given.
      const shuffled = frames.map((f, i) => ({ ...f, image: frames[frames.length - 1 - i]?.image ?? f.image }));
      const wrong = await runCapflow({ kind: 'video', frames: shuffled }, frameModels, options, context());
      expect(wrong.caption).toBe('Out of order.');
    } finally {
      await llm.dispose();
    }
  });

  test('an image domain pinned for the job is set aside, visibly, for a video', async () => {
    const record = await runCapflow(
      { kind: 'video', frames },
      models,
      { mode: 'capflow', domain: 'ui', judge: null },
      context(),
    );
    expect(record.domain).toMatchObject({ id: 'video', decidedBy: 'video', setAside: 'ui' });
    expect(record.trace.map((t) => t.agent)).toEqual([...DOMAINS.video.agents, 'summary']);
  });

  test('single pass on a video asks about a video, with its frame times, even without routing', async () => {
    const record = await runCapflow(
      { kind: 'video', frames },
      models,
      { mode: 'single-pass', route: false, judge: null },
      context(),
    );
    expect(record.domain?.id).toBe('video');
    expect(record.trace[0]?.prompt).toMatch(
      new RegExp(`^${TIMES.replace(/[.]/g, '\\.')} Describe this video, from its frames,`),
    );
    expect(record.timestamps).toHaveLength(4);
  });

  test('frames out of order, or without a time, are refused with what is wrong', async () => {
    const bad = [
      { image: RED, time: 2 },
      { image: RED, time: 1 },
    ];
    await expect(
      runCapflow({ kind: 'video', frames: bad }, models, { mode: 'single-pass', judge: null }, context()),
    ).rejects.toThrow('video frame 2: its time (1) must be seconds from the start, in order');
    await expect(
      runCapflow({ kind: 'video', frames: [] }, models, { mode: 'single-pass', judge: null }, context()),
    ).rejects.toThrow('a video needs at least one frame');
  });
});

test('each image is preprocessed and encoded once per job, however many prompts ask about it', async () => {
  const before = { ...vlmModel.imageWork };
  const grey = solid(128, 128, 128); // unsure router: the VLM is asked too
  const record = await runCapflow({ kind: 'image', image: grey }, models, { mode: 'capflow' }, context());
  const vlmCalls = record.trace.filter((t) => t.model === TINY_VLM.repo && t.agent !== 'ocr');
  expect(vlmCalls.length).toBeGreaterThanOrEqual(5);
  expect(vlmModel.imageWork).toEqual({ preprocessed: before.preprocessed + 1, encoded: before.encoded + 1 });
  // Another image is new work; the answers are those of a model that encodes every time (the tests above).
  await runCapflow(
    { kind: 'image', image: solid(20, 30, 220) },
    models,
    { mode: 'single-pass', judge: null },
    context(),
  );
  expect(vlmModel.imageWork).toEqual({ preprocessed: before.preprocessed + 2, encoded: before.encoded + 2 });
});

test('batched agents: the VLM agents of a domain in one generation write the notes they write one by one', async () => {
  for (const domain of ['ui', 'structure-math'] as const) {
    const options = { mode: 'capflow', domain, judge: null } as const;
    const events: CaptionEvent[] = [];
    const one = await runCapflow({ kind: 'image', image: RED }, models, { ...options, batchAgents: false }, context());
    const batched = await runCapflow(
      { kind: 'image', image: RED },
      models,
      { ...options, batchAgents: true },
      context(events),
    );
    const vlmAgents = DOMAINS[domain].agents.filter((a) => a !== 'ocr');
    const notes = (r: CaptionRecord) => Object.fromEntries(r.trace.map((t) => [t.agent, [t.prompt, t.output]]));
    expect(notes(batched)).toEqual(notes(one));
    expect(summaryOf(batched)?.prompt).toBe(summaryOf(one)?.prompt);
    expect(batched.caption).toBe(one.caption);
    expect(batched.trace.filter((t) => t.batch === vlmAgents.length).map((t) => t.agent)).toEqual(vlmAgents);
    // Each agent's tokens stream under its own name.
    for (const agent of vlmAgents) {
      const text = events.flatMap((e) => (e.type === 'token' && e.agent === agent ? [e.text] : [])).join('');
      expect(text, agent).toBe(TINY_VLM_CAPTIONS.red);
    }
  }
});

describe('routing', () => {
  test.each([
    ['red', solid(230, 20, 30), 0],
    ['green', solid(10, 200, 40), 1],
    ['blue', solid(20, 30, 220), 2],
  ] as const)('the zero-shot router picks the domain constructed for a %s image', async (_c, image, index) => {
    const record = await runCapflow({ kind: 'image', image }, models, { mode: 'capflow', judge: null }, context());
    expect(record.domain).toMatchObject({ id: colourDomains[index], decidedBy: 'zero-shot' });
    expect(record.domain?.confidence).toBeGreaterThan(0.99);
    expect(record.trace[0]?.agent).toBe('router');
  });

  test('the domain prompts are embedded once per loaded router, not once per job', async () => {
    const clip = await ClipModel.load(TINY_CLIP, 'wasm', 'fp32', () => {});
    const embed = clip.embedTexts.bind(clip);
    let calls = 0;
    clip.embedTexts = (texts) => {
      calls += 1;
      return embed(texts);
    };
    try {
      for (let job = 0; job < 3; job++) {
        // The worker builds the models' adapter afresh for every job.
        const perJob = capflowModels(vlmModel, llmModel, clip, null);
        await runCapflow({ kind: 'image', image: RED }, perJob, { mode: 'single-pass', judge: null }, context());
      }
      expect(calls).toBe(1);
    } finally {
      await clip.dispose();
    }
  });

  test('low zero-shot confidence asks the VLM; its unreadable answer falls back to the zero-shot winner', async () => {
    const grey = solid(128, 128, 128); // no colour: every domain scores the same
    const record = await runCapflow(
      { kind: 'image', image: grey },
      models,
      { mode: 'capflow', judge: null },
      context(),
    );
    const asked = record.trace.find((t) => t.agent === 'router-vlm');
    expect(asked?.prompt).toContain('H. synthetic & aesthetic');
    expect(asked?.output, 'the tiny VLM answers a letter chain, never a lone letter').toMatch(/^[A-Za-z]{8}$/);
    expect(record.domain).toMatchObject({ decidedBy: 'zero-shot-fallback', id: record.domain?.top[0]?.id });
  });

  test('multiple-choice answers are read by letter or label; nonsense is null', () => {
    expect(parseDomainAnswer('E')).toBe('ui');
    expect(parseDomainAnswer(' (F) code')).toBe('code');
    expect(parseDomainAnswer('It is a medical scan.')).toBe('medical');
    expect(parseDomainAnswer('abcdefgh')).toBeNull();
    expect(parseDomainAnswer('')).toBeNull();
  });
});

describe('judge', () => {
  test('scores are read robustly; missing dimensions are null', () => {
    expect(
      parseJudgeScores('Factual accuracy: 3\ncompleteness - 2\nreasoning rigor: 3/3\ncore intent: 1', false),
    ).toEqual({
      'factual accuracy': 3,
      completeness: 2,
      'reasoning rigor': 3,
      'core intent': 1,
      professionalism: null,
    });
    expect(Object.values(parseJudgeScores('no idea', true)).every((s) => s === null)).toBe(true);
  });

  test('an unreadable judge is asked once more per attempt; unknown scores re-run no agent and accept nothing', async () => {
    // (test/unit/reject-sampling.test.ts drives the judge with answers it can read.)
    const events: CaptionEvent[] = [];
    const record = await runCapflow(
      { kind: 'image', image: RED },
      models,
      { mode: 'capflow', domain: 'natural', judge: { attempts: 3 } },
      context(events),
    );
    expect(record.trace.map((t) => t.agent).slice(DOMAINS.natural.agents.length)).toEqual([
      'summary',
      'judge-1',
      'judge-1-again',
      'summary-2',
      'judge-2',
      'judge-2-again',
      'summary-3',
      'judge-3',
      'judge-3-again',
    ]);
    expect(record.judge?.attempts.map((a) => a.mean)).toEqual([null, null, null]);
    expect(record.judge).toMatchObject({ kept: 1, topOnAll: false, accepted: false });
    expect(events.filter((e) => e.type === 'judge').map((e) => e.type === 'judge' && e.attempt)).toEqual([1, 2, 3]);
    expect(record.caption).toBe(record.judge?.attempts[0]?.caption);
    expect(record.caption).toBe(tinyLlmAnswer(summaryOf(record)?.prompt ?? ''));
  });
});

test('single-pass MetaCaptioner mode: one VLM call with a domain-aware prompt', async () => {
  const record = await runCapflow(
    { kind: 'image', image: RED },
    models,
    { mode: 'single-pass', domain: 'ui', judge: null },
    context(),
  );
  expect(record.trace.map((t) => t.agent)).toEqual(['single-pass']);
  expect(record.trace[0]?.prompt).toContain('UI & interaction');
  expect(record.caption).toBe(TINY_VLM_CAPTIONS.red);
});

describe('caption styles and modes', () => {
  test.each(CAPTION_STYLE_IDS)(
    'style %s: single pass asks for it and the summary agent condenses to it',
    async (style) => {
      const single = await runCapflow(
        { kind: 'image', image: RED },
        models,
        { mode: 'single-pass', domain: 'natural', style, judge: null },
        context(),
      );
      expect(single.style).toBe(style);
      expect(single.trace[0]?.prompt).toContain(CAPTION_STYLES[style].instruction);
      const others = CAPTION_STYLE_IDS.filter((s) => s !== style);
      for (const other of others) expect(single.trace[0]?.prompt).not.toContain(CAPTION_STYLES[other].instruction);
      const flow = await runCapflow(
        { kind: 'image', image: RED },
        models,
        { mode: 'capflow', domain: 'natural', style, judge: null },
        context(),
      );
      expect(summaryOf(flow)?.prompt).toContain(CAPTION_STYLES[style].instruction);
    },
  );

  test('alt text is one short sentence without an "image of" opening, whatever the model writes', () => {
    expect(shapeCaption('An image of a red bicycle leaning on a wall.', 'alt')).toBe(
      'A red bicycle leaning on a wall.',
    );
    expect(shapeCaption('Screenshot showing the login form', 'alt')).toBe('The login form');
    const long = `A ${'very '.repeat(40)}long description of a harbour at dusk with boats.`;
    const shaped = shapeCaption(long, 'alt');
    expect(shaped.length).toBeLessThanOrEqual(125);
    expect(shaped).toMatch(/^A very very .*very\.$/);
    expect(shapeCaption('First sentence is here and fine. Second sentence '.padEnd(200, 'x'), 'alt')).toBe(
      'First sentence is here and fine.',
    );
    expect(shapeCaption('An image of a cat.', 'detailed')).toBe('An image of a cat.');
  });

  test('prompt mode: the caller’s instruction, one VLM call, no routing, no judge, tokens streamed', async () => {
    const events: CaptionEvent[] = [];
    const record = await runCapflow(
      { kind: 'image', image: RED },
      models,
      { mode: 'prompt', prompt: 'List the colours.' },
      context(events),
    );
    expect(record).toMatchObject({ mode: 'prompt', style: null, domain: null, judge: null });
    expect(record.trace.map((t) => [t.agent, t.prompt])).toEqual([['prompt', 'List the colours.']]);
    expect(record.caption).toBe(TINY_VLM_CAPTIONS.red);
    const streamed = events.flatMap((e) => (e.type === 'token' ? [e] : []));
    expect(streamed.every((e) => e.agent === 'prompt')).toBe(true);
    expect(streamed.map((e) => e.text).join('')).toBe(TINY_VLM_CAPTIONS.red);
  });

  test('CapFlow streams each step’s tokens under its agent’s name, the summary last', async () => {
    const events: CaptionEvent[] = [];
    const record = await runCapflow(
      { kind: 'image', image: RED },
      models,
      { mode: 'capflow', domain: 'natural', judge: null },
      context(events),
    );
    const byAgent = new Map<string, string>();
    for (const e of events)
      if (e.type === 'token' && e.agent) byAgent.set(e.agent, (byAgent.get(e.agent) ?? '') + e.text);
    expect([...byAgent.keys()]).toEqual([...DOMAINS.natural.agents, 'summary']);
    expect(byAgent.get('summary')).toBe(record.caption);
  });
});

test('cancel mid-workflow stops the remaining agents', async () => {
  let agentsDone = 0;
  const events: CaptionEvent[] = [];
  const ctx = context(events, () => {
    if (agentsDone >= 1) throw new CancelledError('job');
  });
  const counting = { ...ctx, emit: (e: CaptionEvent) => (e.type === 'agent-done' && agentsDone++, events.push(e)) };
  await expect(
    runCapflow(
      { kind: 'image', image: RED },
      models,
      { mode: 'capflow', domain: 'structure-math', batchAgents: false },
      counting,
    ),
  ).rejects.toMatchObject({
    name: 'CancelledError',
  });
  expect(events.filter((e) => e.type === 'agent-start').map((e) => e.type === 'agent-start' && e.agent)).toEqual([
    'structure-perception',
  ]);
});

describe('prompts and specs', () => {
  test('chatty openings are removed from captions', () => {
    expect(cleanCaption('Certainly! Here is the caption: A bar chart of sales.')).toBe('A bar chart of sales.');
    expect(cleanCaption('Sure. Okay: A cat.')).toBe('A cat.');
    expect(cleanCaption('Surely the best chart.')).toBe('Surely the best chart.');
  });
  test('the summary prompt holds the outline, the notes and the output language, never the image', () => {
    const prompt = summaryPrompt('ui', [{ label: 'OCR', text: '"Sign in"' }], 'German', 'short');
    expect(prompt).toContain('in German');
    expect(prompt).toContain(CAPTION_STYLES.short.instruction);
    expect(prompt).toContain('1. app or site and screen');
    expect(prompt).toContain('[OCR]\n"Sign in"');
  });
  test('the OCR note says where each line is and which way a line that is not upright reads', () => {
    const line = (text: string, angle: number) => ({
      text,
      angle,
      confidence: 0.984,
      box: { x: 20.4, y: 7.6, width: 9, height: 40 },
    });
    expect(
      ocrNote([line('Sales', 0), line('Units', -90), line('Temp', 90), line('FRAGILE', 180), line('RESET', -25)]),
    ).toBe(
      [
        '"Sales" at (20, 8) conf 0.98',
        '"Units" at (20, 8), vertical reading upwards conf 0.98',
        '"Temp" at (20, 8), vertical reading downwards conf 0.98',
        '"FRAGILE" at (20, 8), upside down conf 0.98',
        '"RESET" at (20, 8), tilted -25° conf 0.98',
      ].join('\n'),
    );
    expect(ocrNote([])).toBe('No text found.');
  });
  test('every domain names known agents; the table of the paper is followed', () => {
    expect(DOMAIN_IDS).toEqual(Object.keys(DOMAINS));
    expect(DOMAINS.ui.agents).toEqual(['ui-perception', 'ocr', 'general-reasoning']);
    expect(DOMAINS.video.summary).toBe('video');
    expect(Object.isFrozen(DOMAINS) && Object.isFrozen(AGENTS)).toBe(true);
    for (const id of DOMAIN_IDS) for (const agent of DOMAINS[id].agents) expect(AGENTS[agent]).toBeDefined();
  });
});
