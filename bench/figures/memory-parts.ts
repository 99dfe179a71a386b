/**
 * Figure 10: where the copies are. Warm loads of a forge VLM whose vision
 * encoder, `embed_tokens` and decoder have the balanced tier's proportions
 * (bench/memory/part-model.ts), on WASM and on WebGPU (SwiftShader here: its
 * buffers live in the GPU process), ours (the app's worker and IndexedDB
 * cache) against plain transformers.js (its Cache API path) in the same
 * run: the renderer's and the GPU process's peaks, what they hold when the
 * last file read began or ended, when the load resolved and once settled.
 * Full runs also load each part alone and the model with no weights, so
 * each part's copies are told apart (transformers.js creates all sessions
 * at once). Quick runs (CI) load only the whole model, at 16 MiB, on WASM.
 */
import { expect, inject, test } from 'vitest';
import { createCaptioner } from '../../src/client/captioner';
import { type Device, type OursRead, oursLoad, plainLoad } from '../memory/loads';
import { PARTS, type Part, type PartModel } from '../memory/parts';
import { type LoadMemory, type Split, measureLoad } from '../memory/timeline';
import { type BenchRow, noteRow, ratioRow, withoutVerdict } from '../rows';
import { backNear, record, residentBytes, settings } from '../support';

const FIGURE = '10 copies per part';
const heavy = inject('heavy');
const models = inject('parts');
const source = { kind: 'host', host: heavy.host, pathTemplate: '{model}/resolve/{revision}/' } as const;
const MB = 2 ** 20;

/** Weight bytes of a model (its external data). */
const weightsOf = (model: PartModel) => PARTS.reduce((sum, part) => sum + model.bytes[part], 0);
const sum = (s: Split) => s.renderer + s.gpu;

/** One measured warm load a side: null where the memory of earlier loads did not come back first. */
interface Pair {
  readonly ours: LoadMemory | null;
  readonly plain: LoadMemory | null;
  readonly read: OursRead;
}

/** Fills both caches with the model (a cold load each side). */
async function fill(model: PartModel): Promise<void> {
  const read: OursRead = { bytes: 0, fromCache: undefined };
  (await oursLoad(source, model, 'wasm', () => undefined, read))();
  expect(read.fromCache).toBe(false);
  (await plainLoad(heavy.host, model, 'wasm', () => undefined))();
}

async function measurePair(model: PartModel, device: Device, idle: number): Promise<Pair> {
  const read: OursRead = { bytes: 0, fromCache: undefined };
  const ours = (await backNear(idle)) ? await measureLoad((mark) => oursLoad(source, model, device, mark, read)) : null;
  expect(read.fromCache).toBe(true);
  const plain = (await backNear(idle)) ? await measureLoad((mark) => plainLoad(heavy.host, model, device, mark)) : null;
  // The marks in order, for reading a load's course next to its figures (the table has no room for them).
  for (const [side, m] of [
    ['ours', ours],
    ['plain', plain],
  ] as const) {
    const start = m?.marks[0]?.at ?? 0;
    console.log(`${model.repo} ${device} ${side}: ${m?.marks.map((k) => `+${k.at - start} ms ${k.what}`).join('; ')}`);
  }
  return { ours, plain, read };
}

/** A row of ours against plain, MB, no target (both sides did the same load). */
function pairRow(what: string, ours: number, plain: number): BenchRow {
  return ratioRow(FIGURE, what, { label: 'ours', value: ours / MB }, { label: 'plain', value: plain / MB }, null);
}

/**
 * The whole model's rows on one device: each stage, ours against plain; the
 * peak against the weights, raw and less the empty model's (the copies the
 * weights cause, which the target bounds: at 256 MB the runtime's fixed cost
 * is a large share of the raw peak, at the real 0.7–1.8 GB a small one).
 */
