/**
 * The CLI against scripted servers that behave as vLLM, SGLang, Ollama,
 * llama.cpp, TGI and LM Studio do (test/support/server-kinds.ts, each
 * behaviour cited from its source): answers checked, not trusted; the
 * server kind found and its thinking switch sent; a missing /v1 and model
 * names handled the way each server does; 424 and 503 retried; streaming.
 * No models: every answer is canned, so these run in well under a second each.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { main } from '../../src/cli/main';
import { probeEndpoint } from '../../src/cli/endpoint-probe';
import {
  ChatClient,
  EmptyAnswerError,
  type Endpoint,
  ThinkingAnswerError,
  emptyStats,
  prepareEndpoints,
} from '../../src/cli/openai-client';
import { Limiter } from '../../src/cli/limiter';
import { DEFAULT_RETRY, RetriesExhaustedError } from '../../src/cli/retry';
import type { RunLine } from '../../src/cli/run-log';
import type { ServerKind } from '../../src/cli/server-kinds';
import { type KindScript, type KindServer, startKindServer } from '../support/server-kinds';
import { solidPng } from '../support/png';

const servers: KindServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(script: KindScript): Promise<KindServer> {
  const server = await startKindServer(script);
  servers.push(server);
  return server;
}

/** Retries without waiting: the backoff's timing is retry.ts's concern, tested in parts.test.ts. */
const NO_WAIT = { ...DEFAULT_RETRY, sleep: async () => {} };

/** A client of `server` as the engine makes it: probed first (kind, /v1, model), then asked. */
async function clientOf(server: KindServer, model: string, extra: Partial<Endpoint> = {}, stream = false) {
  const notices: string[] = [];
  const [endpoint] = await prepareEndpoints([{ url: `${server.origin}/v1`, model, ...extra }], {
    notice: (line) => notices.push(line),
  });
  const stats = emptyStats();
  const chat = new ChatClient(endpoint ?? { url: '', model }, {
    limiter: new Limiter(2),
    retry: NO_WAIT,
    timeoutMs: 10_000,
    stats,
    stream,
  });
  return { chat, stats, notices, endpoint };
}

const THINKERS: readonly [ServerKind, string][] = [
  ['vllm', 'Qwen/Qwen3-VL-8B-Thinking'],
  ['sglang', 'Qwen/Qwen3-VL-8B-Thinking'],
  ['ollama', 'qwen3-vl:8b'],
  ['llamacpp', '/models/Qwen3-VL-8B-Thinking-Q4_K_M.gguf'],
];

