/**
 * A local OpenAI-compatible server for the CLI's tests: real HTTP,
 * `/v1/models` and `/v1/chat/completions` with `image_url` parts (data
 * URLs), answered by the forge's models through transformers.js in Node —
 * the VLM for requests with images or for its own name, the text model for
 * its. Faults can be injected per request: 503s, delays, malformed JSON,
 * dropped connections. It counts requests and the most ever in flight.
 */
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RawImage } from '@huggingface/transformers';
import type { TextLlm } from '../../src/models/text-llm';
import type { Vlm } from '../../src/models/vlm';

/** What to do with one request (its number from 1, its prompt text). */
export type Fault = 'ok' | '503' | '429' | '400' | 'malformed' | 'drop';

/** The server's knobs, changeable between tests. */
export interface ServerBehaviour {
  /** Milliseconds each answer waits before it is sent (so requests overlap). */
  delayMs: number;
  /** The fault for a request, by its number, prompt and the bytes of its images' data URLs; default: none. */
  fault: (request: number, prompt: string, imageBytes: number) => Fault;
}

/** A running server. */
export interface OpenAiTestServer {
  /** Base URL, ending in `/v1`. */
  readonly url: string;
  readonly behaviour: ServerBehaviour;
  /** Requests received, answered (200) and the most in flight at once, since the last reset. */
  stats(): { requests: number; answered: number; maxInFlight: number };
  reset(): void;
  close(): Promise<void>;
}

type Part = { type: 'text'; text: string } | { type: 'image_url'; image_url: { url: string } };

async function body(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function decodeDataUrl(url: string): Blob {
  const match = /^data:([^;,]+);base64,(.*)$/.exec(url);
  if (!match?.[2]) throw new Error('only base64 data URLs are served here');
  return new Blob([Buffer.from(match[2], 'base64')], { type: match[1] });
}

/** Serves `models` (by name) on a free port of 127.0.0.1. */
export async function startOpenAiServer(models: { vlm: Vlm; llm: TextLlm }): Promise<OpenAiTestServer> {
  const behaviour: ServerBehaviour = { delayMs: 0, fault: () => 'ok' };
  let [requests, answered, inFlight, maxInFlight] = [0, 0, 0, 0];
  const names = { vlm: models.vlm.spec.repo, llm: models.llm.spec.repo };
  const json = (res: ServerResponse, status: number, value: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(value));
  };
  const chat = async (req: IncomingMessage, res: ServerResponse) => {
    const number = ++requests;
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    try {
      const request = JSON.parse(await body(req)) as {
        model: string;
        messages: { role: string; content: string | Part[] }[];
        max_tokens?: number;
      };
      const content = request.messages.at(-1)?.content ?? '';
      const parts: Part[] = typeof content === 'string' ? [{ type: 'text', text: content }] : content;
      const prompt = parts.flatMap((p) => (p.type === 'text' ? [p.text] : [])).join('\n');
      const urls = parts.flatMap((p) => (p.type === 'image_url' ? [p.image_url.url] : []));
      if (behaviour.delayMs) await new Promise((resolve) => setTimeout(resolve, behaviour.delayMs));
      const fault = behaviour.fault(
        number,
        prompt,
        urls.reduce((n, u) => n + u.length, 0),
      );
      if (fault === 'drop') return req.socket.destroy();
      if (fault === '503' || fault === '429' || fault === '400') {
        return json(res, Number(fault), { error: { message: `injected ${fault}` } });
      }
      if (fault === 'malformed') {
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end('{"choices": [ {"message": ');
      }
      if (request.model !== names.vlm && request.model !== names.llm) {
        return json(res, 404, { error: { message: `no model ${request.model}` } });
      }
      const options = { prompt, maxNewTokens: request.max_tokens ?? 256 };
      const out =
        request.model === names.vlm
          ? urls.length
            ? await models.vlm.generate(
                await Promise.all(urls.map(async (u) => (await RawImage.fromBlob(decodeDataUrl(u))).rgb())),
                options,
              )
            : await models.vlm.generateText(options)
          : await models.llm.generateText(options);
      answered += 1;
      json(res, 200, {
        id: `chatcmpl-${number}`,
        object: 'chat.completion',
        model: request.model,
        choices: [{ index: 0, message: { role: 'assistant', content: out.text }, finish_reason: 'stop' }],
        usage: {
          prompt_tokens: prompt.length,
          completion_tokens: out.tokens,
          total_tokens: prompt.length + out.tokens,
        },
      });
    } catch (err) {
      json(res, 500, { error: { message: String(err) } });
    } finally {
      inFlight -= 1;
    }
  };
  const server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/v1/models') {
      return json(res, 200, {
        object: 'list',
        data: Object.values(names).map((id) => ({ id, object: 'model', owned_by: 'forge' })),
      });
    }
    if (req.method === 'POST' && req.url === '/v1/chat/completions') return void chat(req, res);
    json(res, 404, { error: { message: `no route ${req.method} ${req.url}` } });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    behaviour,
    stats: () => ({ requests, answered, maxInFlight }),
    reset: () => {
      [requests, answered, maxInFlight] = [0, 0, 0];
      behaviour.delayMs = 0;
      behaviour.fault = () => 'ok';
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
