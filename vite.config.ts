import { defineConfig } from 'vite';
import { ocrAssets } from './vite-ocr-assets.ts';

/**
 * Cross-origin isolation (COOP/COEP) unlocks SharedArrayBuffer, hence
 * multi-threaded WASM inference. `require-corp` works in every engine; model
 * files are fetched in CORS mode, which the hub and any usable mirror allow.
 */
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  plugins: [ocrAssets()],
  server: { headers: isolation },
  preview: { headers: isolation, host: '127.0.0.1' },
  worker: { format: 'es' },
  // Pre-bundling breaks their dynamic wasm/worker imports; serve them as they ship.
  optimizeDeps: { exclude: ['@huggingface/transformers', 'onnxruntime-web'] },
  build: { target: 'es2022', chunkSizeWarningLimit: 2048 },
});
