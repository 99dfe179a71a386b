/**
 * Vite plugin: serves the ONNX Runtime wasm files transformers.js needs at
 * `<base>ort/` in dev and copies them into the build, so the app never asks
 * a CDN for them. The files come straight from node_modules, so the version
 * always matches the onnxruntime-web that transformers.js imports.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Plugin } from 'vite';

const FILES = ['ort-wasm-simd-threaded.asyncify.mjs', 'ort-wasm-simd-threaded.asyncify.wasm'] as const;

function ortDist(): string {
  const require = createRequire(import.meta.url);
  // The package's "exports" hide package.json; resolve a dist file instead.
  return dirname(require.resolve('onnxruntime-web/webgpu'));
}

/** The plugin. */
export function selfHostedOrt(): Plugin {
  let base = '/';
  return {
    name: 'metacaptioner:self-hosted-ort',
    configResolved(config) {
      base = config.base;
    },
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const path = req.url?.split('?')[0] ?? '';
        const file = FILES.find((f) => path === `${base}ort/${f}`);
        if (!file) return next();
        res.setHeader('content-type', file.endsWith('.wasm') ? 'application/wasm' : 'text/javascript');
        res.setHeader('cross-origin-resource-policy', 'same-origin');
        res.end(readFileSync(join(ortDist(), file)));
      });
    },
    generateBundle() {
      for (const file of FILES) {
        this.emitFile({ type: 'asset', fileName: `ort/${file}`, source: readFileSync(join(ortDist(), file)) });
      }
    },
  };
}
