/**
 * `npm run smoke:real` (bench/smoke-real.mjs): the shipped tiers on their
 * real weights, for anyone with the network (the model hub or a mirror).
 * It loads each tier's VLM and router at their pinned commits on this
 * machine's CPU (onnxruntime-node, the WASM plan), then for three fixed
 * images (test/fixtures/real/reference/images/):
 * - times the load, and every step of a single-pass and a CapFlow caption:
 *   time to the first token (prefill) and decode tokens/s;
 * - compares a batched generation with the same prompts one by one (the
 *   padding behaviour no source establishes for Qwen3.5's linear layers);
 * - compares the processor's pixels with the reference processor's at the
 *   tier's cap (test/fixtures/real/reference/pixel_values.json).
 * With `--plan` it prints only what it would fetch (bench/smoke/plan.ts).
 * Never part of `npm test`: it needs the network and minutes per tier.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { RawImage, env } from '@huggingface/transformers';
import { test } from 'vitest';
import { runCapflow } from '../../src/capflow/workflow';
import { createNodeOcr } from '../../src/cli/node-ocr';
import { capflowModels } from '../../src/models/capflow-models';
import { ClipModel } from '../../src/models/clip-model';
import { Vlm, loadProcessor, preprocessAsReference } from '../../src/models/vlm';
import type { Generation } from '../../src/models/generation';
import type { CaptionEvent } from '../../src/shared/events';
import { PRESETS, type PresetId, requirePresetId } from '../../src/shared/presets';
import { REAL_ROOT } from '../../test/support/real-exports';
import { expectReferencePixels, referencePixelRecords } from '../../test/support/reference-pixels';
import { formatPlan, smokePlan } from './plan';

const tiers = (process.env.MC_SMOKE_TIERS || 'tiny,balanced,quality').split(',').map(requirePresetId);
const IMAGES = join(REAL_ROOT, 'reference/images');
const PIXELS = join(REAL_ROOT, 'reference/pixel_values.json');

/** The timing of one step, from its events: time to first token, then decode speed. */
interface StepTiming {
  agent: string;
  started: number;
  firstToken?: number;
  done?: number;
  tokens: number;
}

function timingLine(t: StepTiming, ms = 0): string {
  // A step that streams no text (the judge, the router's question) has only its total time.
  if (t.firstToken === undefined)
    return `    ${t.agent.padEnd(28)} ${Math.round(ms)} ms in all, not streamed  ${t.tokens} tokens`;
  const prefill = `${Math.round(t.firstToken - t.started)} ms`;
  const decodeMs = t.done !== undefined ? t.done - t.firstToken : 0;
  const rate = decodeMs > 0 && t.tokens > 1 ? `${((t.tokens - 1) / (decodeMs / 1000)).toFixed(1)} tok/s` : '–';
  return `    ${t.agent.padEnd(28)} prefill ${prefill.padStart(9)}  decode ${rate.padStart(11)}  ${t.tokens} tokens`;
}

/** A CapFlow context that records each step's timing. */
function timedContext(steps: StepTiming[]) {
  const open = new Map<string, StepTiming>();
  return {
    jobId: 'smoke',
    check: () => {},
    now: () => performance.now(),
    emit: (e: CaptionEvent) => {
      const now = performance.now();
      if (e.type !== 'agent-start' && e.type !== 'token' && e.type !== 'agent-done') return;
      if (e.type === 'agent-start') open.set(e.agent, { agent: e.agent, started: now, tokens: 0 });
      const step = e.agent === undefined ? undefined : open.get(e.agent);
      if (!step) return;
      if (e.type === 'token') step.firstToken ??= now;
      if (e.type === 'agent-done') {
        step.done = now;
        steps.push(step);
        open.delete(e.agent);
      }
    },
  };
}

async function images(): Promise<{ name: string; image: RawImage }[]> {
  if (!existsSync(IMAGES)) throw new Error(`no reference images in ${IMAGES}`);
  const names = readdirSync(IMAGES)
    .filter((n) => n.endsWith('.png'))
    .sort();
  return Promise.all(names.map(async (name) => ({ name, image: await RawImage.read(join(IMAGES, name)) })));
}

