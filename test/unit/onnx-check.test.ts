/**
 * The structural ONNX check that names a model's bad file: real models
 * (forged ones and the shipped PP-OCR weights) pass in any chunking; a
 * truncated file, an HTML error page, random bytes and an empty file each
 * get their own reason.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { checkedOnnx } from '../../src/models/runtime/onnx-check';
import { writeSmolVlm } from '../fixtures/forge/models';
import { ocrModelFiles } from '../support/ocr-models';

/** The bytes as a stream of `size`-byte chunks. */
function streamOf(bytes: Uint8Array, size: number): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.subarray(at, at + size));
      at += size;
    },
  });
}

/** Reads the bytes through the download check; the error it raised, or null when they pass. */
async function onnxProblem(body: ReadableStream<Uint8Array>): Promise<string | null> {
  const url = 'https://models.example/org/m/resolve/main/onnx/model.onnx';
  try {
    await checkedOnnx(url, new Response(body)).arrayBuffer();
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mc-onnx-check-'));
  writeSmolVlm(dir);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('checkedOnnx', () => {
  test('real models pass, whole or in chunks of any size', async () => {
    const files = [
      ...readdirSync(join(dir, 'onnx')).map((f) => join(dir, 'onnx', f)),
      ocrModelFiles().det,
      ocrModelFiles().rec,
      ocrModelFiles().cls,
    ];
    expect(files.length).toBe(6);
    for (const file of files) {
      const bytes = new Uint8Array(readFileSync(file));
      // Byte-by-byte for the small forged graphs; the OCR weights (megabytes) in page-sized chunks.
      const sizes = bytes.length < 100_000 ? [1, 7, bytes.length] : [4093, 64 * 1024, bytes.length];
      for (const size of sizes) {
        expect(await onnxProblem(streamOf(bytes, size)), `${file} in ${size}-byte chunks`).toBeNull();
      }
    }
  });

  test('a truncated file, an HTML page, noise and an empty file each say what is wrong', async () => {
    const model = new Uint8Array(readFileSync(ocrModelFiles().det));
    expect(await onnxProblem(streamOf(model.subarray(0, model.length - 1000), 4096))).toMatch(/truncated/);
    const html = new TextEncoder().encode('<!doctype html><html><body>Not found</body></html>');
    expect(await onnxProblem(streamOf(html, 16))).toMatch(/unexpected field .*not an ONNX model/);
    const noise = new Uint8Array(4096).map((_, i) => (i * 2654435761) >>> 24);
    expect(await onnxProblem(streamOf(noise, 512))).toMatch(/not an ONNX model|truncated/);
    expect(await onnxProblem(streamOf(new Uint8Array(0), 1))).toMatch(
      /^onnx\/model\.onnx from models\.example is empty /,
    );
  });
});
