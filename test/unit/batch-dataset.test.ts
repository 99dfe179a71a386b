/**
 * The batch keeps every caption an item had: a re-run adds a version and
 * never replaces the user's edit, what is shown stays shown (and exported)
 * while a re-run waits or fails, and files whose bytes are already in the
 * session are skipped as duplicates unless the user keeps them; a paused
 * queue starts nothing. A fake
 * captioner answers by call count; the store is the in-memory one.
 */
import { expect, test } from 'vitest';
import type { Captioner } from '../../src/client/captioner';
import { Batch, type BatchConfig } from '../../src/session/batch';
import { toJsonl } from '../../src/session/exports';
import { finalCaption } from '../../src/session/item';
import { countItems } from '../../src/session/progress';
import { MemorySessionStore } from '../../src/session/store';
import type { CaptionRecord, CapflowOptions } from '../../src/shared/record';
import { solidPng } from '../support/png';

function record(caption: string, options: CapflowOptions): CaptionRecord {
  return {
    version: 3,
    caption,
    mode: options.mode,
    style: options.mode === 'prompt' ? null : (options.style ?? 'detailed'),
    language: 'English',
    domain: null,
    timestamps: null,
    trace: [],
    judge: null,
    totalMs: 5,
    runtime: { device: 'wasm', dtypes: { vlm: 'q4' }, models: { vlm: 'org/Tiny-VLM' } },
  };
}

/** A captioner whose nth caption is "caption n", or fails when `failNext` is set. */
function fakeCaptioner() {
  let calls = 0;
  const state = { failNext: false };
  const captioner = {
    load: async () => ({ device: 'wasm', dtypes: {}, models: {} }),
    capflow: async (job: { options: CapflowOptions }) => {
      if (state.failNext) {
        state.failNext = false;
        throw Object.assign(new Error('The model host could not be reached.'), { name: 'ModelHostUnreachableError' });
      }
      calls += 1;
      return record(`caption ${calls}`, job.options);
    },
    cancel: () => {},
  } as unknown as Captioner;
  return { captioner, state };
}

function setup() {
  const { captioner, state } = fakeCaptioner();
  const settings = { style: 'detailed' as 'detailed' | 'short' };
  const config = (): BatchConfig => ({
    load: { preset: 'tiny', overrides: {}, roles: ['vlm'], device: 'wasm' },
    options: () => ({ mode: 'single-pass', style: settings.style, judge: null }),
    video: {},
    key: 'k',
  });
  const announced: string[] = [];
  let idle = () => {};
  const batch: Batch = new Batch({
    captioner: () => captioner,
    store: new MemorySessionStore(),
    config,
    onChange: () => {
      if (!batch.busy) idle();
    },
    announce: (m) => announced.push(m),
  });
  const settled = () => new Promise<void>((resolve) => (idle = resolve));
  const png = (r: number, name: string) => ({
    file: new File([new Uint8Array(solidPng(r, 20, 30, 8, 8))], name, { type: 'image/png' }),
    path: name,
  });
  return { batch, state, settings, settled, announced, png };
}

test('a re-run keeps the edit shown and offers the new caption; revert and earlier versions lose nothing', async () => {
  const { batch, state, settings, settled, png } = setup();
  let done = settled();
  await batch.add([png(200, 'meadow.png')]);
  await done;
  const id = batch.items[0]?.id ?? '';
  const item = () => batch.items.find((i) => i.id === id)!;
  batch.edit(id, 'My own words.');

  // The re-run waits, then fails: the edit stays shown and exported all along.
  state.failNext = true;
  done = settled();
  batch.rerun([id], null);
  expect(item().status).toBe('queued');
  expect(finalCaption(item())).toBe('My own words.');
  expect(JSON.parse(toJsonl(batch.items)).caption).toBe('My own words.');
  await done;
  expect(item()).toMatchObject({ status: 'failed', edited: 'My own words.', record: { caption: 'caption 1' } });
  expect(JSON.parse(toJsonl(batch.items)).caption).toBe('My own words.');

  // Under new settings it succeeds: the edit is still the caption, the old generated one is a version.
  settings.style = 'short';
  done = settled();
  batch.rerun([id], null);
  await done;
  expect(item()).toMatchObject({
    status: 'done',
    edited: 'My own words.',
    record: { caption: 'caption 2', style: 'short' },
  });
  expect(item().versions).toEqual([
    { kind: 'generated', text: 'caption 1', at: expect.any(Number), madeBy: 'Single pass · detailed · Tiny-VLM' },
  ]);

  // "Use the new caption": the edit becomes a version, nothing is lost.
  batch.revert(id);
  expect(finalCaption(item())).toBe('caption 2');
  expect(item().versions?.map((v) => [v.kind, v.text])).toEqual([
    ['generated', 'caption 1'],
    ['edited', 'My own words.'],
  ]);
  // An earlier version can be shown again; the JSONL can carry the history.
  batch.useVersion(id, 1);
  expect(finalCaption(item())).toBe('My own words.');
  const line = JSON.parse(toJsonl(batch.items, { versions: true }));
  expect(line).toMatchObject({ caption: 'My own words.', generated: 'caption 2' });
  expect(line.versions.map((v: { text: string }) => v.text)).toEqual(['caption 1', 'My own words.']);
  expect(JSON.parse(toJsonl(batch.items))).not.toHaveProperty('versions');
});