function wholeRows(device: Device, weights: number, pair: Pair, empty: Pair): BenchRow[] {
  const { ours, plain } = pair;
  const head = `${device}, whole model (${(weights / MB).toFixed(0)} MB of weights), MB above the start`;
  if (!ours || !plain || !empty.ours || !empty.plain) {
    return [noteRow(FIGURE, `${head}: not measured (memory of earlier loads not freed)`)];
  }
  const [emptyOurs, emptyPlain] = [sum(empty.ours.peak), sum(empty.plain.peak)];
  const stage = (name: string, pick: (m: LoadMemory) => number) => pairRow(`${head}: ${name}`, pick(ours), pick(plain));
  const w = { label: 'weights', value: weights / MB };
  const rows = [
    stage('peak, renderer + GPU process (each its own peak, high-water mark or sampled)', (m) => sum(m.peak)),
    stage('peak, renderer', (m) => m.peak.renderer),
    stage('peak, GPU process', (m) => m.peak.gpu),
    stage('peak, renderer + GPU at one sampled moment', (m) => m.peakTogether),
    stage('when the last file read began (ours) / ended (plain)', (m) =>
      m.atLastRead ? sum(m.atLastRead) : Number.NaN,
    ),
    stage('when ready (warm-up run done)', (m) => sum(m.ready)),
    stage(`settled, renderer`, (m) => m.settled.renderer),
    stage(`settled, GPU process`, (m) => m.settled.gpu),
    stage('freed between ready and settled', (m) => sum(m.ready) - sum(m.settled)),
    stage('peak of the empty model (runtime, worker, graphs)', (m) => (m === ours ? emptyOurs : emptyPlain)),
    ratioRow(FIGURE, `${head}: peak against the weights`, { label: 'ours', value: sum(ours.peak) / MB }, w, null),
    ratioRow(FIGURE, `${head}: peak against the weights`, { label: 'plain', value: sum(plain.peak) / MB }, w, null),
    ratioRow(
      FIGURE,
      `${head}: peak less the empty model's, against the weights`,
      { label: 'ours', value: (sum(ours.peak) - emptyOurs) / MB },
      w,
      1.5,
    ),
    ratioRow(
      FIGURE,
      `${head}: peak less the empty model's, against the weights`,
      { label: 'plain', value: (sum(plain.peak) - emptyPlain) / MB },
      w,
      null,
    ),
    ratioRow(
      FIGURE,
      `${head}: read from IndexedDB (each file once)`,
      { label: 'ours', value: pair.read.bytes / MB },
      w,
      null,
    ),
  ];
  if (device === 'webgpu') {
    // The weights live on the GPU: the renderer should keep little of them (issue 27's target). What the
    // runtime keeps of itself (the empty model's settled memory) is not the weights' and is taken off, as
    // for the peak.
    const kept = (m: LoadMemory, e: LoadMemory) => (m.settled.renderer - e.settled.renderer) / MB;
    const what = `${head}: settled renderer memory less the empty model's, against the weights`;
    rows.push(
      ratioRow(FIGURE, what, { label: 'ours', value: kept(ours, empty.ours) }, w, 0.25),
      ratioRow(FIGURE, what, { label: 'plain', value: kept(plain, empty.plain) }, w, null),
    );
  }
  // At 16 MiB the runtime's own memory, and how it varies between loads (±50 MB), dwarfs the weights.
  const tooSmall = 'quick run: 16 MiB of weights, less than the runtime varies between loads';
  return settings.quick ? rows.map((row) => (row.target ? withoutVerdict(row, tooSmall) : row)) : rows;
}

/** Each part's rows on one device: its load alone, less the load of the model without weights. */
function partRows(device: Device, part: Part, weights: number, alone: Pair, empty: Pair): BenchRow[] {
  const head = `${device}, ${part} alone (${(weights / MB).toFixed(0)} MB) less the empty model, MB`;
  const [a, b, ea, eb] = [alone.ours, alone.plain, empty.ours, empty.plain];
  if (!a || !b || !ea || !eb) return [noteRow(FIGURE, `${head}: not measured (memory of earlier loads not freed)`)];
  const less = (pick: (m: LoadMemory) => number) => [pick(a) - pick(ea), pick(b) - pick(eb)] as const;
  const w = { label: 'weights', value: weights / MB };
  const [peakOurs, peakPlain] = less((m) => sum(m.peak));
  return [
    pairRow(`${head}: peak, renderer`, ...less((m) => m.peak.renderer)),
    pairRow(`${head}: peak, GPU process`, ...less((m) => m.peak.gpu)),
    pairRow(`${head}: settled, renderer`, ...less((m) => m.settled.renderer)),
    pairRow(`${head}: settled, GPU process`, ...less((m) => m.settled.gpu)),
    ratioRow(FIGURE, `${head}: peak against the weights`, { label: 'ours', value: peakOurs / MB }, w, null),
    ratioRow(FIGURE, `${head}: peak against the weights`, { label: 'plain', value: peakPlain / MB }, w, null),
  ];
}

/** The devices this Chromium offers: WASM always, WebGPU where an adapter answers (SwiftShader here). */
async function devices(): Promise<Device[]> {
  const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
  return (await gpu?.requestAdapter()) ? ['wasm', 'webgpu'] : ['wasm'];
}

test('10 copies per part: warm loads of a model with the real proportions, ours and plain, WASM and WebGPU', async () => {
  const idle = await residentBytes();
  if (idle === null) {
    await record(noteRow(FIGURE, 'not measured: needs Linux /proc for the processes’ memory'));
    return;
  }
  const reset = createCaptioner({ source });
  await reset.cache.clear();
  reset.dispose();
  await caches.delete('transformers-cache');
  const variants = [models.whole, models.empty, ...Object.values(models.alone ?? {})];
  for (const model of variants) await fill(model);

  const rows: BenchRow[] = [];
  // Quick runs (CI) only check that the figure runs end to end: WASM alone keeps them about 80 s shorter.
  const found: Device[] = settings.quick ? ['wasm'] : await devices();
  if (settings.quick) rows.push(noteRow(FIGURE, 'WebGPU: full runs only (quick runs load on WASM alone)'));
  else if (!found.includes('webgpu')) rows.push(noteRow(FIGURE, 'WebGPU: no adapter in this Chromium, WASM only'));
  for (const device of found) {
    const empty = await measurePair(models.empty, device, idle);
    rows.push(...wholeRows(device, weightsOf(models.whole), await measurePair(models.whole, device, idle), empty));
    if (!models.alone) continue;
    for (const part of PARTS) {
      const alone = models.alone[part];
      rows.push(...partRows(device, part, alone.bytes[part], await measurePair(alone, device, idle), empty));
    }
  }
  if (!models.alone) rows.push(noteRow(FIGURE, 'each part alone: full runs only (three more loads a device and side)'));
  await record(...rows);
});
