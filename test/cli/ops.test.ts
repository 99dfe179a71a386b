/**
 * The CLI's cluster operations against a scripted OpenAI-compatible server
 * (test/support/canned-openai.ts: no models, so these run in seconds):
 * which API key goes where, routing with no hub, `--shard auto` under Slurm
 * and Kubernetes as separate processes of the built CLI running DEPLOY.md's
 * own commands, then merged, `check` and `--version`.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CAPTION_FLAGS, main } from '../../src/cli/main';
import type { RunLine } from '../../src/cli/run-log';
import { type CannedServer, closedPort, startCannedServer } from '../support/canned-openai';
import { solidPng } from '../support/png';

let work: string;
let server: CannedServer;
const repo = process.cwd();
const bin = join(repo, 'bin/metacaptioner.js');

/** Runs the CLI in this process from `work`, with `env` added to the environment; its exit code and output. */
async function cli(args: string[], env: Record<string, string> = {}) {
  let out = '';
  let err = '';
  const [stdout, stderr] = [process.stdout.write, process.stderr.write];
  process.stdout.write = ((chunk: string) => ((out += chunk), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string) => ((err += chunk), true)) as typeof process.stderr.write;
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  process.chdir(work);
  try {
    return { code: await main(args), out, err };
  } finally {
    process.chdir(repo);
    process.stdout.write = stdout;
    process.stderr.write = stderr;
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

/** Runs a shell command line (as a scheduler would) with `env`; resolves with its exit code and stderr. */
function shell(line: string, env: Record<string, string>): Promise<{ code: number | null; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', line], {
      cwd: work,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, err }));
  });
}

const lines = (file: string): RunLine[] =>
  readFileSync(join(work, file), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as RunLine);

