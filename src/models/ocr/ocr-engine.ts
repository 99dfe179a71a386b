/**
 * The OCR tool in the worker: PP-OCRv4 sessions on onnxruntime-web (the same
 * ORT instance transformers.js uses, so the self-hosted wasm and WebGPU
 * device are shared), weights served by the app itself and kept in the
 * weight cache like any model, so OCR works offline after the first use.
 */
import * as ort from 'onnxruntime-web/webgpu';
import type { DeviceKind } from '../../shared/model-spec';
import type { AssetLocations } from '../runtime/assets';
import type { WeightCache } from '../cache/weight-cache';
import { alphabetFrom } from './ctc';
import type { RgbImage } from './image';
import { type OcrLine, type OcrRuntime, readText } from './ocr';

/** How the bundled OCR model is named in events, traces and the cache listing. */
export const OCR_MODEL_NAME = 'PP-OCRv4 (bundled)';

/**
 * A file's bytes from the weight cache, else from the app (then stored).
 * `stored` is false when the copy could not be kept: the model must not
 * then count as complete. A damaged cached copy is fetched again.
 */
async function cachedBytes(cache: WeightCache, url: string): Promise<{ bytes: ArrayBuffer; stored: boolean }> {
  const hit = await cache.match(url);
  const cached = hit ? await hit.arrayBuffer().catch(() => null) : null;
  if (cached) return { bytes: cached, stored: true };
  const response = await fetch(url);
  if (!response.ok) throw new Error(`could not fetch ${url}: HTTP ${response.status}`);
  const bytes = await response.arrayBuffer();
  const stored = await cache.put(url, new Response(bytes, { headers: response.headers })).then(
    () => true,
    () => false,
  );
  return { bytes, stored };
}

/** Loaded OCR networks and alphabet. */
export class OcrEngine implements OcrRuntime {
  private constructor(
    readonly device: DeviceKind,
    private readonly det: ort.InferenceSession,
    private readonly rec: ort.InferenceSession,
    private readonly cls: ort.InferenceSession,
    private readonly alphabet: readonly string[],
  ) {}

  /** Loads the three networks on `device`. */
  static async load(cache: WeightCache, device: DeviceKind, assets: AssetLocations): Promise<OcrEngine> {
    const folder = new URL('.', assets.ocr('keys.txt')).href;
    await cache.track(folder, OCR_MODEL_NAME, 'app');
    const files = await Promise.all([
      cachedBytes(cache, assets.ocr('det.onnx')),
      cachedBytes(cache, assets.ocr('rec.onnx')),
      cachedBytes(cache, assets.ocr('cls.onnx')),
      cachedBytes(cache, assets.ocr('keys.txt')),
    ]);
    const [det, rec, cls, keys] = files.map((f) => f.bytes);
    if (!det || !rec || !cls || !keys) throw new Error('the OCR model files are incomplete');
    const options: ort.InferenceSession.SessionOptions = { executionProviders: [device] };
    // Sequential: ORT's web backend does not support creating sessions concurrently.
    const detSession = await ort.InferenceSession.create(new Uint8Array(det), options);
    const recSession = await ort.InferenceSession.create(new Uint8Array(rec), options);
    const clsSession = await ort.InferenceSession.create(new Uint8Array(cls), options);
    if (files.every((f) => f.stored)) await cache.markComplete(folder);
    return new OcrEngine(device, detSession, recSession, clsSession, alphabetFrom(new TextDecoder().decode(keys)));
  }

  async run(model: 'det' | 'rec' | 'cls', input: Float32Array, dims: readonly number[]) {
    const session = this[model];
    const output = await session.run({ [session.inputNames[0] ?? 'x']: new ort.Tensor('float32', input, [...dims]) });
    const tensor = output[session.outputNames[0] ?? ''];
    if (!tensor) throw new Error(`OCR ${model} network produced no output`);
    return { data: tensor.data as Float32Array, dims: tensor.dims };
  }

  /** Lines of text in reading order; `onProgress` follows the lines read of those found. */
  read(image: RgbImage, onProgress?: (done: number, total: number) => void): Promise<OcrLine[]> {
    return readText(image, this, this.alphabet, undefined, onProgress);
  }

  /** Frees the sessions. */
  async dispose(): Promise<void> {
    await Promise.all([this.det.release(), this.rec.release(), this.cls.release()]);
  }
}
