/**
 * A scripted OpenAI-compatible server for the CLI's operations tests: no
 * models, canned answers in the shapes vLLM sends, and a record of every
 * request (path, Authorization header, model), so a test can see what the
 * CLI sent where. Starts in milliseconds; the model-backed server
 * (openai-server.ts) is for tests that need real captions.
 *
 * Shapes, from vLLM's OpenAI server (vllm/entrypoints/openai/protocol.py):
 * `GET /v1/models` → `{ object: "list", data: [{ id, object: "model",
 * owned_by }] }` (ModelList, ModelCard); `POST /v1/chat/completions` →
 * `{ id, object: "chat.completion", created, model, choices: [{ index,
 * message: { role: "assistant", content }, finish_reason: "stop" }],
 * usage: { prompt_tokens, completion_tokens, total_tokens } }`
 * (ChatCompletionResponse, UsageInfo).
 */
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the server saw it. */
export interface SeenRequest {
  readonly method: string;
  readonly path: string;
  /** The Authorization header, when one was sent. */
  readonly authorization?: string;
  readonly model?: string;
  /** The user message's text parts. */
  readonly prompt?: string;
  readonly images: number;
}

/** A running canned server. */
export interface CannedServer {
  /** Base URL, ending in `/v1`. */
  readonly url: string;
  readonly model: string;
  readonly seen: SeenRequest[];
  /** The answer to a chat request, by its prompt; default: {@link cannedAnswer}. */
  answer: (prompt: string, images: number) => string;
  close(): Promise<void>;
}

/** What the server answers by default: a domain letter to the router's question, a short sentence otherwise. */
export function cannedAnswer(prompt: string): string {
  if (prompt.startsWith('Which kind of image is this?')) return 'A';
  return 'Four coloured squares on a plain background.';
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

type Part = { type: 'text'; text: string } | { type: 'image_url'; image_url: { url: string } };

/** Serves `model` on a free port of 127.0.0.1. */
export async function startCannedServer(model = 'org/canned-vl'): Promise<CannedServer> {
  const seen: SeenRequest[] = [];
  const json = (res: ServerResponse, status: number, value: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(value));
  };
  let counter = 0;
  const state: { answer: CannedServer['answer'] } = { answer: cannedAnswer };
  const server = createServer((req, res) => {
    void (async () => {
      const authorization = req.headers.authorization;
      const base = { method: req.method ?? '', path: req.url ?? '', ...(authorization && { authorization }) };
      if (req.method === 'GET' && req.url === '/v1/models') {
        seen.push({ ...base, images: 0 });
        return json(res, 200, { object: 'list', data: [{ id: model, object: 'model', owned_by: 'vllm' }] });
      }
      if (req.method === 'POST' && req.url === '/v1/chat/completions') {
        const request = JSON.parse(await readBody(req)) as {
          model: string;
          messages: { content: string | Part[] }[];
        };
        const content = request.messages.at(-1)?.content ?? '';
        const parts: Part[] = typeof content === 'string' ? [{ type: 'text', text: content }] : content;
        const prompt = parts.flatMap((p) => (p.type === 'text' ? [p.text] : [])).join('\n');
        const images = parts.filter((p) => p.type === 'image_url').length;
        seen.push({ ...base, model: request.model, prompt, images });
        if (request.model !== model) {
          return json(res, 404, { object: 'error', message: `The model \`${request.model}\` does not exist.` });
        }
        const text = state.answer(prompt, images);
        const tokens = text.split(' ').length;
        return json(res, 200, {
          id: `chatcmpl-${++counter}`,
          object: 'chat.completion',
          created: 1_700_000_000,
          model,
          choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
          usage: {
            prompt_tokens: 100 + images * 64,
            completion_tokens: tokens,
            total_tokens: 100 + images * 64 + tokens,
          },
        });
      }
      seen.push({ ...base, images: 0 });
      json(res, 404, { object: 'error', message: `no route ${req.method} ${req.url}` });
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    model,
    seen,
    get answer() {
      return state.answer;
    },
    set answer(f) {
      state.answer = f;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port on 127.0.0.1 that nothing listens on (bound, then closed), for "no network" tests. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
