/**
 * A scripted OpenAI-compatible server for the CLI's image tests: no models,
 * canned answers (the judge gets top scores), real HTTP. It refuses images
 * as the real server kinds do, each written from the server's source:
 *
 * - `ollama`: Ollama's OpenAI layer takes only `data:image/{jpeg,jpg,png,webp};base64,` URLs (and a blank
 *   `data:;base64,`); anything else is `400 {"error":{"message":"invalid image input"}}`
 *   (ollama `openai/openai.go`, decodeImageURL, answered through the middleware's NewError).
 * - `stb`: llama.cpp's server (and LM Studio) decode the bytes with stb_image, whatever the MIME type says:
 *   JPEG, PNG, BMP, GIF (first frame), but no WebP; a failed load is `400 "Failed to load image or audio
 *   file"` (llama.cpp `tools/mtmd/mtmd-helper.cpp` over `stb_image.h`; the server answers an invalid request).
 * - `any`: vLLM, SGLang and TGI decode with PIL, which reads all four.
 *
 * A payload limit answers 413 as TGI does for a body over `--payload-limit` (default 2,000,000 bytes:
 * `launcher/src/main.rs`; `router/src/server.rs` layers axum's DefaultBodyLimit, whose rejection is
 * `413 Failed to buffer the request body: length limit exceeded`). A context limit answers 400 as vLLM does
 * when the prompt's tokens exceed `--max-model-len` ("This model's maximum context length is N tokens…"),
 * counting an image's tokens as Qwen2.5-VL's processor does (one per 28×28 px after smart_resize, at most
 * `max_pixels` = 12,845,056 px) and text as one token per 4 characters.
 *
 * `file://` URLs are read as vLLM's MediaConnector._load_file_url does (`vllm/multimodal/utils.py`): refused
 * without `--allowed-local-media-path` ("Cannot load local files without `--allowed-local-media-path`."), or
 * for a path outside it ("The file path … must be a subpath of `--allowed-local-media-path` …"); the chat
 * endpoint answers such errors as a 400.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import { JUDGE_DIMENSIONS } from '../../src/capflow/spec';

/** How the server decodes images. */
export type Decoder = 'ollama' | 'stb' | 'any';

/** The server's knobs, changeable between tests. */
export interface ImageServerBehaviour {
  decoder: Decoder;
  /** Bytes a request body may have (TGI `--payload-limit`); null: no limit. */
  payloadLimit: number | null;
  /** Tokens a request may use (vLLM `--max-model-len`, prompt and max_tokens); null: no limit. */
  maxModelLen: number | null;
  /** The folder `file://` URLs may be read from (vLLM `--allowed-local-media-path`); null: none. */
  allowedLocalMediaPath: string | null;
}

/** One image a request carried, as the server saw it. */
export interface SeenImage {
  /** The MIME type of the data URL; `file` for a `file://` URL. */
  readonly mime: string;
  /** The data URL's length, and the decoded image's bytes, format (sharp's name) and size. */
  readonly urlLength: number;
  readonly bytes: number;
  readonly format: string;
  readonly width: number;
  readonly height: number;
  readonly sha: string;
}

/** One request, as received, and the status it was answered with. */
export interface SeenRequest {
  readonly status: number;
  readonly bodyBytes: number;
  readonly prompt: string;
  readonly images: readonly SeenImage[];
}

/** A running server. */
export interface ImageTestServer {
  /** Base URL, ending in `/v1`. */
  readonly url: string;
  readonly model: string;
  readonly behaviour: ImageServerBehaviour;
  /** Requests since the last reset, in the order they were answered. */
  readonly requests: SeenRequest[];
  reset(): void;
  close(): Promise<void>;
}

type Part = { type: 'text'; text: string } | { type: 'image_url'; image_url: { url: string } };

const OLLAMA_PREFIXES = ['jpeg', 'jpg', 'png', 'webp'].map((t) => `data:image/${t};base64,`);

/** Formats stb_image reads, by their magic bytes (stb_image.h: no WebP, no AVIF). */
function stbReads(bytes: Buffer): boolean {
  const hex = bytes.subarray(0, 4).toString('hex');
  return hex.startsWith('ffd8ff') || hex === '89504e47' || hex.startsWith('474946') || hex.startsWith('424d');
}

/** Qwen2.5-VL's image tokens: smart_resize to multiples of 28 within max_pixels, one token per 28×28. */
export function qwenImageTokens(width: number, height: number): number {
  const maxPixels = 12_845_056;
  let [h, w] = [Math.round(height / 28) * 28, Math.round(width / 28) * 28];
  if (h * w > maxPixels) {
    const beta = Math.sqrt((height * width) / maxPixels);
    h = Math.floor(height / beta / 28) * 28;
    w = Math.floor(width / beta / 28) * 28;
  }
  return (h / 28) * (w / 28);
}