test('duplicates by content are skipped with the file they repeat, counted, and can be kept', async () => {
  const { batch, settled, announced, png } = setup();
  let done = settled();
  await batch.add([png(10, 'a.png'), png(20, 'b.png'), png(10, 'a copy.png')]);
  await done;
  done = settled();
  // Another add: a repeat of b (and of nothing else), and a file of the same size with other bytes.
  await batch.add([png(20, 'b again.png'), png(30, 'c.png')]);
  await done;
  const byName = Object.fromEntries(batch.items.map((i) => [i.name, i]));
  expect(byName['a copy.png']).toMatchObject({
    status: 'refused',
    error: { name: 'DuplicateFileError', message: 'The same file as "a.png" is already here: skipped.' },
  });
  expect(byName['b again.png']?.error?.message).toMatch(/"b.png"/);
  expect(byName['c.png']?.status).toBe('done');
  expect(countItems(batch.items)).toMatchObject({ total: 5, done: 3, duplicates: 2, refused: 0 });
  expect(announced.some((m) => m.includes('a copy.png (same as a.png)'))).toBe(true);

  done = settled();
  batch.keepDuplicate(byName['a copy.png']?.id ?? '');
  await done;
  expect(batch.items.find((i) => i.name === 'a copy.png')).toMatchObject({ status: 'done', keptDuplicate: true });
});

test('a paused queue starts nothing until it is resumed', async () => {
  const { batch, settled, png } = setup();
  batch.setPaused(true);
  await batch.add([png(40, 'one.png'), png(50, 'two.png')]);
  expect(batch.items.map((i) => i.status)).toEqual(['queued', 'queued']);
  expect(batch.paused).toBe(true);
  const done = settled();
  batch.setPaused(false);
  await done;
  expect(batch.items.map((i) => i.status)).toEqual(['done', 'done']);
});

test('a long step shows its progress as the stage: OCR by pieces of text, a note by the tokens written', async () => {
  const stages: string[] = [];
  const captioner = {
    load: async () => ({ device: 'wasm', dtypes: {}, models: {} }),
    capflow: async (job: { jobId: string; options: CapflowOptions; onEvent: (e: unknown) => void }) => {
      job.onEvent({ type: 'agent-start', jobId: job.jobId, agent: 'ocr' });
      for (const done of [0, 8, 12])
        job.onEvent({ type: 'step-progress', jobId: job.jobId, agent: 'ocr', done, total: 12, unit: 'pieces of text' });
      job.onEvent({ type: 'agent-start', jobId: job.jobId, agent: 'natural-perception' });
      for (const text of ['A wide ', 'meadow ', 'under a pale sky.'])
        job.onEvent({ type: 'token', jobId: job.jobId, agent: 'natural-perception', text });
      return record('caption', job.options);
    },
    cancel: () => {},
  } as unknown as Captioner;
  let idle = () => {};
  const batch: Batch = new Batch({
    captioner: () => captioner,
    store: new MemorySessionStore(),
    config: () => ({
      load: { preset: 'tiny', overrides: {}, roles: ['vlm'], device: 'wasm' },
      options: () => ({ mode: 'capflow', judge: null }),
      video: {},
      key: 'k',
    }),
    onChange: () => {
      for (const live of batch.live.values()) stages.push(live.stage);
      if (!batch.busy) idle();
    },
    announce: () => {},
  });
  const done = new Promise<void>((resolve) => (idle = resolve));
  await batch.add([
    { file: new File([new Uint8Array(solidPng(1, 2, 3, 8, 8))], 'page.png', { type: 'image/png' }), path: 'page.png' },
  ]);
  await done;
  expect(stages).toContain('OCR agent (8 of 12 pieces of text)');
  expect(stages).toContain('OCR agent (12 of 12 pieces of text)');
  expect(stages.filter((s) => s.includes('written'))).toEqual([
    'natural perception agent (≈ 2 tokens written)',
    'natural perception agent (≈ 3 tokens written)',
    'natural perception agent (≈ 8 tokens written)',
  ]);
});
