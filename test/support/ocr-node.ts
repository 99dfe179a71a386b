/** The OCR pipeline on onnxruntime-node (the CLI's), for Node tests and as the reference the browser must match. */
export { type NodeOcr, createNodeOcr } from '../../src/cli/node-ocr.ts';
