/**
 * Helpers for tests against the scripted servers of server-kinds.ts: start
 * servers that are closed after each test, and make a chat client the way
 * the openai engine does (the endpoint probed first, then asked).
 */
import { afterEach } from 'vitest';
import { Limiter } from '../../src/cli/limiter';
import { ChatClient, type Endpoint, emptyStats, prepareEndpoints } from '../../src/cli/openai-client';
import { DEFAULT_RETRY } from '../../src/cli/retry';
import { type KindScript, type KindServer, startKindServer } from './server-kinds';

const servers: KindServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** Starts a scripted server, closed after the test. */
export async function serve(script: KindScript): Promise<KindServer> {
  const server = await startKindServer(script);
  servers.push(server);
  return server;
}

/** Retries without waiting: the backoff's timing is retry.ts's concern, tested in parts.test.ts. */
const NO_WAIT = { ...DEFAULT_RETRY, sleep: async () => {} };

/** A client of `server` as the engine makes it: probed first (kind, /v1, model), then asked. */
export async function clientOf(server: KindServer, model: string, extra: Partial<Endpoint> = {}, stream = false) {
  const notices: string[] = [];
  const asked: Endpoint = { url: `${server.origin}/v1`, model, ...extra };
  const found = await prepareEndpoints([asked], { notice: (line) => notices.push(line) });
  const endpoint = found(asked);
  const stats = emptyStats();
  const chat = new ChatClient(endpoint, {
    limiter: new Limiter(2),
    retry: NO_WAIT,
    timeoutMs: 10_000,
    stats,
    stream,
  });
  return { chat, stats, notices, endpoint };
}