/** The canned answer: top scores for the judge, a plain note or caption for anything else. */
function answer(prompt: string): string {
  if (/score/i.test(prompt)) return JUDGE_DIMENSIONS.image.map((d) => `${d}: 3`).join('\n');
  return 'A small test picture in flat colours.';
}

/** Serves `model` on a free port of 127.0.0.1. */
export async function startImageServer(model = 'test-vlm'): Promise<ImageTestServer> {
  const behaviour: ImageServerBehaviour = {
    decoder: 'any',
    payloadLimit: null,
    maxModelLen: null,
    allowedLocalMediaPath: null,
  };
  const requests: SeenRequest[] = [];
  const send = (res: ServerResponse, status: number, value: unknown) => {
    res.writeHead(status, { 'content-type': typeof value === 'string' ? 'text/plain' : 'application/json' });
    res.end(typeof value === 'string' ? value : JSON.stringify(value));
  };
  const chat = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const seen = { bodyBytes: raw.length, prompt: '', images: [] as SeenImage[] };
    const reply = (status: number, value: unknown) => {
      requests.push({ status, ...seen });
      send(res, status, value);
    };
    if (behaviour.payloadLimit !== null && raw.length > behaviour.payloadLimit) {
      return reply(413, 'Failed to buffer the request body: length limit exceeded');
    }
    const request = JSON.parse(raw.toString('utf8')) as {
      messages: { content: string | Part[] }[];
      max_tokens?: number;
    };
    const content = request.messages.at(-1)?.content ?? '';
    const parts: Part[] = typeof content === 'string' ? [{ type: 'text', text: content }] : content;
    seen.prompt = parts.flatMap((p) => (p.type === 'text' ? [p.text] : [])).join('\n');
    for (const part of parts) {
      if (part.type !== 'image_url') continue;
      const url = part.image_url.url;
      if (behaviour.decoder === 'ollama' && !OLLAMA_PREFIXES.some((p) => url.startsWith(p))) {
        return reply(400, { error: { message: 'invalid image input', type: 'invalid_request_error' } });
      }
      let bytes: Buffer;
      const match = /^data:([^;,]*);base64,(.*)$/.exec(url);
      if (url.startsWith('file:')) {
        const allowed = behaviour.allowedLocalMediaPath;
        if (!allowed) {
          return reply(400, {
            object: 'error',
            message: 'Cannot load local files without `--allowed-local-media-path`.',
            code: 400,
          });
        }
        const path = fileURLToPath(url);
        if (!resolve(path).startsWith(`${resolve(allowed)}${sep}`)) {
          const message = `The file path ${path} must be a subpath of \`--allowed-local-media-path\` ${allowed}.`;
          return reply(400, { object: 'error', message, code: 400 });
        }
        bytes = readFileSync(path);
      } else {
        bytes = Buffer.from(match?.[2] ?? '', 'base64');
      }
      if (behaviour.decoder === 'stb' && !stbReads(bytes)) {
        return reply(400, {
          error: { code: 400, message: 'Failed to load image or audio file', type: 'invalid_request_error' },
        });
      }
      const meta = await sharp(bytes).metadata();
      seen.images.push({
        mime: url.startsWith('file:') ? 'file' : (match?.[1] ?? ''),
        urlLength: url.length,
        bytes: bytes.length,
        format: meta.format ?? '',
        width: meta.width ?? 0,
        height: meta.height ?? 0,
        sha: createHash('sha256').update(bytes).digest('hex'),
      });
    }
    if (behaviour.maxModelLen !== null) {
      const tokens =
        seen.images.reduce((n, i) => n + qwenImageTokens(i.width, i.height), 0) +
        Math.ceil(seen.prompt.length / 4) +
        (request.max_tokens ?? 0);
      if (tokens > behaviour.maxModelLen) {
        return reply(400, {
          object: 'error',
          message: `This model's maximum context length is ${behaviour.maxModelLen} tokens. However, you requested ${tokens} tokens. Please reduce the length of the messages or completion.`,
          type: 'BadRequestError',
          code: 400,
        });
      }
    }
    const text = answer(seen.prompt);
    reply(200, {
      id: `chatcmpl-${requests.length}`,
      object: 'chat.completion',
      model,
      choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 10, completion_tokens: 8, total_tokens: 18 },
    });
  };
  const server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/v1/models') {
      return send(res, 200, { object: 'list', data: [{ id: model, object: 'model', owned_by: 'test' }] });
    }
    if (req.method === 'POST' && req.url === '/v1/chat/completions') {
      return void chat(req, res).catch((err: unknown) => send(res, 500, { error: { message: String(err) } }));
    }
    send(res, 404, { error: { message: `no route ${req.method} ${req.url}` } });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    model,
    behaviour,
    requests,
    reset: () => {
      requests.length = 0;
      Object.assign(behaviour, { decoder: 'any', payloadLimit: null, maxModelLen: null, allowedLocalMediaPath: null });
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
