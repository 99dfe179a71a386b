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
 * - compares the processor's pixel statistics with the reference
 *   processor's (test/fixtures/real/reference/pixels.json).
 * With `--plan` it prints only what it would fetch (bench/smoke/plan.ts).
 * Never part of `npm test`: it needs the network and minutes per tier.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { RawImage, type Tensor, env } from '@huggingface/transformers';
import { test } from 'vitest';
import { runCapflow } from '../../src/capflow/workflow';
import { createNodeOcr } from '../../src/cli/node-ocr';
import { capflowModels } from '../../src/models/capflow-models';
import { ClipModel } from '../../src/models/clip-model';
import { loadProcessor } from '../../src/models/vlm';
import { Vlm } from '../../src/models/vlm';
import type { Generation } from '../../src/models/generation';
import { applyReferenceDefaults } from '../../src/models/processor-defaults';
import type { CaptionEvent } from '../../src/shared/events';
import { PRESETS, type PresetId, requirePresetId } from '../../src/shared/presets';
import { REAL_ROOT } from '../../test/support/real-exports';
import { formatPlan, smokePlan } from './plan';

const tiers = (process.env.MC_SMOKE_TIERS || 'tiny,balanced,quality').split(',').map(requirePresetId);
const IMAGES = join(REAL_ROOT, 'reference/images');
const PIXELS = join(REAL_ROOT, 'reference/pixels.json');

/** The timing of one step, from its events: time to first token, then decode speed. */
interface StepTiming {
  agent: string;
  started: number;
  firstToken?: number;
  done?: number;
  tokens: number;
}

function timingLine(t: StepTiming): string {
  const prefill = t.firstToken === undefined ? '–' : `${Math.round(t.firstToken - t.started)} ms`;
  const decodeMs = t.done !== undefined && t.firstToken !== undefined ? t.done - t.firstToken : 0;
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

/** Our processor's statistics of `pixel_values`, against the reference's where it recorded this image. */
async function pixelLines(tier: PresetId, list: { name: string; image: RawImage }[]): Promise<string[]> {
  const spec = PRESETS[tier].vlm;
  if (spec.family !== 'qwen3_5' || !existsSync(PIXELS)) return ['    (no reference statistics for this family)'];
  const processor = await loadProcessor(spec.repo, { revision: spec.revision });
  applyReferenceDefaults(processor.image_processor);
  const reference: unknown = JSON.parse(readFileSync(PIXELS, 'utf8'));
  const lines: string[] = [];
  for (const { name, image } of list) {
    const out = await processor.image_processor?.([image]);
    const data = (out?.pixel_values as Tensor | undefined)?.data as Float32Array | undefined;
    if (!data) continue;
    let sum = 0;
    let min = Infinity;
    let max = -Infinity;
    for (const v of data) {
      sum += v;
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    lines.push(`    ${name}: ours mean ${(sum / data.length).toFixed(4)} min ${min.toFixed(3)} max ${max.toFixed(3)}`);
    lines.push(`    ${name}: reference ${JSON.stringify(Reflect.get(Object(reference), name) ?? 'not recorded')}`);
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
    console.log(`\n${tier}: ${preset.vlm.repo}@${preset.vlm.revision}`);
    const loadStart = performance.now();
    const vlm = await Vlm.load(preset.vlm, 'wasm', preset.vlm.dtypes.wasm, () => {});
    const router = await ClipModel.load(preset.router, 'wasm', preset.router.dtypes.wasm, () => {});
    console.log(`  load ${Math.round(performance.now() - loadStart)} ms (VLM and router, from the cache when present)`);
    const models = capflowModels(vlm, vlm, router, { name: 'PP-OCRv4', read: (i: RawImage) => ocr.read(i.rgb()) });
    try {
      for (const { name, image } of list) {
        for (const mode of ['single-pass', 'capflow'] as const) {
          const steps: StepTiming[] = [];
          const started = performance.now();
          const record = await runCapflow({ kind: 'image', image }, models, { mode }, timedContext(steps));
          for (const t of steps) t.tokens = record.trace.find((s) => s.agent === t.agent)?.tokens ?? 0;
          console.log(
            `  ${name} ${mode}: ${Math.round(performance.now() - started)} ms, ${record.domain?.id ?? 'no domain'}`,
          );
          for (const t of steps) console.log(timingLine(t));
          console.log(`    caption: ${record.caption}`);
        }
        const prompts = [
          { prompt: 'Describe this image.', maxNewTokens: 24 },
          { prompt: 'List every object you can see in this image, one per line.', maxNewTokens: 24 },
        ];
        const alone: Generation[] = [];
        for (const p of prompts) alone.push(await vlm.generate([image], p));
        const batched = await vlm.generateBatch([image], prompts, {});
        const same = batched.every((b, i) => b.text === alone[i]?.text);
        console.log(`  ${name} batched vs one by one: ${same ? 'same' : 'DIFFERENT'}`);
        if (!same)
          batched.forEach((b, i) =>
            console.log(`    row ${i}: ${JSON.stringify(b.text)} vs ${JSON.stringify(alone[i]?.text)}`),
          );
      }
      console.log('  pixel statistics:');
      for (const line of await pixelLines(tier, list)) console.log(line);
    } finally {
      await vlm.dispose();
      await router.dispose();
    }
  }
});
