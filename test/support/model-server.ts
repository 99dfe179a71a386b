/**
 * The local "model hub" the tests load fixtures from: serves a folder over
 * HTTP on loopback with the hub's URL shape (`{model}/resolve/{revision}/file`
 * as well as `{model}/file`), CORS and CORP headers so a cross-origin,
 * cross-origin-isolated page may fetch it, a log of every request, and
 * switchable faults (go offline, cut a file's body half-way, answer a file
 * with other bytes).
 */
import { createReadStream, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize } from 'node:path';

/** A request the server saw (status 206 for a range probe, 200 for a whole file), with the body bytes it sent. */
export interface ServedRequest {
  readonly path: string;
  readonly status: number;
  readonly bytes: number;
}

/** Faults a test can switch on; each is read per request. */
export interface ServerFaults {
  /** Refuse every request (503), like a machine gone offline. */
  offline: boolean;
  /** Request paths whose next whole-file response is cut after half its bytes. */
  readonly cutHalfway: Set<string>;
  /** Milliseconds to wait before answering each request (a slow link, to see loading states). */
  delayMs: number;
  /** Request paths answered 200 with these bytes instead of the file (a proxy's error page, a broken upload). */
  readonly replaced: Map<string, Uint8Array>;
  /**
   * Request paths whose answer waits until a request for another path
   * arrives, or {@link HOLD_LIMIT_MS} passes: shows whether a client asks
   * for a file side by side with others or alone, before anything else.
   */
  readonly holdUntilAnother: Set<string>;
  /** The held paths another request released (a path held to the limit is not here). */
  readonly releasedByAnother: string[];
}

/** The longest a held answer waits for another request (then it is answered anyway). */
export const HOLD_LIMIT_MS = 5_000;

/** A running model server. */
export interface ModelServer {
  /** Base URL ending in "/", to use as the `remoteHost`. */
  readonly url: string;
  readonly requests: ServedRequest[];
  readonly faults: ServerFaults;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = { '.json': 'application/json', '.onnx': 'application/octet-stream' };

/** Maps a request path to a file path below the root (hub `resolve/<rev>/` segment dropped). */
function filePath(root: string, urlPath: string): string | null {
  const clean = normalize(decodeURIComponent(urlPath).replace(/\/resolve\/[^/]+\//, '/'));
  if (clean.includes('..')) return null;
  return join(root, clean);
}

/** Starts serving `root` on 127.0.0.1 (any free port). */
export async function startModelServer(root: string): Promise<ModelServer> {
  const requests: ServedRequest[] = [];
  const faults: ServerFaults = {
    offline: false,
    cutHalfway: new Set(),
    delayMs: 0,
    replaced: new Map(),
    holdUntilAnother: new Set(),
    releasedByAnother: [],
  };
  /** Answers held until another path is asked for, by path. */
  const held = new Map<string, () => void>();

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const reply = (status: number, headers: Record<string, string | number> = {}): ServerResponse => {
      const length = Number(headers['content-length'] ?? 0);
      requests.push({ path, status, bytes: req.method === 'HEAD' ? 0 : length });
      return res.writeHead(status, {
        'access-control-allow-origin': '*',
        'access-control-expose-headers': 'content-length, content-range',
        'accept-ranges': 'bytes',
        'cross-origin-resource-policy': 'cross-origin',
        ...headers,
      });
    };
    if (faults.offline) return void reply(503).end();
    if (req.method === 'OPTIONS') return void reply(204, { 'access-control-allow-headers': '*' }).end();
    const replacement = faults.replaced.get(path);
    if (replacement) {
      reply(200, { 'content-type': 'application/octet-stream', 'content-length': replacement.length });
      return void res.end(req.method === 'HEAD' ? undefined : replacement);
    }
    const file = filePath(root, path);
    const stat = file ? statSync(file, { throwIfNoEntry: false }) : undefined;
    if (!file || !stat?.isFile()) return void reply(404).end();
    const type = TYPES[file.slice(file.lastIndexOf('.'))] ?? 'application/octet-stream';
    const range = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
    if (range && stat.size > 0) {
      // transformers.js probes files with `Range: bytes=0-0` to learn their size, as the hub allows.
      const start = Number(range[1]);
      const end = Math.min(Number(range[2]), stat.size - 1);
      reply(206, {
        'content-type': type,
        'content-length': end - start + 1,
        'content-range': `bytes ${start}-${end}/${stat.size}`,
      });
      return void createReadStream(file, { start, end }).pipe(res);
    }
    reply(200, { 'content-type': type, 'content-length': stat.size });
    if (req.method === 'HEAD') return void res.end();
    if (faults.cutHalfway.delete(path)) {
      // Send half the body, then drop the connection: the client sees a truncated download.
      const half = createReadStream(file, { end: Math.floor(stat.size / 2) - 1 });
      half.pipe(res, { end: false });
      half.on('end', () => res.destroy());
      return;
    }
    createReadStream(file).pipe(res);
  };

  const answer = (req: IncomingMessage, res: ServerResponse): void => {
    if (faults.delayMs > 0) setTimeout(() => handle(req, res), faults.delayMs);
    else handle(req, res);
  };
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    for (const [other, release] of held) {
      if (other === path) continue;
      held.delete(other);
      faults.releasedByAnother.push(other);
      release();
    }
    if (!faults.holdUntilAnother.delete(path)) return answer(req, res);
    const timer = setTimeout(() => {
      held.delete(path);
      answer(req, res);
    }, HOLD_LIMIT_MS);
    held.set(path, () => {
      clearTimeout(timer);
      answer(req, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    requests,
    faults,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
