/**
 * Where the worker finds the files that ship with the app or the library:
 * the ORT runtime (`.mjs` factory and `.wasm`) and the bundled OCR models.
 * By default they sit next to the worker's own script, as every build lays
 * them out (`assets/` holds the worker and the runtime, `ocr/` is beside
 * it), so a copy of the build works under any path. An embedding site that
 * moved them passes `assetsBase`: the folder holding that `assets/` and `ocr/`.
 */
// Vite serves these from our own origin (hashed assets in the build); they are
// the onnxruntime-web that transformers.js imports, one version pinned exactly
// in package.json and checked at every load (runtime/versions.ts).
import ortMjsUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.mjs?url';
import ortWasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url';
import ocrSizes from 'virtual:ocr-asset-sizes';

/** The files of the bundled OCR model. */
export const OCR_ASSETS = Object.freeze(['det.onnx', 'rec.onnx', 'cls.onnx', 'keys.txt'] as const);

/** One of {@link OCR_ASSETS}. */
export type OcrAsset = (typeof OCR_ASSETS)[number];

/**
 * The byte size of each bundled OCR file, recorded when this bundle was
 * built from the very files it ships, so the download plan needs no network
 * for them; null only for a file the build did not know.
 */
export const OCR_ASSET_BYTES: Readonly<Record<OcrAsset, number | null>> = Object.freeze(
  Object.fromEntries(OCR_ASSETS.map((name) => [name, ocrSizes[name] ?? null])) as Record<OcrAsset, number | null>,
);

/** Absolute URLs of the shipped files. */
export interface AssetLocations {
  readonly ortMjs: string;
  readonly ortWasm: string;
  ocr(name: OcrAsset): string;
}

function fileName(url: string): string {
  return new URL(url, self.location.href).pathname.split('/').pop() ?? url;
}

/** The shipped files' URLs, next to this worker or under `assetsBase`. */
export function assetLocations(assetsBase?: string): AssetLocations {
  const here = self.location.href;
  if (!assetsBase) {
    return {
      ortMjs: new URL(ortMjsUrl, here).href,
      ortWasm: new URL(ortWasmUrl, here).href,
      ocr: (name) => new URL(`../ocr/${name}`, here).href,
    };
  }
  const base = new URL(assetsBase.endsWith('/') ? assetsBase : `${assetsBase}/`, here);
  return {
    ortMjs: new URL(`assets/${fileName(ortMjsUrl)}`, base).href,
    ortWasm: new URL(`assets/${fileName(ortWasmUrl)}`, base).href,
    ocr: (name) => new URL(`ocr/${name}`, base).href,
  };
}
