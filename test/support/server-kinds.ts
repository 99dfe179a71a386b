/**
 * A scripted OpenAI-compatible server that behaves as one serving engine
 * does (vLLM, SGLang, Ollama, llama.cpp, TGI, LM Studio, or a bare OpenAI-
 * compatible one), with no models: it answers canned text, in the shapes,
 * routes and failures each engine's source documents (cited at each). It
 * records every request body, so tests can see what the CLI sent.
 */
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ServerKind } from '../../src/cli/server-kinds';

/** How the scripted server behaves. */
export interface KindScript {
  readonly kind: ServerKind;
  /**
   * What `/v1/models` lists: Ollama `name:tag` ids (none: `"data": null`),
   * llama.cpp its GGUF path (it answers any `model` with it), TGI its model id.
   */
  readonly models: readonly string[];
  /** The model thinks unless the request carries the kind's switch (see `thinkingOff`). */
  readonly thinking?: boolean;
  /** llama.cpp: the first N chat requests get 503 "Loading model" while `/v1/models` already answers. */
  readonly loading?: number;
  /** TGI: the first N chat requests get 424 (a generation error such as a shard's CUDA OOM). */
  readonly generationErrors?: number;
  /** `content` as a list of text parts instead of a string. */
  readonly contentParts?: boolean;
  /** No `usage` in answers. */
  readonly noUsage?: boolean;
  /** Answers need this many tokens: a smaller `max_tokens` gets the text cut and `finish_reason: "length"`. */
  readonly answerTokens?: number;
  /** The server's context: a request whose `max_tokens` is over it is refused with 400, as vLLM does. */
  readonly context?: number;
  /** The answer's text; one word per token. Default: a fixed caption-like sentence. */
  readonly answer?: (prompt: string) => string;
}

/** A running scripted server. */
export interface KindServer {
  /** The server's root (no `/v1`): tests add `/v1` where a user would. */
  readonly origin: string;
  /** The parsed bodies of chat requests, in order. */
  readonly requests: Record<string, unknown>[];
  close(): Promise<void>;
}

const ANSWER = 'A plain square of one colour fills the whole frame with nothing else in view.';

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const json = (res: ServerResponse, status: number, value: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(value));
};

/** Whether the request turns thinking off the way this kind reads it. */
function thinkingOff(kind: ServerKind, body: Record<string, unknown>): boolean {
  const kwargs = body.chat_template_kwargs as Record<string, unknown> | undefined;
  switch (kind) {
    // vLLM/SGLang pass chat_template_kwargs to the template; llama.cpp reads enable_thinking from it
    // (tools/server/server-common.cpp).
    case 'vllm':
    case 'sglang':
    case 'llamacpp':
      return kwargs?.enable_thinking === false;
    // Ollama's OpenAI layer: reasoning_effort / reasoning.effort "none" → Think=false (openai/openai.go);
    // a `think` field is not part of its ChatCompletionRequest and is ignored.
    case 'ollama':
      return (
        body.reasoning_effort === 'none' || (body.reasoning as { effort?: unknown } | undefined)?.effort === 'none'
      );
    default:
      return false;
  }
}

/** The message of a thinking answer as each kind shapes it. */
function thinkingMessage(kind: ServerKind, thought: string, answer: string): Record<string, unknown> {
  switch (kind) {
    // vllm/reasoning/qwen3_reasoning_parser.py: content None when thinking is not closed; text in `reasoning`.
    case 'vllm':
      return { role: 'assistant', content: null, reasoning: thought };
    // python/sglang/srt/entrypoints/openai/serving_chat.py: content=text if text else None, reasoning_content.
    case 'sglang':
      return { role: 'assistant', content: null, reasoning_content: thought };
    // openai/openai.go toChatCompletion: Content "" and Reasoning from Message.Thinking.
    case 'ollama':
      return { role: 'assistant', content: '', reasoning: thought };
    // tools/server: content "" with reasoning_content (reasoning_format deepseek, the default).
    case 'llamacpp':
      return { role: 'assistant', content: '', reasoning_content: thought };
    // No reasoning parser (TGI, LM Studio, a bare server): Qwen3's thinking comes inline, then the answer.
    default:
      return { role: 'assistant', content: `<think>${thought}</think>\n\n${answer}` };
  }
}

