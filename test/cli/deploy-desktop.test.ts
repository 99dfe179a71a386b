/**
 * DEPLOY.md's LM Studio and Ollama commands, as written there (`check`, then
 * `caption` with the defaults: CapFlow, the VLM routing since no router is on
 * disk), run against scripted servers that behave as LM Studio and Ollama
 * (test/support/server-kinds.ts), the localhost URL swapped for the
 * server's. Issue 26's "DEPLOY.md's commands are the ones tested": the other
 * commands only parse (ops.test.ts) or run under a scheduler
 * (schedulers.test.ts). No models, so in seconds.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import type { RunLine } from '../../src/cli/run-log';
import type { ServerKind } from '../../src/cli/server-kinds';
import { runCli } from '../support/in-process-cli';
import { serve } from '../support/kind-clients';
import { deployCommands, words } from '../support/ops-cli';
import { solidPng } from '../support/png';

const work = mkdtempSync(join(tmpdir(), 'mc-deploy-desktop-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A router's question gets a domain letter (as canned-openai.ts answers it); anything else a sentence. */
const answer = (prompt: string) =>
  prompt.includes('Which kind of image is this?')
    ? 'A'
    : 'A plain square of one colour fills the whole frame with nothing else in view.';

/** DEPLOY.md's `npx metacaptioner <sub> …` commands at `base`; fails naming what DEPLOY.md lacks. */
function deployed(sub: 'check' | 'caption', base: string): string {
  const found = deployCommands().filter((c) => c.startsWith(`${sub} `) && c.includes(`--endpoint ${base} `));
  if (found.length !== 1) throw new Error(`DEPLOY.md has ${found.length} "metacaptioner ${sub} --endpoint ${base}"`);
  return found[0] ?? '';
}

describe('DEPLOY.md on a desktop', () => {
  // LM Studio: DEPLOY.md says to pick a VLM that does not think (no switch is documented).
  // Ollama: thinking is on by default; the CLI's reasoning_effort "none" must turn it off.
  test.each([
    ['lmstudio', 'http://localhost:1234/v1', false],
    ['ollama', 'http://localhost:11434/v1', true],
  ] as [ServerKind, string, boolean][])('%s: check, then caption, as written', async (kind, base, thinking) => {
    const check = deployed('check', base);
    const caption = deployed('caption', base);
    const model = /--vlm-model (\S+)/.exec(caption)?.[1] ?? '';
    const server = await serve({ kind, models: [model], thinking, answer });
    const place = join(work, kind);
    mkdirSync(join(place, 'photos'), { recursive: true });
    writeFileSync(join(place, 'photos', 'red.png'), solidPng(220, 20, 20));
    writeFileSync(join(place, 'photos', 'blue.png'), solidPng(20, 20, 220));
    // A home with no router on disk, as on a fresh desktop.
    const env = { HOME: join(place, 'home'), XDG_CACHE_HOME: join(place, 'home', '.cache') };
    const run = (line: string) => runCli(words(line.replaceAll(base, `${server.origin}/v1`), {}), { cwd: place, env });

    const checked = await run(check);
    expect(checked.code, checked.out + checked.err).toBe(0);
    expect(checked.out).toContain('Every role answered.');

    const captioned = await run(caption);
    expect(captioned.code, captioned.err).toBe(0);
    expect(captioned.err).toContain(`(from ${kind === 'ollama' ? 'GET /api/version' : 'GET /api/v0/models'})`);
    const records = readFileSync(join(place, 'captions.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as RunLine);
    expect(records.map((r) => (r.ok ? r.record.caption : r.error.message))).toEqual([
      expect.stringMatching(/^A plain square/),
      expect.stringMatching(/^A plain square/),
    ]);
    if (kind === 'ollama') expect(server.requests.every((r) => r.reasoning_effort === 'none')).toBe(true);
    else expect(server.requests.every((r) => !('reasoning_effort' in r) && !('chat_template_kwargs' in r))).toBe(true);
  });
});
