/**
 * The network guard: an HTTP proxy that Chromium sends every non-loopback
 * request to. It answers each with 403 and records the target, so a test can
 * assert that the app never reached outside localhost (no CDN, no model hub).
 * Works for pages and workers alike, unlike per-page request routing.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Hosts Chromium itself calls whatever the page does (component and
 * extension updates, network time, sign-in), which no launch flag fully
 * silences in Debian's build. They are refused like everything else but do
 * not count as the app reaching out.
 */
export const BROWSER_SERVICE_HOSTS: ReadonlySet<string> = new Set([
  'update.googleapis.com',
  'clients2.google.com',
  'accounts.google.com',
  'clientservices.googleapis.com',
  'content-autofill.googleapis.com',
  'optimizationguide-pa.googleapis.com',
  // Chromium's component and download-protection redirector: called when a download starts (the export tests).
  'redirector.gvt1.com',
]);

/** The host of a proxied target ("host:443" for CONNECT, an absolute URL for plain HTTP). */
function targetHost(target: string): string {
  return /^https?:\/\//.test(target) ? new URL(target).hostname : target.replace(/:\d+$/, '');
}

/** A running guard: its port, what it refused, and how to stop it. */
export interface NetworkGuard {
  readonly port: number;
  /** Every target refused so far ("host:port" for HTTPS, the URL for HTTP). */
  readonly blocked: readonly string[];
  /** The refused targets that were not Chromium's own background services: the app's. */
  appRequests(): string[];
  /** Returns {@link appRequests} and forgets everything refused so far. */
  takeAppRequests(): string[];
  close(): Promise<void>;
}

/** Starts the guard on `port` (0 = any free port). */
export async function startNetworkGuard(port = 0): Promise<NetworkGuard> {
  const blocked: string[] = [];
  const server: Server = createServer((req, res) => {
    blocked.push(req.url ?? '?');
    res.writeHead(403, { 'content-type': 'text/plain' }).end('blocked by the test network guard');
  });
  server.on('connect', (req, socket) => {
    blocked.push(req.url ?? '?');
    // A tunnel socket has no error listener of its own: Chromium resetting it (closing a page, say) would
    // be an uncaught ECONNRESET that fails the whole run, as one did in CI.
    socket.on('error', () => {});
    socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const appRequests = () => blocked.filter((t) => !BROWSER_SERVICE_HOSTS.has(targetHost(t)));
  return {
    port: (server.address() as AddressInfo).port,
    blocked,
    appRequests,
    takeAppRequests: () => {
      const taken = appRequests();
      blocked.length = 0;
      return taken;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A free loopback port, for config that must name a port before servers start. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
