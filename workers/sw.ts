/**
 * The service worker: precaches the app shell, the captioner worker, the
 * ORT runtime files and the bundled OCR models (the list is injected at
 * build time), so after one visit the page opens and captions with the
 * network off — model weights come from the IndexedDB weight cache, never
 * from here. Navigations are answered with the cached page. Where the host
 * sends no COOP/COEP headers, it adds them, so the page is cross-origin
 * isolated and WASM can use threads.
 */
import { clientsClaim } from 'workbox-core';
import { addRoute, cleanupOutdatedCaches, createHandlerBoundToURL, precache } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';

declare const self: ServiceWorkerGlobalScope & { __WB_MANIFEST: Parameters<typeof precache>[0] };

self.skipWaiting();
clientsClaim();
cleanupOutdatedCaches();
precache(self.__WB_MANIFEST);

/** The isolation headers threaded WASM needs; added only where the host did not send its own. */
function isolated(response: Response): Response {
  if (response.headers.has('cross-origin-embedder-policy') || response.type === 'opaque') return response;
  const headers = new Headers(response.headers);
  headers.set('Cross-Origin-Opener-Policy', 'same-origin');
  headers.set('Cross-Origin-Embedder-Policy', 'require-corp');
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

// Navigations first (whatever their query string), so every page response gets the headers.
const page = createHandlerBoundToURL('index.html');
registerRoute(new NavigationRoute(async (options) => isolated(await page(options))));
addRoute();
