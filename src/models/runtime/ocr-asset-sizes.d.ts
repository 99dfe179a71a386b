/**
 * The bundled OCR files' byte sizes by file name, recorded at build time by
 * the `ocrAssetSizes` Vite plugin (vite-ocr-assets.ts), so the download plan
 * knows them offline.
 */
declare module 'virtual:ocr-asset-sizes' {
  const sizes: Readonly<Record<string, number>>;
  export default sizes;
}
