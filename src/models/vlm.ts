/**
 * The instruction VLM: loads processor + model for a spec through the
 * transformers.js Auto classes, and captions one image with streamed tokens.
 */
import {
  AutoModelForVision2Seq,
  AutoProcessor,
  type PreTrainedModel,
  type Processor,
  RawImage,
  type StoppingCriteria,
  StoppingCriteriaList,
  Tensor,
  TextStreamer,
} from '@huggingface/transformers';
import { ModelLoadError } from '../shared/errors';
import type { DeviceKind, DtypeChoice, ModelSpec } from '../shared/model-spec';
import type { ProgressCallback } from './progress';

/** One caption's text and token count. */
export interface Generation {
  readonly text: string;
  readonly tokens: number;
}

/** Generation knobs for one call. */
export interface GenerateOptions {
  readonly prompt: string;
  readonly maxNewTokens: number;
  readonly onText?: (text: string) => void;
  /** Checked between tokens; transformers.js stops generating when it says so. */
  readonly stopping?: StoppingCriteria;
}

/** A loaded VLM. */
export class Vlm {
  private constructor(
    readonly spec: ModelSpec,
    private readonly processor: Processor,
    private readonly model: PreTrainedModel,
  ) {}

  /** Loads processor and model; `dtype` may differ per session. */
  static async load(spec: ModelSpec, device: DeviceKind, dtype: DtypeChoice, progress: ProgressCallback): Promise<Vlm> {
    const common = { revision: spec.revision, progress_callback: progress };
    try {
      const [processor, model] = await Promise.all([
        AutoProcessor.from_pretrained(spec.repo, common),
        AutoModelForVision2Seq.from_pretrained(spec.repo, { ...common, device: executionDevice(device), dtype: typeof dtype === 'string' ? dtype : { ...dtype } }),
      ]);
      return new Vlm(spec, processor, model);
    } catch (err) {
      throw new ModelLoadError(`Could not load ${spec.repo}@${spec.revision} on ${device}: ${errorText(err)}`);
    }
  }

  /** Captions an image: chat-templated prompt with one image slot, greedy decoding. */
  async generate(image: RawImage, options: GenerateOptions): Promise<Generation> {
    const messages = [{ role: 'user', content: [{ type: 'image' }, { type: 'text', text: options.prompt }] }];
    const text = this.processor.apply_chat_template(messages, { add_generation_prompt: true });
    const inputs = await this.processor(text, [image]);
    const promptLength = inputs.input_ids.dims.at(-1) ?? 0;
    const tokenizer = this.processor.tokenizer;
    if (!tokenizer) throw new ModelLoadError(`${this.spec.repo} has no tokenizer`);
    const streamer = options.onText
      ? new TextStreamer(tokenizer, { skip_prompt: true, skip_special_tokens: true, callback_function: options.onText })
      : undefined;
    const stopping = new StoppingCriteriaList();
    if (options.stopping) stopping.push(options.stopping);
    const output = await this.model.generate({
      ...inputs,
      max_new_tokens: options.maxNewTokens,
      do_sample: false,
      streamer,
      stopping_criteria: stopping,
    });
    if (!(output instanceof Tensor)) throw new Error('generate() returned no token tensor');
    const generated = output.slice(null, [promptLength, output.dims.at(-1) ?? promptLength]);
    const [caption] = tokenizer.batch_decode(generated, { skip_special_tokens: true });
    return { text: (caption ?? '').trim(), tokens: generated.dims.at(-1) ?? 0 };
  }

  /** Runs one tiny generation so shaders compile and buffers exist before the user's first job. */
  async warmUp(): Promise<void> {
    const pixels = new Uint8ClampedArray(32 * 32 * 3).fill(128);
    await this.generate(new RawImage(pixels, 32, 32, 3), { prompt: 'Hi', maxNewTokens: 1 });
  }

  /** Frees the ONNX sessions (and their GPU buffers). */
  async dispose(): Promise<void> {
    await this.model.dispose();
  }
}

/**
 * The transformers.js device for a device kind. Outside a browser (Node:
 * tests and scripts) onnxruntime-node runs the CPU path that WASM runs in
 * the browser, under the name "cpu".
 */
export function executionDevice(device: DeviceKind): 'webgpu' | 'wasm' | 'cpu' {
  const inBrowser = 'importScripts' in globalThis || 'document' in globalThis;
  return device === 'wasm' && !inBrowser ? 'cpu' : device;
}

/** A readable reason from anything thrown. */
export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
