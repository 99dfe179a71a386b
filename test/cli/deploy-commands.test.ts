/**
 * DEPLOY.md's and the README's `caption` and `check` commands, as written, run against
 * scripted servers of the kind each command's URL stands for (vLLM on the
 * cluster and the workstation, LM Studio on :1234, Ollama on :11434:
 * test/support/server-kinds.ts), the URL swapped for the server's and the
 * paths for a small work folder. Issue 26's "DEPLOY.md's commands are the ones
 * tested"; the scheduler scripts (with `$` variables) run in
 * schedulers.test.ts. No models, so in seconds.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { afterAll, expect, test } from 'vitest';
import type { RunLine } from '../../src/cli/run-log';
import type { ServerKind } from '../../src/cli/server-kinds';
import { runCli } from '../support/in-process-cli';
import { serve } from '../support/kind-clients';
import type { KindScript } from '../support/server-kinds';
import { deployCommands, words } from '../support/ops-cli';

const work = mkdtempSync(join(tmpdir(), 'mc-deploy-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/**
 * What serves each URL the docs name. The workstation's vLLM has `--max-model-len 16384`; Ollama's model
 * thinks unless told not to (its default); on LM Studio DEPLOY.md says to pick a VLM that does not think.
 */
const SERVERS: Readonly<Record<string, Omit<KindScript, 'models' | 'answer'>>> = {
  'http://gpu-1:8000/v1': { kind: 'vllm' },
  'http://node-1:8000/v1': { kind: 'vllm' },
  'http://node-2:8000/v1': { kind: 'vllm' },
  'http://localhost:8000/v1': { kind: 'vllm', context: 16_384 },
  'http://localhost:1234/v1': { kind: 'lmstudio' },
  'http://localhost:11434/v1': { kind: 'ollama', thinking: true },
};

/** A router's question gets a domain letter (as canned-openai.ts answers it); anything else a sentence. */
const answer = (prompt: string) =>
  prompt.includes('Which kind of image is this?')
    ? 'A'
    : 'A plain square of one colour fills the whole frame with nothing else in view.';

/**
 * Every check and `--engine openai` caption command of DEPLOY.md and the README with no scheduler variables in
 * it (a local run needs models).
 */
const COMMANDS = ['DEPLOY.md', 'README.md'].flatMap((doc) =>
  deployCommands(doc)
    .filter(
      (c) =>
        (c.startsWith('check ') || (c.startsWith('caption ') && c.includes('--engine openai'))) && !c.includes('$'),
    )
    .map((command, i) => [doc, i + 1, command] as const),
);

test('DEPLOY.md and the README have the commands this file runs', () => {
  const runs = (doc: string, sub: string) => COMMANDS.filter(([d, , c]) => d === doc && c.startsWith(sub)).length;
  expect(runs('DEPLOY.md', 'check ')).toBeGreaterThanOrEqual(3);
  expect(runs('DEPLOY.md', 'caption ')).toBeGreaterThanOrEqual(5);
  expect(runs('README.md', 'check ')).toBe(1);
  expect(runs('README.md', 'caption ')).toBe(1);
});

test.each(COMMANDS)('%s command %i, as written: %s', async (doc, n, command) => {
  const place = join(work, `${doc}-${n}`);
  // Two photos, a sample, and twelve images under data/images (so the cluster's shard 1 of 4 has some).
  const files = ['photos/red.jpg', 'photos/blue.jpg', 'sample.jpg'];
  for (let i = 0; i < 12; i++) files.push(`data/images/${'ab'[i % 2]}/${i}.jpg`);
  for (const [i, file] of files.entries()) {
    mkdirSync(dirname(join(place, file)), { recursive: true });
    const background = { r: 20 * i, g: 240 - 20 * i, b: 120 };
    writeFileSync(
      join(place, file),
      await sharp({ create: { width: 48, height: 32, channels: 3, background } })
        .jpeg()
        .toBuffer(),
    );
  }
  const urls = [...new Set(command.match(/https?:\/\/\S+/g) ?? [])];
  const models = [...command.matchAll(/--(?:vlm|llm|judge)-model (\S+)/g)].map(([, m = '']) => m);
  let line = command.replaceAll('/data/images', 'data/images');
  const servers = [];
  for (const url of urls) {
    const script = SERVERS[url];
    if (!script) throw new Error(`${doc} names ${url}: add the server that stands for it to SERVERS`);
    const server = await serve({ ...script, models, answer });
    servers.push({ kind: script.kind as ServerKind, server });
    line = line.replaceAll(url, `${server.origin}/v1`);
  }
  // A home with no router on disk, as on a fresh machine: the VLM routes.
  const env = { HOME: join(place, 'home'), XDG_CACHE_HOME: join(place, 'home', '.cache') };
  const run = await runCli(words(line, {}), { cwd: place, env });
  expect(run.code, run.out + run.err).toBe(0);
  if (command.startsWith('check ')) expect(run.out).toContain('Every role answered.');
  else {
    const out = /--out (\S+)/.exec(command)?.[1] ?? '';
    const records = readFileSync(join(place, out), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as RunLine);
    expect(records.length).toBeGreaterThan(0);
    for (const r of records) expect(r.ok ? r.record.caption : r.error.message).toMatch(/^A plain square/);
  }
  for (const { kind, server } of servers) {
    expect(server.requests.length, kind).toBeGreaterThan(0);
    // Each kind's thinking switch, and nothing where none is documented.
    const off =
      kind === 'ollama'
        ? { reasoning_effort: 'none' }
        : kind === 'vllm'
          ? { chat_template_kwargs: { enable_thinking: false } }
          : {};
    for (const r of server.requests) {
      expect(r).toMatchObject(off);
      if (kind === 'lmstudio') expect(Object.keys(r)).not.toContain('chat_template_kwargs');
    }
  }
});
