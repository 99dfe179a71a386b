import { defineConfig } from 'vite';
import { selfHostedOrt } from './scripts/ort-files';

/**
 * Cross-origin isolation (COOP/COEP) unlocks SharedArrayBuffer, hence
 * multi-threaded WASM inference; `credentialless` still lets the page fetch
 * model files from the hub or a mirror that sends CORS headers.
 */
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'credentialless',
};

export default defineConfig({
  plugins: [selfHostedOrt()],
  server: { headers: isolation },
  preview: { headers: isolation, host: '127.0.0.1' },
  worker: { format: 'es' },
  // Pre-bundling breaks their dynamic wasm/worker imports; serve them as they ship.
  optimizeDeps: { exclude: ['@huggingface/transformers', 'onnxruntime-web'] },
  build: { target: 'es2022', chunkSizeWarningLimit: 2048 },
});