/** Our processor's pixels against the reference's at the tier's cap, per image: "as the reference" or what differs. */
async function pixelLines(tier: PresetId, list: { name: string; image: RawImage }[]): Promise<string[]> {
  const spec = PRESETS[tier].vlm;
  if (spec.family !== 'qwen3_5') return ['    (no reference recorded for this family)'];
  const processor = await loadProcessor(spec.repo, { revision: spec.revision });
  preprocessAsReference(processor, spec.maxImagePixels);
  const records = referencePixelRecords(JSON.parse(readFileSync(PIXELS, 'utf8')));
  const lines: string[] = [];
  for (const { name, image } of list) {
    const ref = records.find((r) => r.image === name && r.max_pixels === spec.maxImagePixels);
    const out = await processor.image_processor?.([image]);
    if (!ref || !out) {
      lines.push(`    ${name}: no reference at this cap`);
      continue;
    }
    try {
      expectReferencePixels(out, ref);
      lines.push(
        `    ${name}: as the reference (grid ${ref.image_grid_thw.join('×')}, mean ${ref.mean}, std ${ref.std})`,
      );
    } catch (err) {
      lines.push(`    ${name}: DIFFERS from the reference: ${String(err).split('\n')[0]}`);
    }
  }
  return lines;
}

test('smoke on real weights', { timeout: 0 }, async () => {
  if (process.env.MC_SMOKE_PLAN === '1') {
    console.log(formatPlan(smokePlan(tiers)));
    return;
  }
  env.cacheDir = process.env.MC_SMOKE_CACHE || join(process.cwd(), '.smoke-cache');
  env.useFSCache = true;
  env.allowLocalModels = false;
  env.allowRemoteModels = true;
  if (process.env.MC_SMOKE_HOST) env.remoteHost = process.env.MC_SMOKE_HOST.replace(/\/?$/, '/');
  const list = await images();
  const ocr = await createNodeOcr();
  for (const tier of tiers) {
    const preset = PRESETS[tier];
    // One block per tier (the test runner prefixes every console.log).
    const out: string[] = [`\n${tier}: ${preset.vlm.repo}@${preset.vlm.revision}`];
    const say = (line: string) => out.push(line);
    const loadStart = performance.now();
    const vlm = await Vlm.load(preset.vlm, 'wasm', preset.vlm.dtypes.wasm, () => {});
    const router = await ClipModel.load(preset.router, 'wasm', preset.router.dtypes.wasm, () => {});
    say(`  load ${Math.round(performance.now() - loadStart)} ms (VLM and router, from the cache when present)`);
    const models = capflowModels(vlm, vlm, router, { name: 'PP-OCRv4', read: (i: RawImage) => ocr.read(i.rgb()) });
    try {
      for (const { name, image } of list) {
        for (const mode of ['single-pass', 'capflow'] as const) {
          const steps: StepTiming[] = [];
          const started = performance.now();
          const record = await runCapflow({ kind: 'image', image }, models, { mode }, timedContext(steps));
          for (const t of steps) t.tokens = record.trace.find((s) => s.agent === t.agent)?.tokens ?? 0;
          say(`  ${name} ${mode}: ${Math.round(performance.now() - started)} ms, ${record.domain?.id ?? 'no domain'}`);
          for (const t of steps) say(timingLine(t, record.trace.find((s) => s.agent === t.agent)?.ms));
          say(`    caption: ${record.caption}`);
        }
        const prompts = [
          { prompt: 'Describe this image.', maxNewTokens: 24 },
          { prompt: 'List every object you can see in this image, one per line.', maxNewTokens: 24 },
        ];
        const alone: Generation[] = [];
        for (const p of prompts) alone.push(await vlm.generate([image], p));
        const batched = await vlm.generateBatch([image], prompts, {});
        const same = batched.every((b, i) => b.text === alone[i]?.text);
        say(`  ${name} batched vs one by one: ${same ? 'same' : 'DIFFERENT'}`);
        if (!same)
          batched.forEach((b, i) =>
            say(`    row ${i}: ${JSON.stringify(b.text)} vs ${JSON.stringify(alone[i]?.text)}`),
          );
      }
      say('  pixel statistics:');
      for (const line of await pixelLines(tier, list)) say(line);
    } finally {
      console.log(out.join('\n'));
      await vlm.dispose();
      await router.dispose();
    }
  }
});
