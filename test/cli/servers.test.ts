/**
 * Answers from scripted servers that behave as vLLM, SGLang, Ollama,
 * llama.cpp, TGI and LM Studio do (test/support/server-kinds.ts, each
 * behaviour cited from its source), checked, not trusted: thinking answers
 * per kind with and without the kind's switch, empty, cut, parts, missing
 * usage, 424 and 503 retried, streaming. No models: each test takes
 * milliseconds. The start of a run (kinds, /v1, names) and the command line
 * are in servers-start.test.ts.
 */
import { describe, expect, test } from 'vitest';
import { EmptyAnswerError, ThinkingAnswerError, answerNotes } from '../../src/cli/openai-client';
import { RetriesExhaustedError } from '../../src/cli/retry';
import type { ServerKind } from '../../src/cli/server-kinds';
import { clientOf, serve } from '../support/kind-clients';

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

  test('TGI has no switch: the inline <think> block is taken out of the text, and counted', async () => {
    const server = await serve({ kind: 'tgi', models: ['Qwen/Qwen3-8B'], thinking: true });
    const { chat, stats } = await clientOf(server, 'tgi');
    const out = await chat.chat('Describe the image.', { maxTokens: 256 });
    expect(out.text).toMatch(/^A plain square/);
    expect(out.text).not.toContain('think>');
    expect(stats.inlineThinking).toBe(1);
    expect(answerNotes(stats).join('\n')).toMatch(/1 answer held the model's thinking inline/);
  });

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
      /still thinking when it reached max_tokens \(200, after a retry with a larger budget\)/,
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

  test('a server that refuses the larger budget (over its context): the first, cut answer is kept, marked', async () => {
    const server = await serve({ kind: 'vllm', models: ['m'], answerTokens: 5000, context: 300 });
    const { chat, stats } = await clientOf(server, 'm');
    const out = await chat.chat('hi', { maxTokens: 200 });
    expect(server.requests.map((r) => r.max_tokens)).toEqual([200, 400]);
    expect(out).toMatchObject({ cut: true });
    expect(stats).toMatchObject({ lengthRetries: 1, cut: 1 });
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
      expect(out.text).toMatch(/^A plain square/);
      if (kind === 'lmstudio') {
        // No switch is documented for LM Studio: the thinking comes inline, and is taken out of the text.
        expect(stats.inlineThinking).toBe(2);
        expect(server.requests[0]?.stream_options).toBeUndefined();
      } else {
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