describe('thinking models', () => {
  test.each(THINKERS)('%s: found from the server, its switch sent, the answer read', async (kind, model) => {
    const server = await serve({ kind, models: [model], thinking: true });
    const { chat, notices, endpoint } = await clientOf(server, model);
    expect(endpoint?.server).toBe(kind);
    expect(notices.join('\n')).toMatch(/thinking off: /);
    const out = await chat.chat('Describe the image.', { maxTokens: 256 });
    expect(out.text).toMatch(/^A plain square/);
    expect(server.requests).toHaveLength(1);
  });

  test.each(THINKERS)(
    '%s: with no switch sent, a ThinkingAnswerError at once, not six retries',
    async (kind, model) => {
      const server = await serve({ kind, models: [model], thinking: true });
      const { chat, stats } = await clientOf(server, model, { server: 'openai' });
      const error = await chat.chat('Describe the image.', { maxTokens: 256 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ThinkingAnswerError);
      expect((error as Error).message).toMatch(/thinking model/);
      expect((error as Error).message).toContain('--server vllm|sglang|ollama|llamacpp');
      expect((error as Error).message).toContain('--request-json');
      expect(server.requests).toHaveLength(1);
      expect(stats.retries).toEqual({});
    },
  );

  test("Ollama's switch is reasoning_effort (its OpenAI layer has no `think`); user fields ride along", async () => {
    const server = await serve({ kind: 'ollama', models: ['qwen3-vl:8b'], thinking: true });
    const { chat } = await clientOf(server, 'qwen3-vl:8b', { request: { top_k: 20, options: { num_ctx: 8192 } } });
    await chat.chat('hi', { maxTokens: 64 });
    expect(server.requests[0]).toMatchObject({ reasoning_effort: 'none', top_k: 20, options: { num_ctx: 8192 } });
  });

  test('the way out names what happened: a switch overridden, or thinking that ate the budget', async () => {
    const server = await serve({ kind: 'vllm', models: ['m'], thinking: true, answerTokens: 5000 });
    const on = { request: { chat_template_kwargs: { enable_thinking: true } } };
    const overridden = await clientOf(server, 'm', on);
    await expect(overridden.chat.chat('hi', { maxTokens: 5000 })).rejects.toThrow(
      /switch \(chat_template_kwargs.enable_thinking=false\) was overridden by the request fields/,
    );
    const budget = await clientOf(server, 'm', { server: 'openai' });
    await expect(budget.chat.chat('hi', { maxTokens: 100 })).rejects.toThrow(
      /still thinking when it reached max_tokens \(200, after a retry with 2× the budget\)/,
    );
  });

  test('user fields merge into the switch rather than replace it', async () => {
    const server = await serve({ kind: 'vllm', models: ['m'], thinking: true });
    const { chat } = await clientOf(server, 'm', { request: { chat_template_kwargs: { custom: 1 } } });
    await chat.chat('hi', { maxTokens: 64 });
    expect(server.requests[0]?.chat_template_kwargs).toEqual({ enable_thinking: false, custom: 1 });
  });
});

describe('answers checked, not trusted', () => {
  test('an empty answer without thinking is an EmptyAnswerError, never a caption', async () => {
    const server = await serve({ kind: 'vllm', models: ['m'], answer: () => '' });
    const { chat } = await clientOf(server, 'm');
    await expect(chat.chat('hi', { maxTokens: 64 })).rejects.toBeInstanceOf(EmptyAnswerError);
    expect(server.requests).toHaveLength(1);
  });

  test('finish_reason "length": asked again with twice the budget; still cut, kept and marked cut', async () => {
    const fits = await serve({ kind: 'vllm', models: ['m'], answerTokens: 300 });
    const once = await clientOf(fits, 'm');
    const out = await once.chat.chat('hi', { maxTokens: 200 });
    expect(fits.requests.map((r) => r.max_tokens)).toEqual([200, 400]);
    expect(out.cut).toBeUndefined();
    expect(once.stats).toMatchObject({ lengthRetries: 1, cut: 0 });

    const long = await serve({ kind: 'vllm', models: ['m'], answerTokens: 5000 });
    const twice = await clientOf(long, 'm');
    const cut = await twice.chat.chat('hi', { maxTokens: 8 });
    expect(long.requests.map((r) => r.max_tokens)).toEqual([8, 16]);
    expect(cut.cut).toBe(true);
    expect(cut.text).toMatch(/^A plain square/);
    expect(twice.stats).toMatchObject({ lengthRetries: 1, cut: 1 });
  });

  test('content as a list of parts is read; missing usage is counted as missing, not as 0 tokens', async () => {
    const server = await serve({ kind: 'openai', models: ['m'], contentParts: true, noUsage: true });
    const { chat, stats } = await clientOf(server, 'm');
    const out = await chat.chat('hi', { maxTokens: 64 });
    expect(out.text).toMatch(/^A plain square/);
    expect(stats).toMatchObject({ noUsage: 1, completionTokens: 0 });
  });

  test("TGI's 424 (a shard's OOM) and llama.cpp's 503 while loading are retried", async () => {
    const tgi = await serve({ kind: 'tgi', models: ['Qwen/Qwen2.5-VL-7B-Instruct'], generationErrors: 2 });
    const a = await clientOf(tgi, 'tgi');
    expect((await a.chat.chat('hi', { maxTokens: 64 })).text).toMatch(/^A plain/);
    expect(a.stats.retries).toEqual({ 'server-error': 2 });

    const llama = await serve({ kind: 'llamacpp', models: ['/m/x.gguf'], loading: 3 });
    const b = await clientOf(llama, 'x');
    expect((await b.chat.chat('hi', { maxTokens: 64 })).text).toMatch(/^A plain/);
    expect(b.stats.retries).toEqual({ 'server-error': 3 });
  });

  test('a 424 that does not clear gives up naming it', async () => {
    const tgi = await serve({ kind: 'tgi', models: ['t'], generationErrors: 99 });
    const { chat } = await clientOf(tgi, 't');
    const error = await chat.chat('hi', { maxTokens: 64 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetriesExhaustedError);
    expect((error as Error).message).toMatch(/HTTP 424 \(a generation error/);
  });

  test.each(['vllm', 'ollama', 'llamacpp', 'lmstudio'] as const)(
    '%s --stream: stream: true sent, SSE read, the same checks',
    async (kind) => {
      const model = kind === 'ollama' ? 'm:latest' : 'm';
      const server = await serve({ kind, models: [model], thinking: true, answerTokens: 300 });
      const { chat, stats } = await clientOf(server, model, {}, true);
      const out = await chat.chat('hi', { maxTokens: 200 });
      if (kind === 'lmstudio') {
        // No switch is documented for LM Studio: the think-tagged text comes back as it is.
        expect(out.text).toMatch(/^<think>/);
        expect(server.requests[0]?.stream_options).toBeUndefined();
      } else {
        expect(out.text).toMatch(/^A plain square/);
        expect(server.requests[0]).toMatchObject({ stream: true, stream_options: { include_usage: true } });
        expect(stats.noUsage).toBe(0);
      }
      expect(server.requests).toHaveLength(2); // cut at 200, asked again at 400
    },
  );

  test('--stream with a thinking answer and no switch: ThinkingAnswerError too', async () => {
    const server = await serve({ kind: 'vllm', models: ['m'], thinking: true });
    const { chat } = await clientOf(server, 'm', { server: 'openai' }, true);
    await expect(chat.chat('hi', { maxTokens: 64 })).rejects.toBeInstanceOf(ThinkingAnswerError);
  });
});

describe('endpoint URLs and model names, found once at start', () => {
  test('each kind is told apart (owned_by, /api/version, /info, /props); an unknown one warns', async () => {
    const cases: [ServerKind, string][] = [
      ['vllm', 'm'],
      ['sglang', 'm'],
      ['ollama', 'm:latest'],
      ['llamacpp', '/m.gguf'],
      ['tgi', 'org/m'],
      ['lmstudio', 'm'],
      ['openai', 'm'],
    ];
    for (const [kind, model] of cases) {
      const server = await serve({ kind, models: [model] });
      const found = await probeEndpoint({ url: `${server.origin}/v1`, model, server: 'auto' });
      expect(found.kind, kind).toBe(kind);
      if (kind === 'openai') expect(found.notices.join()).toMatch(/^Warning: could not tell which server/);
    }
  });

  test('Ollama without /v1 and an untagged name: found once, said once, then used', async () => {
    const server = await serve({ kind: 'ollama', models: ['qwen2.5vl:latest'] });
    const { chat, notices } = await clientOf(server, 'qwen2.5vl', { url: server.origin });
    expect(chat.endpoint.url).toBe(`${server.origin}/v1`);
    expect(notices.filter((n) => n.includes('its API is at'))).toHaveLength(1);
    await chat.chat('hi', { maxTokens: 64 });
    expect(server.requests[0]?.model).toBe('qwen2.5vl');
  });

  test('Ollama with nothing pulled (data: null) fails at start naming the way out', async () => {
    const server = await serve({ kind: 'ollama', models: [] });
    await expect(probeEndpoint({ url: server.origin, model: 'qwen2.5vl', server: 'auto' })).rejects.toThrow(
      /serves no model \(none pulled: run `ollama pull qwen2.5vl`\)/,
    );
  });

  test('llama.cpp lists its GGUF path: any name is accepted, with a warning', async () => {
    const server = await serve({ kind: 'llamacpp', models: ['/models/qwen2.5-vl-7b-q4_k_m.gguf'] });
    const found = await probeEndpoint({ url: `${server.origin}/v1`, model: 'qwen2.5-vl', server: 'auto' });
    expect(found.notices.join('\n')).toMatch(/serves one model, listed as ".*gguf".*--alias qwen2.5-vl/);
  });

  test('TGI takes "tgi"; a clear mismatch on vLLM fails once naming what is served', async () => {
    const tgi = await serve({ kind: 'tgi', models: ['Qwen/Qwen2.5-VL-7B-Instruct'] });
    const found = await probeEndpoint({ url: `${tgi.origin}/v1`, model: 'tgi', server: 'auto' });
    expect(found.notices.some((n) => n.startsWith('Warning'))).toBe(false);
    const vllm = await serve({ kind: 'vllm', models: ['Qwen/Qwen2.5-VL-7B-Instruct'] });
    await expect(probeEndpoint({ url: `${vllm.origin}/v1`, model: 'qwen2.5-vl', server: 'auto' })).rejects.toThrow(
      'vLLM at http://127.0.0.1:' +
        new URL(vllm.origin).port +
        '/v1 does not serve "qwen2.5-vl"; it serves Qwen/Qwen2.5-VL-7B-Instruct.',
    );
  });
});

describe('the command line', () => {
  const work = mkdtempSync(join(tmpdir(), 'mc-servers-'));
  writeFileSync(join(work, 'red.png'), solidPng(220, 20, 20));
  writeFileSync(join(work, 'blue.png'), solidPng(20, 20, 220));

  async function cli(...args: string[]) {
    let [out, err] = ['', ''];
    const [stdout, stderr] = [process.stdout.write, process.stderr.write];
    process.stdout.write = ((c: string) => ((out += c), true)) as typeof process.stdout.write;
    process.stderr.write = ((c: string) => ((err += c), true)) as typeof process.stderr.write;
    try {
      return { code: await main(args), out, err };
    } finally {
      process.stdout.write = stdout;
      process.stderr.write = stderr;
    }
  }
  const OFFLINE = ['--engine', 'openai', '--domain', 'natural', '--ocr', 'vlm', '--judge-attempts', '0'];
  const lines = (file: string) =>
    readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as RunLine);

  test('a vLLM thinking model: detected, captions written, a cut step marked in the record and summary', async () => {
    // Long answers: every step is cut at its budget, asked again at twice it, and cut again.
    const server = await serve({ kind: 'vllm', models: ['qwen3-vl'], thinking: true, answerTokens: 100_000 });
    const out = join(work, 'vllm.jsonl');
    const run = await cli(
      'caption',
      work,
      '--out',
      out,
      '--endpoint',
      server.origin,
      '--vlm-model',
      'qwen3-vl',
      ...OFFLINE,
    );
    expect(run.code, run.err).toBe(0);
    expect(run.err.match(/its API is at/g)).toHaveLength(1);
    expect(run.err).toMatch(/vLLM \(from owned_by "vllm" in \/models\); thinking off/);
    for (const line of lines(out)) {
      if (!line.ok) throw new Error(line.error.message);
      expect(line.record.caption).toMatch(/^A plain square/);
      expect(line.record.trace.every((t) => t.agent === 'ocr' || t.cut === true)).toBe(true);
    }
    expect(run.out).toMatch(/were cut at max_tokens and asked again with twice the budget; \d+ still cut/);
  });

  test('with --server openai the thinking answer fails each image by name, once each, not six times', async () => {
    const server = await serve({ kind: 'ollama', models: ['qwen3-vl:latest'], thinking: true });
    const out = join(work, 'ollama.jsonl');
    // --server openai: nothing server-specific, names matched exactly (so the tag is given).
    const args = ['caption', work, '--out', out, '--endpoint', server.origin, '--vlm-model', 'qwen3-vl:latest'];
    const run = await cli(...args, '--server', 'openai', ...OFFLINE);
    expect(run.code, run.err).toBe(3);
    expect(lines(out).map((l) => (l.ok ? 'ok' : l.error.name))).toEqual(['ThinkingAnswerError', 'ThinkingAnswerError']);
    expect(run.out).not.toContain('retried');
    expect(run.err).toContain('ThinkingAnswerError');
    // --request-json with the Ollama field fixes it; the run resumes the failures.
    const fixed = await cli(
      ...args,
      '--server',
      'openai',
      '--request-json',
      '{"reasoning_effort":"none"}',
      '--retry-failed',
      ...OFFLINE,
    );
    expect(fixed.code, fixed.err).toBe(0);
  });

  test('request fields per role: --request-json for all, "request" in --config and --llm-request-json per role', async () => {
    const server = await serve({ kind: 'sglang', models: ['vl', 'txt'] });
    const config = join(work, 'endpoints.json');
    const url = `${server.origin}/v1`;
    writeFileSync(
      config,
      JSON.stringify({ vlm: { url, model: 'vl', request: { top_k: 3 } }, llm: { url, model: 'txt' } }),
    );
    const out = join(work, 'roles.jsonl');
    const run = await cli(
      'caption',
      join(work, 'red.png'),
      '--out',
      out,
      '--config',
      config,
      '--request-json',
      '{"min_p": 0.1}',
      '--llm-request-json',
      '{"top_k": 40}',
      ...OFFLINE,
    );
    expect(run.code, run.err).toBe(0);
    const vlm = server.requests.filter((r) => r.model === 'vl');
    const llm = server.requests.filter((r) => r.model === 'txt');
    expect(vlm.length).toBeGreaterThan(0);
    expect(llm.length).toBeGreaterThan(0);
    for (const r of vlm)
      expect(r).toMatchObject({ min_p: 0.1, top_k: 3, chat_template_kwargs: { enable_thinking: false } });
    for (const r of llm) expect(r).toMatchObject({ min_p: 0.1, top_k: 40 });
    const bad = await cli('caption', work, '--out', out, '--config', config, '--server', 'vllmm', ...OFFLINE);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--server must be one of auto, vllm, sglang/);
  });

  test('usage missing is said in the summary; bad --request-json is a usage error naming the flag', async () => {
    const server = await serve({ kind: 'llamacpp', models: ['/m.gguf'], noUsage: true });
    const out = join(work, 'llama.jsonl');
    const run = await cli(
      'caption',
      work,
      '--out',
      out,
      '--endpoint',
      `${server.origin}/v1`,
      '--vlm-model',
      'm',
      ...OFFLINE,
    );
    expect(run.code, run.err).toBe(0);
    expect(run.out).toMatch(/\d+ answers reported no token usage \(not counted above\)/);
    const bad = await cli(
      'caption',
      work,
      '--out',
      out,
      '--endpoint',
      server.origin,
      '--vlm-model',
      'm',
      '--vlm-request-json',
      '{top_k: 2}',
      ...OFFLINE,
    );
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--vlm-request-json is not valid JSON/);
  });
});
