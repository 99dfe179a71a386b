/**
 * The page's Content-Security-Policy, in one place: sent as a header by
 * `npm start`'s server and written into
 * the built index.html as a meta tag for static hosts that cannot send
 * headers. Scripts come only from the app itself; WebAssembly may compile
 * ('wasm-unsafe-eval', which ONNX runtime needs) but no string is ever
 * evaluated as code; network requests go to the app, to https model hosts
 * (the hub, a mirror), or to loopback (a mirror or model folder on this
 * machine, and the dev server's socket).
 */
import type { Plugin } from 'vite';

const DIRECTIVES = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self' blob:",
  "connect-src 'self' https: http://localhost:* http://127.0.0.1:* ws://localhost:* ws://127.0.0.1:*",
  "img-src 'self' blob: data:",
  // The poster of a video the user added plays from its blob: URL (muted, never fetched from elsewhere).
  "media-src 'self' blob:",
  "style-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'none'",
];

/** The policy for a meta tag (which cannot carry frame-ancestors). */
export const CONTENT_SECURITY_POLICY = DIRECTIVES.join('; ');
/** The policy as a response header: the page may not be framed by other sites. */
export const CONTENT_SECURITY_POLICY_HEADER = `${CONTENT_SECURITY_POLICY}; frame-ancestors 'none'`;

/** Writes the policy into index.html as the first thing in <head>. */
export function cspMeta(): Plugin {
  return {
    name: 'metacaptioner:csp-meta',
    // The dev server's client injects inline helpers; the policy is for what ships.
    apply: 'build',
    transformIndexHtml: {
      order: 'pre',
      handler: () => [
        {
          tag: 'meta',
          attrs: { 'http-equiv': 'Content-Security-Policy', content: CONTENT_SECURITY_POLICY },
          injectTo: 'head-prepend',
        },
      ],
    },
  };
}
