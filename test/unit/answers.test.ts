/**
 * The pure parts of reading answers from OpenAI-compatible servers: the
 * answer's shapes (whole and streamed), request fields laid over each other,
 * model names by each server kind's rule, what the image step is told per
 * kind, and a cut step's mark carried into its trace.
 */
import { describe, expect, test } from 'vitest';
import { type WorkflowContext, step } from '../../src/capflow/context';
import { readAnswer, readStream, splitThinking } from '../../src/cli/answer';
import { mergeRequest } from '../../src/cli/openai-client';
import { TransientError } from '../../src/cli/retry';
import { SERVER_KINDS, SERVER_KIND_IDS, imageLimits, matchModel } from '../../src/cli/server-kinds';
import type { AgentTrace } from '../../src/shared/record';

const whole = (message: unknown, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ choices: [{ index: 0, message, finish_reason: 'stop' }], ...extra });

describe('readAnswer', () => {
  test('thinking under either name, content null or empty, told apart', () => {
    expect(readAnswer(whole({ content: null, reasoning: 'hm' }))).toMatchObject({
      text: '',
      contentNull: true,
      reasoning: 'hm',
    });
    expect(readAnswer(whole({ content: '', reasoning_content: 'hm' }))).toMatchObject({
      text: '',
      contentNull: false,
      reasoning: 'hm',
    });
  });

  test('content parts are joined; usage read when there, null when not', () => {
    const parts = [{ type: 'text', text: 'a ' }, { type: 'image_url' }, { type: 'text', text: 'b' }];
    expect(readAnswer(whole({ content: parts }, { usage: { prompt_tokens: 3, completion_tokens: 2 } }))).toEqual({
      text: 'a b',
      contentNull: false,
      reasoning: null,
      finish: 'stop',
      usage: { prompt: 3, completion: 2 },
      inlineThinking: false,
    });
    expect(readAnswer(whole({ content: 'x' })).usage).toBeNull();
  });

  test('not JSON, no choices, or an error object: transient, with the reason', () => {
    expect(() => readAnswer('{"choices": [')).toThrow(TransientError);
    expect(() => readAnswer('{"choices": []}')).toThrow(/no choices\[0\]\.message/);
    expect(() => readAnswer('{"error": {"message": "boom"}}')).toThrow(/error: boom/);
  });
});

describe('readStream', () => {
  const sse = (...chunks: unknown[]) => chunks.map((c) => `data: ${JSON.stringify(c)}\n\n`).join('');
  const delta = (d: unknown, finish: string | null = null) => ({
    choices: [{ index: 0, delta: d, finish_reason: finish }],
  });

  test('deltas of content and thinking, the finish reason, usage from the last chunk', () => {
    const body =
      sse(
        delta({ role: 'assistant' }),
        delta({ reasoning_content: 'th' }),
        delta({ content: 'Hel' }),
        delta({ content: 'lo' }),
        delta({}, 'length'),
        { choices: [], usage: { prompt_tokens: 5, completion_tokens: 7 } },
      ) + 'data: [DONE]\n\n';
    expect(readStream(body)).toEqual({
      text: 'Hello',
      contentNull: false,
      reasoning: 'th',
      finish: 'length',
      usage: { prompt: 5, completion: 7 },
      inlineThinking: false,
    });
  });

  test('a stream cut off before its end, or an error event, is transient', () => {
    expect(() => readStream(sse(delta({ content: 'Hel' })))).toThrow(/ended before the answer did/);
    expect(() => readStream(sse({ error: { message: 'overloaded' } }))).toThrow(/overloaded/);
  });
});

test('inline thinking (no reasoning parser) is taken out of the text: closed, opened in the prompt, or cut', () => {
  expect(splitThinking('<think>hm</think>\n\nA cat.')).toEqual({ text: 'A cat.', thinking: 'hm' });
  expect(splitThinking('hm\n</think>\n\nA cat.')).toEqual({ text: 'A cat.', thinking: 'hm\n' });
  expect(splitThinking('<think>still going')).toEqual({ text: '', thinking: 'still going' });
  expect(splitThinking('A cat.')).toEqual({ text: 'A cat.', thinking: null });
  expect(readAnswer(whole({ content: '<think>hm</think>A cat.' }))).toMatchObject({
    text: 'A cat.',
    reasoning: 'hm',
    inlineThinking: true,
  });
});