/** DEPLOY.md's code blocks, continuation lines joined: every `npx metacaptioner …` command, as its words after the program. */
function deployCommands(): string[] {
  const blocks = [...readFileSync(join(repo, 'DEPLOY.md'), 'utf8').matchAll(/```[a-z]*\n([\s\S]*?)```/g)];
  return blocks.flatMap(([, body = '']) =>
    [...body.replace(/\\\n\s*/g, ' ').matchAll(/npx metacaptioner ([^'\n]*)/g)].map(([, rest = '']) => rest.trim()),
  );
}

/** Splits a shell command line into words the way sh would for these commands: quotes, and `$NAME` from `env`. */
function words(line: string, env: Record<string, string>): string[] {
  const expand = (s: string) => s.replace(/\$([A-Z_]+)/g, (_, name: string) => env[name] ?? `$${name}`);
  return [...line.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map(([, dq, sq, bare]) =>
    dq !== undefined ? expand(dq) : sq !== undefined ? sq : expand(bare ?? ''),
  );
}

const OPENAI = () => ['--engine', 'openai', '--endpoint', server.url, '--vlm-model', server.model];
const SINGLE = ['--mode', 'single-pass', '--ocr', 'vlm'];

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'mc-ops-'));
  server = await startCannedServer();
  for (let i = 0; i < 9; i++) {
    mkdirSync(join(work, 'imgs', String(i % 3)), { recursive: true });
    writeFileSync(join(work, 'imgs', String(i % 3), `img-${i}.png`), solidPng(20 * i, 100, 200 - 20 * i));
  }
});

afterAll(async () => {
  await server?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('API keys', () => {
  test('$OPENAI_API_KEY is not sent over plain http, to /models or chat, and the run says so', async () => {
    server.seen.length = 0;
    const run = await cli(['caption', 'imgs', '--out', 'k1.jsonl', ...OPENAI(), ...SINGLE, '--domain', 'natural'], {
      OPENAI_API_KEY: 'sk-do-not-leak',
    });
    expect(run.code, run.err).toBe(0);
    expect(server.seen.some((r) => r.path === '/v1/models')).toBe(true);
    expect(server.seen.filter((r) => r.authorization)).toEqual([]);
    expect(run.err).toContain(`API key: $OPENAI_API_KEY is set but not sent to ${server.url} (plain http;`);
  });

  test('--api-key-env NAME sends $NAME to /models and every request, and says so once', async () => {
    server.seen.length = 0;
    const run = await cli(
      [
        'caption',
        'imgs',
        '--out',
        'k2.jsonl',
        ...OPENAI(),
        ...SINGLE,
        '--domain',
        'natural',
        '--api-key-env',
        'MC_KEY',
      ],
      { MC_KEY: 'sk-named' },
    );
    expect(run.code, run.err).toBe(0);
    expect(server.seen.length).toBeGreaterThan(9);
    expect(server.seen.every((r) => r.authorization === 'Bearer sk-named')).toBe(true);
    expect(run.err.split(`API key: $MC_KEY, sent to ${server.url}.`).length).toBe(2);
  });

  test('a key never crosses plain http to another machine without --allow-insecure-key; an unset variable is named', async () => {
    server.seen.length = 0;
    const remote = ['--llm-endpoint', 'http://gpu-node-7.cluster:8000/v1', '--llm-model', 'org/text'];
    const refused = await cli(
      ['caption', 'imgs', '--out', 'k3.jsonl', ...OPENAI(), ...SINGLE, ...remote, '--api-key-env', 'MC_KEY'],
      { MC_KEY: 'sk-named' },
    );
    expect(refused.code).toBe(2);
    expect(refused.err).toContain('Not sending the API key in $MC_KEY to http://gpu-node-7.cluster:8000/v1');
    expect(refused.err).toContain('--allow-insecure-key');
    // Refused before any request: not even this machine's endpoint was asked.
    expect(server.seen).toEqual([]);
    const unset = await cli(['caption', 'imgs', '--out', 'k3.jsonl', ...OPENAI(), '--api-key-env', 'MC_NOT_SET']);
    expect(unset.code).toBe(2);
    expect(unset.err).toContain('--api-key-env MC_NOT_SET: the variable MC_NOT_SET is not set');
  });
});

describe('routing with no hub', () => {
  test('with --engine openai and no router on disk the VLM routes, said once; --route local names the ways out', async () => {
    const hub = ['--model-host', `http://127.0.0.1:${await closedPort()}`, '--cache-dir', join(work, 'empty-cache')];
    server.seen.length = 0;
    const run = await cli([
      'caption',
      'imgs',
      '--out',
      'r1.jsonl',
      ...OPENAI(),
      '--ocr',
      'vlm',
      '--judge-attempts',
      '0',
      ...hub,
    ]);
    expect(run.code, run.err).toBe(0);
    expect(run.err.match(/Routing: the router Xenova\/clip-vit-base-patch32 is not in the cache/g)).toHaveLength(1);
    expect(run.out).toContain('Routing: the VLM chose each domain (--route vlm): the router was not on disk.');
    expect(lines('r1.jsonl').map((l) => l.ok && l.record.domain?.decidedBy)).toEqual(Array(9).fill('vlm'));
    expect(server.seen.filter((r) => r.prompt?.startsWith('Which kind of image is this?'))).toHaveLength(9);

    const local = await cli([
      'caption',
      'imgs',
      '--out',
      'r2.jsonl',
      ...OPENAI(),
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

describe('schedulers', () => {
  const deploy = deployCommands();
  /** DEPLOY.md's `metacaptioner <sub> … <has> …` command (the words after `npx metacaptioner`). */
  const command = (sub: string, has: string) => {
    const found = deploy.find((c) => c.startsWith(`${sub} `) && c.includes(has));
    if (!found) throw new Error(`DEPLOY.md has no "metacaptioner ${sub} … ${has}" command`);
    return found;
  };
  /** A merge command's words, its folders mapped to this test's and its `shard-*.jsonl` glob expanded as sh would. */
  const mergeWords = (line: string, folders: Record<string, string>) =>
    words(
      Object.entries(folders).reduce((l, [from, to]) => l.replaceAll(from, to), line),
      {},
    ).flatMap((w) =>
      w.endsWith('/shard-*.jsonl')
        ? readdirSync(join(work, w.slice(0, -'/shard-*.jsonl'.length)))
            .filter((f) => /^shard-.*\.jsonl$/.test(f))
            .sort()
            .map((f) => join(w.slice(0, -'/shard-*.jsonl'.length), f))
        : [w],
    );
  const env = () => ({ IMAGES: 'imgs', ENDPOINT: server.url, MODEL: server.model, HOME: join(work, 'home') });
  const captions = (file: string) => Object.fromEntries(lines(file).map((l) => [l.file, l.ok && l.record.caption]));

  test('DEPLOY.md’s Slurm array script as three processes numbered from 1, then its merge', async () => {
    mkdirSync(join(work, 'slurm'));
    const slurm = (id: number) => ({
      ...env(),
      OUT: 'slurm',
      SLURM_ARRAY_TASK_ID: String(id),
      SLURM_ARRAY_TASK_COUNT: '3',
      SLURM_ARRAY_TASK_MIN: '1',
      SLURM_ARRAY_TASK_MAX: '3',
      SLURM_ARRAY_TASK_STEP: '1',
    });
    // As sh runs the script's line, the built CLI standing for `npx metacaptioner`.
    const caption = `"${process.execPath}" "${bin}" ${command('caption', '$SLURM_ARRAY_TASK_ID')}`;
    const tasks = await Promise.all([1, 2, 3].map((id) => shell(caption, slurm(id))));
    tasks.forEach((t, i) => {
      expect(t.code, t.err).toBe(0);
      expect(t.err).toMatch(
        new RegExp(`Shard ${i + 1}/3 \\(SLURM_ARRAY_TASK_ID=${i + 1} in 1…3 \\(3 tasks\\)\\): \\d of 9 images`),
      );
    });
    const merge = mergeWords(command('merge', '/shared/captions/shard-*.jsonl'), {
      '/shared/captions': 'slurm',
      '/shared/images': 'imgs',
    });
    expect(merge.filter((w) => w.startsWith('slurm/shard-'))).toHaveLength(3);
    const merged = await cli(merge);
    expect(merged.code, merged.err).toBe(0);
    const all = lines('slurm/all.jsonl');
    expect(all.map((l) => l.file)).toEqual(all.map((l) => l.file).toSorted());
    expect(all.filter((l) => l.ok)).toHaveLength(9);
  }, 60_000);

  test('DEPLOY.md’s Kubernetes Indexed Job as three pods indexed from 0, then its merge Job: the same captions', async () => {
    mkdirSync(join(work, 'k8s'));
    // The manifest's command, for a Job of `completions: 3`.
    const caption = command('caption', '$JOB_COMPLETION_INDEX').replace('--shards 8', '--shards 3');
    for (const index of [0, 1, 2]) {
      const pod = { ...env(), OUT: 'k8s', JOB_COMPLETION_INDEX: String(index) };
      const run = await cli(words(caption, pod), pod);
      expect(run.code, run.err).toBe(0);
      expect(run.err).toContain(`Shard ${index + 1}/3 (JOB_COMPLETION_INDEX=${index} of 3)`);
    }
    const merge = mergeWords(command('merge', '/data/captions/shard-*.jsonl'), {
      '/data/captions': 'k8s',
      '/data/images': 'imgs',
    });
    const merged = await cli(merge);
    expect(merged.code, merged.err).toBe(0);
    expect(captions('k8s/all.jsonl')).toEqual(captions('slurm/all.jsonl'));
  });

  test('--shard auto with missing or contradictory variables stops before any request, naming them', async () => {
    server.seen.length = 0;
    const args = ['caption', 'imgs', '--out', 'bad.jsonl', ...OPENAI(), '--shard', 'auto'];
    const none = await cli(args);
    expect(none.code).not.toBe(0);
    expect(none.err).toContain('--shard auto found no scheduler');
    const both = await cli(args, { SLURM_ARRAY_TASK_ID: '0', SLURM_ARRAY_TASK_COUNT: '2', JOB_COMPLETION_INDEX: '0' });
    expect(both.err).toContain('found both a Slurm array task');
    const noCount = await cli(args, { JOB_COMPLETION_INDEX: '1' });
    expect(noCount.err).toContain('add --shards N');
    expect(server.seen).toEqual([]);
  });
});

describe('check and --version', () => {
  test('check sends the image through every role and prints answer, tokens, latency and a verdict', async () => {
    server.seen.length = 0;
    const run = await cli(['check', ...OPENAI(), '--route', 'vlm', '--image', 'imgs/0/img-0.png']);
    expect(run.code, run.err).toBe(0);
    expect(run.out).toContain('Checking every role with imgs/0/img-0.png (40×30):');
    for (const role of ['vlm', 'llm', 'judge']) {
      expect(run.out).toMatch(
        new RegExp(
          `${role} +${server.url} ${server.model}\\n +ok in \\d+ ms, \\d+ prompt \\+ 7 generated tokens: "Four coloured squares`,
        ),
      );
    }
    expect(run.out).toContain('Every role answered.');
    const chats = server.seen.filter((r) => r.path === '/v1/chat/completions');
    expect(chats.map((r) => r.images)).toEqual([1, 0, 1]);
  });

  test('check fails with the role named when an endpoint fails, the others still checked', async () => {
    const port = await closedPort();
    const run = await cli(['check', ...OPENAI(), '--route', 'vlm', '--llm-endpoint', `http://127.0.0.1:${port}/v1`]);
    expect(run.code).toBe(1);
    expect(run.out).toMatch(/vlm .*\n +ok in/);
    expect(run.out).toMatch(
      new RegExp(
        `llm +http://127.0.0.1:${port}/v1 ${server.model}\\n +FAIL after \\d+ ms: EndpointError: Cannot reach`,
      ),
    );
    expect(run.out).toContain('llm failed: fix it before a run.');
    // With no --image, a generated one.
    expect(run.out).toContain('Checking every role with a generated PNG of four coloured squares (128×128):');
  });

  test('--version names the package and the runtimes', async () => {
    const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { version: string };
    const run = await cli(['--version']);
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
