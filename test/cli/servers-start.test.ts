/**
 * The start of a run against scripted servers of each kind (the kind told
 * apart, a missing /v1 found once, model names matched the way each server
 * does) and the command line end to end: thinking switches, cut steps in the
 * record and summary, request fields per role, usage errors. No models.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { probeEndpoint } from '../../src/cli/endpoint-probe';
import { runCli } from '../support/in-process-cli';
import type { RunLine } from '../../src/cli/run-log';
import type { ServerKind } from '../../src/cli/server-kinds';
import { clientOf, serve } from '../support/kind-clients';
import { solidPng } from '../support/png';
import sharp from 'sharp';

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

  test('the chat path given as the base is taken back to the base, and said', async () => {
    const server = await serve({ kind: 'vllm', models: ['m'] });
    const found = await probeEndpoint({ url: `${server.origin}/v1/chat/completions`, model: 'm', server: 'auto' });
    expect(found.url).toBe(`${server.origin}/v1`);
    expect(found.notices[0]).toContain('is the chat path; the API base is');
  });

  test('a server not told apart (--server openai, as behind a proxy passing only /v1): Ollama’s untagged name warns, then is answered', async () => {
    const server = await serve({ kind: 'ollama', models: ['qwen2.5vl:latest'] });
    const { chat, notices } = await clientOf(server, 'qwen2.5vl', { server: 'openai' });
    expect(notices.filter((n) => n.startsWith('Warning:') && n.includes('lists "qwen2.5vl:latest"'))).toHaveLength(1);
    expect((await chat.chat('hi', { maxTokens: 64 })).text).toMatch(/^A plain square/);
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

  const cli = (...args: string[]) => runCli(args);
  const OFFLINE = ['--engine', 'openai', '--domain', 'natural', '--ocr', 'vlm', '--judge-attempts', '0'];
  /** Captions `inputs` into `out` against one endpoint serving `model`, with no model of this machine's. */
  const caption = (out: string, inputs: string, endpoint: string, model: string, ...flags: string[]) =>
    cli('caption', inputs, '--out', out, '--endpoint', endpoint, '--vlm-model', model, ...flags, ...OFFLINE);
  const lines = (file: string) =>
    readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as RunLine);

  test('a vLLM thinking model: detected, captions written, a cut step marked in the record and summary', async () => {
    // Long answers: every step is cut at its budget, asked again at twice it, and cut again.
    const server = await serve({ kind: 'vllm', models: ['qwen3-vl'], thinking: true, answerTokens: 100_000 });
    const out = join(work, 'vllm.jsonl');
    const run = await caption(out, work, server.origin, 'qwen3-vl');
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
    // --server openai: nothing server-specific (the tag given, so the name is the one listed).
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
    // The readiness probe was among them, shaped as the run's requests are.
    expect(vlm.some((r) => r.max_tokens === 1)).toBe(true);
    const bad = await cli('caption', work, '--out', out, '--config', config, '--server', 'vllmm', ...OFFLINE);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--server must be one of auto, vllm, sglang/);
  });

  test('usage missing is said in the summary; bad --request-json is a usage error naming the flag', async () => {
    const server = await serve({ kind: 'llamacpp', models: ['/m.gguf'], noUsage: true });
    const out = join(work, 'llama.jsonl');
    const run = await caption(out, work, `${server.origin}/v1`, 'm');
    expect(run.code, run.err).toBe(0);
    expect(run.out).toMatch(/tokens: not reported;/);
    expect(run.out).toMatch(/\d+ answers reported no token usage: their tokens are unknown, not counted above\./);
    const bad = await caption(out, work, server.origin, 'm', '--vlm-request-json', '{top_k: 2}');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--vlm-request-json is not valid JSON/);
  });

  test('a base URL without /v1 (Ollama) is found once, before the readiness wait, and the run goes on there', async () => {
    const server = await serve({ kind: 'ollama', models: ['qwen2.5vl:latest'] });
    const out = join(work, 'ollama-base.jsonl');
    const run = await caption(out, join(work, 'red.png'), server.origin, 'qwen2.5vl');
    expect(run.code, run.err).toBe(0);
    expect(run.err.match(/its API is at/g)).toHaveLength(1);
    expect(lines(out).map((l) => (l.ok ? 'ok' : `${l.error.name}: ${l.error.message}`))).toEqual(['ok']);
  });

  test('the kind found sets the image formats sent (Ollama and vLLM take WebP, llama.cpp does not); --image-formats wins', async () => {
    const images = mkdtempSync(join(tmpdir(), 'mc-kind-images-'));
    const flat = (background: string) =>
      sharp({ create: { width: 40, height: 30, channels: 3, background } })
        .png()
        .toBuffer();
    writeFileSync(
      join(images, 'photo.webp'),
      await sharp(await flat('teal'))
        .webp()
        .toBuffer(),
    );
    const frames = await Promise.all(['red', 'green'].map(flat));
    writeFileSync(
      join(images, 'anim.gif'),
      await sharp(frames, { join: { animated: true } })
        .gif()
        .toBuffer(),
    );
    /** The MIME type of each image sent, by its file's extension, from the data URLs the server got. */
    const sentTypes = async (kind: ServerKind, model: string, ...flags: string[]) => {
      const server = await serve({ kind, models: [model] });
      const out = join(work, `${kind}-images-${flags.length}.jsonl`);
      const run = await caption(out, images, `${server.origin}/v1`, model, ...flags);
      expect(run.code, run.err).toBe(0);
      const urls = server.requests.flatMap((r) =>
        (r.messages as { content: unknown }[]).flatMap((m) =>
          Array.isArray(m.content)
            ? m.content.flatMap((p: { image_url?: { url: string } }) => p.image_url?.url ?? [])
            : [],
        ),
      );
      const types = new Set(urls.map((u) => /^data:(image\/\w+);/.exec(u)?.[1]));
      return [...types].sort();
    };
    // Two 40×30 files: a WebP, and an animated GIF (never left to a server: its first frame goes as PNG).
    expect(await sentTypes('ollama', 'qwen2.5vl:7b')).toEqual(['image/png', 'image/webp']);
    expect(await sentTypes('vllm', 'qwen3-vl')).toEqual(['image/png', 'image/webp']);
    expect(await sentTypes('llamacpp', '/m.gguf')).toEqual(['image/jpeg', 'image/png']);
    expect(await sentTypes('ollama', 'qwen2.5vl:7b', '--image-formats', 'jpeg,png')).toEqual([
      'image/jpeg',
      'image/png',
    ]);
  });
});
