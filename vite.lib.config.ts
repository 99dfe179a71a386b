/**
 * The library build (`npm run build:lib` → `dist-lib/`): `index.js`
 * (createCaptioner, types, errors, presets), `element.js`
 * (`<meta-captioner>`), the worker chunk, the ONNX runtime files and the OCR
 * models, with every asset and worker URL relative to the module that uses
 * it (`base: './'` makes Vite write `new URL(…, import.meta.url)`), so a copy
 * of the folder works under any path of any site.
 *
 * Not Vite's library mode: it inlines every asset as base64, which would put
 * the 27 MB ONNX runtime inside the worker script. This is an ordinary
 * multi-entry build that keeps its entries' exports.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type Plugin, defineConfig } from 'vite';
import { ocrAssetSizes, ocrAssets } from './vite-ocr-assets.ts';

const LIT_NODE_MAIN: Record<string, string> = {
  '@lit/reactive-element': 'reactive-element.js',
  'lit-html': 'lit-html.js',
};

/**
 * Lit's "node" builds are its browser builds plus guards for a missing DOM
 * (`HTMLElement`, `document`); bundling them makes `element.js` importable
 * during server-side rendering, and they behave the same in browsers.
 */
function serverSafeLit(): Plugin {
  return {
    name: 'metacaptioner:server-safe-lit',
    enforce: 'pre',
    resolveId(id) {
      const match = /^(@lit\/reactive-element|lit-html)(?:\/(.+))?$/.exec(id);
      const pkg = match?.[1];
      if (!pkg) return null;
      const file = join(process.cwd(), 'node_modules', pkg, 'node', match?.[2] ?? LIT_NODE_MAIN[pkg] ?? '');
      return existsSync(file) ? file : null;
    },
  };
}

export default defineConfig({
  base: './',
  publicDir: false,
  plugins: [serverSafeLit(), ocrAssets(), ocrAssetSizes()],
  // Workers are built with these plugins only: the worker reads the OCR sizes.
  worker: { format: 'es', plugins: () => [ocrAssetSizes()] },
  build: {
    outDir: 'dist-lib',
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 2048,
    rollupOptions: {
      input: { index: 'src/index.ts', element: 'src/element/index.ts' },
      preserveEntrySignatures: 'strict',
      output: {
        entryFileNames: '[name].js',
        chunkFileNames: 'chunks/[name]-[hash].js',
        assetFileNames: 'assets/[name]-[hash][extname]',
      },
    },
  },
});
