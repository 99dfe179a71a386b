/**
 * A light OpenAI-compatible server for the CLI's resilience tests: real
 * HTTP on 127.0.0.1, no models. Each chat request is answered by a script
 * (its number from 1 and whether it is the CLI's one-token readiness probe)
 * with a canned completion or a failure shaped as a real server sends it:
 * - `loading`: llama.cpp while it loads its model — HTTP 503 with
 *   `{"error":{"code":503,"message":"Loading model","type":"unavailable_error"}}`
 *   (tools/server/server.cpp state middleware, `format_error_response(
 *   "Loading model", ERROR_TYPE_UNAVAILABLE)`; utils.hpp maps that type to
 *   503 "unavailable_error"), while `/v1/models` is answered in every state;
 * - `drop`: a server that died — the connection is destroyed without an
 *   answer (what a killed vLLM or an OOM-killed llama.cpp leaves a client);
 * - `unauthorized` / `no-model`: refusals that waiting does not change
 *   (vLLM's 401 `{"error":"Unauthorized"}` from its api-key middleware in
 *   vllm/entrypoints/openai/api_server.py; a 404 for a model it does not
 *   serve, as vLLM's `_check_model` answers "The model `x` does not exist.").
 */
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What to do with one chat request. */
export type Scripted = 'ok' | 'loading' | 'drop' | 'unauthorized' | 'no-model';

/** A chat request as the script sees it. */
export interface ScriptedRequest {
  /** Its number among chat requests, from 1. */
  readonly n: number;
  /** The CLI's readiness probe (one token), as opposed to a caption request. */
  readonly probe: boolean;
  readonly model: string;
}

/** A running scripted server. */
export interface ScriptedServer {
  /** Base URL, ending in `/v1`. */
  readonly url: string;
  /** Changeable at any time (e.g. the server "comes back"). */
  script: (request: ScriptedRequest) => Scripted;
  /** Every chat request with what it got, in order. */
  readonly log: { readonly request: ScriptedRequest; readonly answer: Scripted }[];
  close(): Promise<void>;
}

/** The caption every answered request gets. */
export const SCRIPTED_CAPTION = 'A plain square of one colour.';

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Starts a server on a free port serving `model` by `script`. */
export async function startScriptedServer(
  model: string,
  script: (request: ScriptedRequest) => Scripted,
): Promise<ScriptedServer> {
  let n = 0;
  const json = (res: ServerResponse, status: number, value: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(value));
  };
  const state: ScriptedServer = {
    url: '',
    script,
    log: [],
    close: async () => {},
  };
  const chat = async (req: IncomingMessage, res: ServerResponse) => {
    const body = JSON.parse(await readBody(req)) as { model: string; max_tokens?: number };
    const request = { n: ++n, probe: body.max_tokens === 1, model: body.model };
    const answer = state.script(request);
    state.log.push({ request, answer });
    switch (answer) {
      case 'drop':
        return void req.socket.destroy();
      case 'loading':
        return json(res, 503, { error: { code: 503, message: 'Loading model', type: 'unavailable_error' } });
      case 'unauthorized':
        return json(res, 401, { error: 'Unauthorized' });
      case 'no-model':
        return json(res, 404, {
          object: 'error',
          message: `The model \`${body.model}\` does not exist.`,
          type: 'NotFoundError',
          code: 404,
        });
      case 'ok':
        return json(res, 200, {
          id: `chatcmpl-${request.n}`,
          object: 'chat.completion',
          model: body.model,
          choices: [
            {
              index: 0,
              message: { role: 'assistant', content: request.probe ? 'OK' : SCRIPTED_CAPTION },
              finish_reason: request.probe ? 'length' : 'stop',
            },
          ],
          usage: { prompt_tokens: 10, completion_tokens: request.probe ? 1 : 7, total_tokens: request.probe ? 11 : 17 },
        });
    }
  };
  const server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/v1/models') {
      return json(res, 200, { object: 'list', data: [{ id: model, object: 'model', owned_by: 'scripted' }] });
    }
    if (req.method === 'POST' && req.url === '/v1/chat/completions') return void chat(req, res);
    json(res, 404, { error: { message: `no route ${req.method} ${req.url}` } });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}/v1`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}
