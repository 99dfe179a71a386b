/**
 * `metacaptioner check`: a dry run before a cluster night. One real image
 * goes through every role (the VLM, the text model, the judge; the router
 * when it runs on this CPU) by the same engine code a run uses, and each
 * role's line says what its endpoint answered, its tokens and latency, and
 * a verdict. A role that fails is named with the error a run would have
 * met, so a typo, a refused key or a thinking model is found in seconds.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { route } from '../capflow/router';
import type { CapflowModels } from '../capflow/context';
import { errorText } from '../shared/errors';
import type { ModelSpec } from '../shared/model-spec';
import { type Engine, type ModelPlace, type OpenAiSettings, loadRouter, openAiEngine } from './engines';
import { type CliImage, readImageFile } from './images';
import { emptyStats } from './openai-client';

/** What each role is asked: short, with an answer a person can judge at a glance. */
export const CHECK_PROMPTS = Object.freeze({
  vlm: { prompt: 'Describe this image in one sentence.', maxNewTokens: 64 },
  llm: { prompt: 'Reply with one short sentence: what is a caption?', maxNewTokens: 48 },
  judge: { prompt: 'Which colours does this image show? Answer in a few words.', maxNewTokens: 32 },
} as const);

/** The endpoint roles, in the order they are checked. */
export const ENDPOINT_ROLES = ['vlm', 'llm', 'judge'] as const;

/** One role's outcome. */
export type RoleCheck = {
  readonly role: 'vlm' | 'llm' | 'judge' | 'router';
  /** The endpoint and model, or the local router's repo. */
  readonly target: string;
  readonly ms: number;
} & (
  | { readonly ok: true; readonly answer: string; readonly promptTokens: number | null; readonly tokens: number }
  | { readonly ok: false; readonly error: string }
);

/** The first words of an answer, on one line. */
export function firstWords(text: string, max = 80): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** A role's line as printed. */
export function describeCheck(c: RoleCheck): string {
  const head = `${c.role.padEnd(6)} ${c.target}`;
  if (!c.ok) return `${head}\n       FAIL after ${Math.round(c.ms)} ms: ${c.error}`;
  const tokens =
    c.role === 'router'
      ? ''
      : `, ${c.promptTokens === null ? 'prompt tokens not reported' : `${c.promptTokens} prompt`} + ${c.tokens} generated tokens`;
  return `${head}\n       ok in ${Math.round(c.ms)} ms${tokens}: "${firstWords(c.answer)}"`;
}

/**
 * A small image with something to describe (four coloured quadrants), as a
 * PNG file in a temporary folder, read back the way a run reads images.
 */
