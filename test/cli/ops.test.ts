/**
 * The CLI's cluster operations against a scripted OpenAI-compatible server
 * (test/support/canned-openai.ts: no models, so these run in seconds):
 * which API key goes where, routing with no hub, `check`, `--version`, and
 * DEPLOY.md's commands parsed by the CLI's own flags. The schedulers are in
 * schedulers.test.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CAPTION_FLAGS } from '../../src/cli/caption-flags';
import { closedPort } from '../support/canned-openai';
import { type OpsWorkspace, REPO, deployCommands, opsWorkspace, words } from '../support/ops-cli';

let ws: OpsWorkspace;
const SINGLE = ['--mode', 'single-pass', '--ocr', 'vlm'];

beforeAll(async () => {
  ws = await opsWorkspace();
});

afterAll(async () => {
  await ws?.dispose();
});

describe('API keys', () => {
  test('$OPENAI_API_KEY is not sent over plain http, to /models or chat, and the run says so', async () => {
    ws.server.seen.length = 0;
    const run = await ws.cli(['caption', 'imgs', '--out', 'k1.jsonl', ...ws.openai, ...SINGLE, '--domain', 'natural'], {
      OPENAI_API_KEY: 'sk-do-not-leak',
    });
    expect(run.code, run.err).toBe(0);
    expect(ws.server.seen.some((r) => r.path === '/v1/models')).toBe(true);
    expect(ws.server.seen.filter((r) => r.authorization)).toEqual([]);
    expect(run.err).toContain(`API key: $OPENAI_API_KEY is set but not sent to ${ws.server.url} (plain http;`);
  });

  test('--api-key-env NAME sends $NAME to /models and every request, and says so once', async () => {
    ws.server.seen.length = 0;
    const run = await ws.cli(
      [
        'caption',
        'imgs',
        '--out',
        'k2.jsonl',
        ...ws.openai,
        ...SINGLE,
        '--domain',
        'natural',
        '--api-key-env',
        'MC_KEY',
      ],
      { MC_KEY: 'sk-named' },
    );
    expect(run.code, run.err).toBe(0);
    expect(ws.server.seen.length).toBeGreaterThan(9);
    expect(ws.server.seen.every((r) => r.authorization === 'Bearer sk-named')).toBe(true);
    expect(run.err.split(`API key: $MC_KEY, sent to ${ws.server.url}.`).length).toBe(2);
  });

  test('a key never crosses plain http to another machine without --allow-insecure-key; an unset variable is named', async () => {
    ws.server.seen.length = 0;
    const remote = ['--llm-endpoint', 'http://gpu-node-7.cluster:8000/v1', '--llm-model', 'org/text'];
    const refused = await ws.cli(
      ['caption', 'imgs', '--out', 'k3.jsonl', ...ws.openai, ...SINGLE, ...remote, '--api-key-env', 'MC_KEY'],
      { MC_KEY: 'sk-named' },
    );
    expect(refused.code).toBe(2);
    expect(refused.err).toContain('Not sending the API key in $MC_KEY to http://gpu-node-7.cluster:8000/v1');
    expect(refused.err).toContain('--allow-insecure-key');
    // Refused before any request: not even this machine's endpoint was asked.
    expect(ws.server.seen).toEqual([]);
    const unset = await ws.cli(['caption', 'imgs', '--out', 'k3.jsonl', ...ws.openai, '--api-key-env', 'MC_NOT_SET']);
    expect(unset.code).toBe(2);
    expect(unset.err).toContain('--api-key-env MC_NOT_SET: the variable MC_NOT_SET is not set');
  });
});

describe('routing with no hub', () => {
  test('with --engine openai and no router on disk the VLM routes, said once; --route local names the ways out', async () => {
    const hub = ['--model-host', `http://127.0.0.1:${await closedPort()}`, '--cache-dir', join(ws.work, 'empty-cache')];
    ws.server.seen.length = 0;
    const run = await ws.cli([
      'caption',
      'imgs',
      '--out',
      'r1.jsonl',
      ...ws.openai,
      '--ocr',
      'vlm',
      '--judge-attempts',
      '0',
      ...hub,
    ]);
    expect(run.code, run.err).toBe(0);
    expect(run.err.match(/Routing: the router Xenova\/clip-vit-base-patch32 is not in the cache/g)).toHaveLength(1);
    expect(run.out).toContain('Routing: the VLM chose each domain (--route vlm): the router was not on disk.');
    expect(ws.lines('r1.jsonl').map((l) => l.ok && l.record.domain?.decidedBy)).toEqual(Array(9).fill('vlm'));
    expect(ws.server.seen.filter((r) => r.prompt?.startsWith('Which kind of image is this?'))).toHaveLength(9);

    const local = await ws.cli([
      'caption',
      'imgs',
      '--out',
      'r2.jsonl',
      ...ws.openai,
      '--ocr',
      'vlm',
      '--route',
      'local',
      ...hub,
    ]);
    expect(local.code).toBe(1);
    expect(local.err).toContain(
      'ModelLoadError: Could not load the router Xenova/clip-vit-base-patch32 from http://127.0.0.1:',
    );
    for (const way of ['--route vlm', '--domain ID', '--models DIR']) expect(local.err).toContain(way);
  });
});

describe('check and --version', () => {
  test('check sends the image through every role and prints answer, tokens, latency and a verdict', async () => {
    ws.server.seen.length = 0;
    const run = await ws.cli(['check', ...ws.openai, '--route', 'vlm', '--image', 'imgs/0/img-0.png']);
    expect(run.code, run.err).toBe(0);
    expect(run.out).toContain('Checking every role with imgs/0/img-0.png (40×30):');
    for (const role of ['vlm', 'llm', 'judge']) {
      expect(run.out).toMatch(
        new RegExp(
          `${role} +${ws.server.url} ${ws.server.model}\\n +ok in \\d+ ms, \\d+ prompt \\+ 7 generated tokens: "Four coloured squares`,
        ),
      );
    }
    expect(run.out).toContain('Every role answered.');
    const chats = ws.server.seen.filter((r) => r.path === '/v1/chat/completions');
    expect(chats.map((r) => r.images)).toEqual([1, 0, 1]);
  });

  test('check fails with the role named when an endpoint fails, the others still checked', async () => {
    const port = await closedPort();
    const run = await ws.cli([
      'check',
      ...ws.openai,
      '--route',
      'vlm',
      '--llm-endpoint',
      `http://127.0.0.1:${port}/v1`,
    ]);
    expect(run.code).toBe(1);
    expect(run.out).toMatch(/vlm .*\n +ok in/);
    expect(run.out).toMatch(
      new RegExp(
        `llm +http://127.0.0.1:${port}/v1 ${ws.server.model}\\n +FAIL after \\d+ ms: EndpointError: Cannot reach`,
      ),
    );
    expect(run.out).toContain('llm failed: fix it before a run.');
    // With no --image, a generated one.
    expect(run.out).toContain('Checking every role with a generated PNG of four coloured squares (128×128):');
  });

  test('--version names the package and the runtimes', async () => {
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string };
    const run = await ws.cli(['--version']);
    expect(run.code).toBe(0);
    expect(run.out).toMatch(
      new RegExp(
        `^metacaptioner ${pkg.version} \\(Node [\\d.]+; @huggingface/transformers 4\\.3\\.2, onnxruntime-node 1\\.30\\.0\\)\\n$`,
      ),
    );
  });

  test('every other metacaptioner command in DEPLOY.md parses with the CLI’s own flags', () => {
    const vars = {
      IMAGES: 'imgs',
      ENDPOINT: 'http://x/v1',
      MODEL: 'm',
      OUT: 'o',
      SLURM_ARRAY_TASK_ID: '0',
      JOB_COMPLETION_INDEX: '0',
    };
    const checked = deployCommands().filter((c) => c.startsWith('caption ') || c.startsWith('check '));
    expect(checked.length).toBeGreaterThanOrEqual(8);
    for (const command of checked) {
      const [sub, ...args] = words(command, vars);
      const options = sub === 'check' ? { ...CAPTION_FLAGS, image: { type: 'string' as const } } : CAPTION_FLAGS;
      expect(
        () => parseArgs({ args, options, allowPositionals: sub === 'caption', strict: true }),
        command,
      ).not.toThrow();
    }
  });
});
