/**
 * A cheap structural check of ONNX files as they download: the top-level
 * fields of the `ModelProto` message are walked as the bytes stream past
 * (each field's body skipped, nothing held), so a file that is not a model
 * (a proxy's error page, a broken upload, a cut transfer) is refused by
 * name before onnxruntime sees it. That matters twice over: ORT's own error
 * ("protobuf parsing failed") does not say which of a model's files is at
 * fault, and transformers.js chains every session creation of a worker on
 * one promise, so one failed creation fails every later one.
 */

import { fileOfUrl } from '../../shared/model-files';

/** `ModelProto` field numbers (onnx.proto): ir_version … functions. */
const MODEL_FIELDS = new Set([1, 2, 3, 4, 5, 6, 7, 8, 14, 20, 25]);
/** The graph field: a model without one is not a model. */
const GRAPH_FIELD = 7;

/** Walks a `ModelProto`'s top-level fields chunk by chunk. */
export class OnnxWalker {
  private offset = 0;
  /** Bytes of the current field's body still to skip. */
  private skip = 0;
  /** A varint being read (across chunks if need be), and what it is. */
  private value = 0;
  private scale = 1;
  private inVarint = false;
  private reading: 'tag' | 'length' | 'number' = 'tag';
  private graph = false;

  /** Reads the next bytes; returns why the file is not an ONNX model, or null so far. */
  push(chunk: Uint8Array): string | null {
    let i = 0;
    while (i < chunk.length) {
      if (this.skip > 0) {
        const step = Math.min(this.skip, chunk.length - i);
        this.skip -= step;
        i += step;
        continue;
      }
      const byte = chunk[i] ?? 0;
      i += 1;
      this.value += (byte & 0x7f) * this.scale;
      this.scale *= 128;
      this.inVarint = (byte & 0x80) !== 0;
      if (this.inVarint) {
        if (this.scale > 2 ** 63) return `has a malformed number at byte ${this.offset + i}: not an ONNX model`;
        continue;
      }
      const read = this.value;
      this.value = 0;
      this.scale = 1;
      if (this.reading === 'tag') {
        const field = Math.floor(read / 8);
        const wire = read % 8;
        if (!MODEL_FIELDS.has(field) || (wire !== 0 && wire !== 2)) {
          return `has an unexpected field (${field}, wire type ${wire}) at byte ${this.offset + i - 1}: not an ONNX model`;
        }
        if (field === GRAPH_FIELD) this.graph = true;
        this.reading = wire === 0 ? 'number' : 'length';
      } else {
        if (this.reading === 'length') this.skip = read;
        this.reading = 'tag';
      }
    }
    this.offset += chunk.length;
    return null;
  }

  /** After the last chunk: why the file is incomplete or not a model, or null when it holds. */
  end(): string | null {
    if (this.offset === 0) return 'is empty';
    if (this.skip > 0 || this.inVarint || this.reading !== 'tag') {
      return `ends inside a field after ${this.offset} bytes: it is truncated`;
    }
    return this.graph ? null : 'has no graph: not an ONNX model';
  }
}

/**
 * The response with its body checked as it streams: the read fails, naming
 * the file and why, as soon as the bytes stop being an ONNX model (so the
 * damaged file is neither handed to ORT nor stored).
 */
export function checkedOnnx(url: string, response: Response): Response {
  if (!response.body) return response;
  const walker = new OnnxWalker();
  const file = fileOfUrl(url);
  const { host } = new URL(url);
  const refuse = (problem: string) =>
    new Error(`${file} from ${host} ${problem} (a proxy’s error page or a broken upload?); it was not kept`);
  const body = response.body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        const problem = walker.push(chunk);
        if (problem) controller.error(refuse(problem));
        else controller.enqueue(chunk);
      },
      flush(controller) {
        const problem = walker.end();
        if (problem) controller.error(refuse(problem));
      },
    }),
  );
  return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
}