test('mergeRequest: later fields win; objects merge one level deep', () => {
  expect(
    mergeRequest(
      { model: 'm', max_tokens: 5 },
      { chat_template_kwargs: { enable_thinking: false } },
      { chat_template_kwargs: { x: 1 }, max_tokens: 9 },
    ),
  ).toEqual({ model: 'm', max_tokens: 9, chat_template_kwargs: { enable_thinking: false, x: 1 } });
});

describe('matchModel, by each kind', () => {
  test('Ollama: untagged means :latest; another tag is another model', () => {
    expect(matchModel('ollama', 'qwen2.5vl', ['qwen2.5vl:latest'], 'u').kind).toBe('served');
    expect(matchModel('ollama', 'qwen2.5vl:latest', ['qwen2.5vl'], 'u').kind).toBe('served');
    expect(matchModel('ollama', 'qwen2.5vl', ['qwen2.5vl:7b'], 'u').kind).toBe('missing');
  });

  test('llama.cpp alone takes any name (a warning); in router mode, names must match', () => {
    expect(matchModel('llamacpp', 'x', ['/m/a.gguf'], 'u')).toMatchObject({ kind: 'assumed' });
    expect(matchModel('llamacpp', 'x', ['a', 'b'], 'u').kind).toBe('missing');
  });

  test('a server not told apart: a name Ollama or a lone llama.cpp would take is warned about; a clear mismatch fails', () => {
    expect(matchModel('openai', 'qwen2.5vl', ['qwen2.5vl:latest'], 'u')).toMatchObject({
      kind: 'assumed',
      warning: expect.stringContaining('lists "qwen2.5vl:latest", not "qwen2.5vl"'),
    });
    expect(matchModel('openai', 'qwen', ['/models/qwen-q4.gguf'], 'u')).toMatchObject({ kind: 'assumed' });
    expect(matchModel('openai', 'qwen2.5vl', ['qwen2.5vl:7b'], 'u').kind).toBe('missing');
    expect(matchModel('openai', 'x', ['a.gguf', 'b.gguf'], 'u').kind).toBe('missing');
    expect(matchModel('openai', 'm', ['m'], 'u').kind).toBe('served');
  });

  test('TGI: "tgi" served; another name warned about (an adapter id); vLLM exact', () => {
    expect(matchModel('tgi', 'tgi', ['org/m'], 'u').kind).toBe('served');
    expect(matchModel('tgi', 'other', ['org/m'], 'u')).toMatchObject({ kind: 'assumed' });
    expect(matchModel('vllm', 'org/M', ['org/m'], 'u')).toMatchObject({
      kind: 'missing',
      message: 'vLLM at u does not serve "org/M"; it serves org/m.',
    });
  });
});

test('the registry is frozen data the image step can ask: formats and payload limit per kind', () => {
  expect(Object.isFrozen(SERVER_KINDS)).toBe(true);
  expect(SERVER_KIND_IDS).toContain('openai');
  expect(imageLimits('ollama').formats).not.toContain('image/gif');
  expect(imageLimits('llamacpp').formats).not.toContain('image/webp');
  expect(imageLimits('lmstudio').formats).not.toContain('image/webp');
  expect(imageLimits('tgi')).toEqual({ formats: null, maxBytes: 2_000_000 });
  expect(imageLimits('vllm')).toEqual({ formats: null, maxBytes: null });
});

test("a cut answer is marked in its step's trace; a whole one carries no mark", async () => {
  const ctx: WorkflowContext = { jobId: 'j', check: () => {}, emit: () => {}, now: () => 0 };
  const trace: AgentTrace[] = [];
  const meta = { agent: 'a', role: 'vlm', model: 'm', prompt: 'p' };
  await step(ctx, trace, meta, async () => ({ text: 't', tokens: 1, cut: true }));
  await step(ctx, trace, meta, async () => ({ text: 't', tokens: 1 }));
  expect(trace[0]?.cut).toBe(true);
  expect(trace[1]).not.toHaveProperty('cut');
});