/** Starts a server that behaves as `script.kind` on a free port of 127.0.0.1. */
export async function startKindServer(script: KindScript): Promise<KindServer> {
  const { kind } = script;
  const requests: Record<string, unknown>[] = [];
  let chats = 0;
  const listing = () => {
    // Ollama: `var data []Model` stays nil with nothing pulled and is written as null (openai.go ToListCompletion).
    if (kind === 'ollama' && script.models.length === 0) return { object: 'list', data: null };
    const owner: Record<ServerKind, (id: string) => string> = {
      vllm: () => 'vllm',
      sglang: () => 'sglang',
      llamacpp: () => 'llamacpp',
      // Observed values differ between versions ("organization_owner", the publisher): use a publisher here,
      // so the documented /api/v0/models is what tells it apart.
      lmstudio: (id) => id.split('/')[0] ?? id,
      // Ollama: model.ParseName(id).Namespace, "library" for official models.
      ollama: () => 'library',
      // TGI: owned_by is the model id (router/src/server.rs openai_get_model_info).
      tgi: (id) => id,
      openai: () => 'system',
    };
    return { object: 'list', data: script.models.map((id) => ({ id, object: 'model', owned_by: owner[kind](id) })) };
  };

  const chat = async (req: IncomingMessage, res: ServerResponse) => {
    const body = JSON.parse(await readBody(req)) as Record<string, unknown>;
    requests.push(body);
    chats += 1;
    if (kind === 'llamacpp' && chats <= (script.loading ?? 0)) {
      // tools/server: ERROR_TYPE_UNAVAILABLE → 503 while the model loads.
      return json(res, 503, { error: { code: 503, message: 'Loading model', type: 'unavailable_error' } });
    }
    if (kind === 'tgi' && chats <= (script.generationErrors ?? 0)) {
      // router/src/server.rs: InferError::GenerationError → 424 FAILED_DEPENDENCY, {error, error_type}.
      return json(res, 424, {
        error: 'Request failed during generation: CUDA out of memory',
        error_type: 'generation',
      });
    }
    const model = String(body.model);
    const served =
      kind === 'llamacpp' && script.models.length === 1 // single-model mode answers any name
        ? true
        : kind === 'tgi'
          ? model === 'tgi' || script.models.includes(model)
          : kind === 'ollama'
            ? script.models.some((id) => id === model || id === `${model}:latest`)
            : script.models.includes(model);
    if (!served) {
      return kind === 'ollama'
        ? json(res, 404, { error: { message: `model '${model}' not found`, type: 'api_error' } })
        : json(res, 404, { error: { message: `The model \`${model}\` does not exist.`, type: 'NotFoundError' } });
    }
    if (script.context !== undefined && typeof body.max_tokens === 'number' && body.max_tokens > script.context) {
      // vllm/entrypoints/openai/serving_engine.py: a prompt plus max_tokens over max_model_len is a 400.
      return json(res, 400, {
        error: { message: `This model's maximum context length is ${script.context} tokens.`, type: 'BadRequestError' },
      });
    }
    const prompt = JSON.stringify(body.messages);
    const words = (script.answer?.(prompt) ?? ANSWER).split(' ');
    const maxTokens = typeof body.max_tokens === 'number' ? body.max_tokens : Number.POSITIVE_INFINITY;
    const needed = script.answerTokens ?? words.length;
    const cut = maxTokens < needed;
    const thinks = script.thinking === true && !thinkingOff(kind, body);
    const text = cut ? words.slice(0, Math.max(1, maxTokens)).join(' ') : words.join(' ');
    const message = thinks
      ? thinkingMessage(kind, `Let me look at the image. ${text}`, text)
      : { role: 'assistant', content: script.contentParts ? [{ type: 'text', text }] : text };
    const finish = cut ? 'length' : 'stop';
    const usage = { prompt_tokens: prompt.length, completion_tokens: Math.min(maxTokens, needed), total_tokens: 0 };
    if (body.stream === true) {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const send = (chunk: unknown) => res.write(`data: ${JSON.stringify(chunk)}\n\n`);
      // Pieces of the message as deltas, then the finish reason, then usage when asked (include_usage).
      const delta = { ...message };
      const content = typeof delta.content === 'string' ? delta.content : null;
      send({ object: 'chat.completion.chunk', choices: [{ index: 0, delta: { role: 'assistant' } }] });
      if (content) {
        const half = Math.floor(content.length / 2);
        for (const piece of [content.slice(0, half), content.slice(half)]) {
          send({ object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: piece } }] });
        }
      } else send({ object: 'chat.completion.chunk', choices: [{ index: 0, delta }] });
      send({ object: 'chat.completion.chunk', choices: [{ index: 0, delta: {}, finish_reason: finish }] });
      const options = body.stream_options as { include_usage?: boolean } | undefined;
      if (options?.include_usage && !script.noUsage) send({ object: 'chat.completion.chunk', choices: [], usage });
      res.end('data: [DONE]\n\n');
      return;
    }
    json(res, 200, {
      id: `chatcmpl-${chats}`,
      object: 'chat.completion',
      model,
      choices: [{ index: 0, message, finish_reason: finish }],
      ...(!script.noUsage && { usage }),
    });
  };

  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    // Ollama (server/routes.go) and vLLM, SGLang, TGI serve the OpenAI API under /v1 only;
    // llama.cpp's server also answers without the prefix.
    const api = kind === 'llamacpp' ? path.replace(/^\/v1(?=\/)/, '') : path.startsWith('/v1/') ? path.slice(3) : null;
    if (req.method === 'GET' && api === '/models') return json(res, 200, listing());
    if (req.method === 'POST' && api === '/chat/completions') {
      return void chat(req, res).catch((err: unknown) => json(res, 500, { error: { message: String(err) } }));
    }
    if (req.method === 'GET') {
      // Each kind's own endpoints: Ollama /api/version (server/routes.go), TGI /info (router/src/server.rs),
      // llama.cpp /props (tools/server).
      if (kind === 'ollama' && path === '/api/version') return json(res, 200, { version: '0.12.0' });
      if (kind === 'tgi' && path === '/info') {
        return json(res, 200, {
          model_id: script.models[0],
          max_total_tokens: 16384,
          router: 'text-generation-router',
        });
      }
      if (kind === 'lmstudio' && path === '/api/v0/models') {
        // lmstudio.ai/docs/app/api/endpoints/rest: its own listing, with type, state and compatibility_type.
        return json(res, 200, {
          object: 'list',
          data: script.models.map((id) => ({
            id,
            object: 'model',
            type: 'vlm',
            compatibility_type: 'gguf',
            state: 'loaded',
          })),
        });
      }
      if (kind === 'llamacpp' && path === '/props') {
        return json(res, 200, { default_generation_settings: { n_ctx: 16384 }, model_path: script.models[0] });
      }
    }
    // Gin answers an unknown route with a plain-text 404 (Ollama); the others with JSON.
    if (kind === 'ollama') {
      res.writeHead(404, { 'content-type': 'text/plain' });
      return res.end('404 page not found');
    }
    json(res, 404, { detail: 'Not Found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