async function generatedImage(): Promise<{ image: CliImage; name: string; cleanup: () => Promise<void> }> {
  const size = 128;
  const colours = [
    [220, 30, 30],
    [30, 160, 60],
    [30, 60, 220],
    [240, 200, 20],
  ] as const;
  const pixels = Buffer.alloc(size * size * 3);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const [r, g, b] = colours[(y < size / 2 ? 0 : 2) + (x < size / 2 ? 0 : 1)] ?? colours[0];
      pixels.set([r, g, b], (y * size + x) * 3);
    }
  }
  const dir = await mkdtemp(join(tmpdir(), 'metacaptioner-check-'));
  const path = join(dir, 'check.png');
  await writeFile(
    path,
    await sharp(pixels, { raw: { width: size, height: size, channels: 3 } })
      .png()
      .toBuffer(),
  );
  const image = await readImageFile(path, 'check.png');
  return {
    image,
    name: 'a generated PNG of four coloured squares',
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/** What `check` needs: the run's engine settings (endpoints with their keys) and, when routing locally, the router. */
export interface CheckRun {
  readonly settings: Omit<OpenAiSettings, 'stats' | 'ocr' | 'concurrency'>;
  readonly router: { readonly spec: ModelSpec; readonly place: ModelPlace } | null;
  /** An image file to send; none: a generated one. */
  readonly image?: string;
  /** Receives each role's line as it is known, and the opening line. */
  readonly print: (line: string) => void;
  readonly now?: () => number;
}

/** An error as a role's line shows it. */
const failure = (err: unknown) => `${err instanceof Error ? err.name : 'Error'}: ${errorText(err)}`;

/** Runs the check; resolves with each role's outcome (the caller's exit code: any not ok). */
export async function runCheck(run: CheckRun): Promise<RoleCheck[]> {
  const now = run.now ?? (() => performance.now());
  const source = run.image
    ? { image: await readImageFile(run.image, run.image), name: run.image, cleanup: async () => {} }
    : await generatedImage();
  const { image } = source;
  run.print(`Checking every role with ${source.name} (${image.raw.width}×${image.raw.height}):`);
  const results: RoleCheck[] = [];
  const report = (c: RoleCheck) => {
    results.push(c);
    run.print(describeCheck(c));
  };
  const engines: Engine[] = [];
  // The VLM role's models, so a local router that is unsure asks the VLM, as in a run.
  let vlmModels: CapflowModels<CliImage> | null = null;
  try {
    for (const role of ENDPOINT_ROLES) {
      const endpoint = run.settings[role];
      const target = `${endpoint.url} ${endpoint.model}`;
      const stats = emptyStats();
      const t0 = now();
      try {
        // One engine per role, all its roles on this endpoint: its start-up checks (reachable, serves the model,
        // takes the key) are this role's alone, and the request is the one a run would send.
        const engine = await openAiEngine(
          { ...run.settings, vlm: endpoint, llm: endpoint, judge: endpoint, concurrency: 1, stats, ocr: 'vlm' },
          null,
        );
        engines.push(engine);
        const { models } = engine;
        const ask = CHECK_PROMPTS[role];
        const out =
          role === 'llm'
            ? await models.llm.generateText(ask.prompt, { maxNewTokens: ask.maxNewTokens })
            : await (role === 'judge' && models.judge ? models.judge : models.vlm).generate([image], ask.prompt, {
                maxNewTokens: ask.maxNewTokens,
              });
        if (!out.text.trim()) throw new Error('the endpoint answered with no text');
        if (role === 'vlm') vlmModels = models;
        report({
          role,
          target,
          ms: now() - t0,
          ok: true,
          answer: out.text,
          promptTokens: stats.promptTokens || null,
          tokens: out.tokens,
        });
      } catch (err) {
        report({ role, target, ms: now() - t0, ok: false, error: failure(err) });
      }
    }
    if (run.router) report(await checkRouter(run.router, image, vlmModels, now));
  } finally {
    await Promise.all(engines.map((e) => e.dispose()));
    await source.cleanup();
  }
  return results;
}

/** The local router on the image, as a run routes it: zero-shot, and the VLM asked when unsure. */
async function checkRouter(
  router: { readonly spec: ModelSpec; readonly place: ModelPlace },
  image: CliImage,
  models: CapflowModels<CliImage> | null,
  now: () => number,
): Promise<RoleCheck> {
  const target = `${router.spec.repo} (on this CPU)`;
  const t0 = now();
  try {
    const clip = await loadRouter(router.spec, router.place);
    try {
      if (!models) throw new Error('the VLM role failed, and an unsure router asks the VLM');
      const domain = await route(
        { kind: 'image', image },
        {
          ...models,
          router: {
            name: router.spec.repo,
            embedTexts: (t) => clip.embedTexts(t),
            embedImage: (i) => clip.embedImage(i.raw),
          },
        },
        undefined,
        { jobId: 'check', check: () => {}, emit: () => {}, now },
        [],
      );
      const top = domain.top.map((t) => `${t.id} ${t.p.toFixed(2)}`).join(', ');
      const answer = `${domain.id} (decided by ${domain.decidedBy}; ${top})`;
      return { role: 'router', target, ms: now() - t0, ok: true, answer, promptTokens: null, tokens: 0 };
    } finally {
      await clip.dispose();
    }
  } catch (err) {
    return { role: 'router', target, ms: now() - t0, ok: false, error: failure(err) };
  }
}
