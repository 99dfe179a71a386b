import { defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';
import { CONTENT_SECURITY_POLICY_HEADER, cspMeta } from './vite-csp.ts';
import { ocrAssetSizes, ocrAssets } from './vite-ocr-assets.ts';

/**
 * Cross-origin isolation (COOP/COEP) unlocks SharedArrayBuffer, hence
 * multi-threaded WASM inference. `require-corp` works in every engine; model
 * files are fetched in CORS mode, which the hub and any usable mirror allow.
 */
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/**
 * What `npm start`'s server sends with every response: isolation, the CSP,
 * no MIME sniffing, no referrer. (The dev server and the test runner's page
 * rely on inline scripts, so they get isolation only.)
 */
const headers = {
  ...isolation,
  'Content-Security-Policy': CONTENT_SECURITY_POLICY_HEADER,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

/**
 * The offline shell: a service worker (workers/sw.ts) that precaches the
 * page, the worker, the ORT runtime and the OCR models, and a manifest that
 * makes the page installable. Weights are never precached: they live in the
 * IndexedDB weight cache.
 */
const offline = VitePWA({
  strategies: 'injectManifest',
  srcDir: 'workers',
  filename: 'sw.ts',
  injectRegister: false,
  // The glob below already lists the icons.
  includeManifestIcons: false,
  manifest: {
    name: 'MetaCaptioner — private captions on your GPU',
    short_name: 'MetaCaptioner',
    description: 'Caption images privately, on your own GPU. Nothing is uploaded.',
    theme_color: '#1f3b73',
    background_color: '#f6f7f9',
    display: 'standalone',
    icons: [
      { src: 'icon-192.png', sizes: '192x192', type: 'image/png' },
      { src: 'icon-512.png', sizes: '512x512', type: 'image/png' },
      { src: 'icon-512-maskable.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
      { src: 'icon.svg', sizes: 'any', type: 'image/svg+xml' },
    ],
  },
  injectManifest: {
    rollupFormat: 'iife',
    globPatterns: ['**/*.{html,js,mjs,css,wasm,svg,png,webmanifest,onnx,txt}'],
    // The ORT runtime (27 MB) and the OCR recogniser (11 MB) must be in the shell.
    maximumFileSizeToCacheInBytes: 64 * 1024 * 1024,
  },
  devOptions: { enabled: false },
});

export default defineConfig({
  plugins: [cspMeta(), ocrAssets(), ocrAssetSizes(), offline],
  server: { headers: isolation },
  preview: { headers, host: '127.0.0.1' },
  // Workers are built with these plugins only: the worker reads the OCR sizes.
  worker: { format: 'es', plugins: () => [ocrAssetSizes()] },
  // Pre-bundling breaks their dynamic wasm/worker imports; serve them as they ship.
  optimizeDeps: { exclude: ['@huggingface/transformers', 'onnxruntime-web'] },
  build: { target: 'es2022', chunkSizeWarningLimit: 2048 },
});
