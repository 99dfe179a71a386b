/**
 * The instruction VLM: loads processor + model for a spec through the
 * transformers.js Auto classes, and captions one image with streamed tokens.
 * `AutoModelForImageTextToText` maps every VLM family of transformers.js
 * 4.3 (Idefics3/SmolVLM, Qwen2-VL…Qwen3.5, Florence-2, …);
 * `AutoModelForVision2Seq` maps only Idefics3/SmolVLM among them.
 */
import {
  AutoConfig,
  AutoModelForImageTextToText,
  AutoProcessor,
  type PreTrainedModel,
  type Processor,
  RawImage,
  Tensor,
} from '@huggingface/transformers';
import { type BatchingPolicy, FAMILY_BATCHING } from '../shared/batching';
import { ModelLoadError } from '../shared/errors';
import { followFamily } from '../shared/family-plan';
import { configFileFacts, familyOfModelType } from '../shared/model-files';
import type { DeviceKind, DtypeChoice, ModelSpec } from '../shared/model-spec';
import { yieldBetweenSteps } from './runtime/event-loop';
import {
  type GenerateOptions,
  type Generation,
  type ModelInputs,
  type TextGenerator,
  CHAT_OPTIONS,
  endTokens,
  generateTokens,
  runGenerate,
} from './generation';
import { RowStreamer, joinRows, rowTokens } from './batching';
import { preprocessImagesApart } from './image-frames';
import { type ImageReuse, type ImageWork, reuseImageWork } from './image-reuse';
import { chatTemplateFile } from './chat-template';
import { applyReferenceDefaults } from './processor-defaults';
import { resizeAsReference } from './qwen-resize';
import { fixTextOnlyRope, hasMultimodalRope } from './qwen-rope';
import { keepMaskWhileDecoding } from './decode-mask';
import { mergeInEmbeddingType } from './feature-types';
import { loadParts, loadingModel, pretrainedOptions } from './pretrained';
import type { ProgressCallback } from './progress';

/** The processor, with the repo's chat template file when its tokenizer config has none (see chat-template.ts). */
export async function loadProcessor(repo: string, options: Parameters<typeof AutoProcessor.from_pretrained>[1]) {
  const processor = await AutoProcessor.from_pretrained(repo, options);
  if (!processor.chat_template && !processor.tokenizer?.chat_template) {
    processor.chat_template = await chatTemplateFile(repo, options);
  }
  return processor;
}

/**
 * Caps the pixels a dynamic-resolution processor keeps (Qwen2-VL's image
 * processor, used by Qwen3-VL and Qwen3.5). Their configs allow images of
 * many megapixels: a 12 MP photo would become ~11,700 image tokens and
 * ~47,000 vision-encoder patches, past a browser GPU's memory.
 */
export function capImagePixels(processor: Processor, maxPixels: number | undefined): void {
  const images: unknown = processor.image_processor;
  // Image processors are callables: functions with fields.
  if (!maxPixels || (typeof images !== 'object' && typeof images !== 'function') || images === null) return;
  const current: unknown = Reflect.get(images, 'max_pixels');
  if (typeof current !== 'number') return;
  const max = Math.min(current, maxPixels);
  Reflect.set(images, 'max_pixels', max);
  const min: unknown = Reflect.get(images, 'min_pixels');
  if (typeof min === 'number') Reflect.set(images, 'min_pixels', Math.min(min, max));
}

/**
 * Makes a loaded processor's images what the reference processor gives the
 * model (the defaults its config leaves out, the reference's resize size and
 * resampling; see processor-defaults.ts and qwen-resize.ts), at most
 * `maxPixels` each.
 */
export function preprocessAsReference(processor: Processor, maxPixels: number | undefined): void {
  applyReferenceDefaults(processor.image_processor);
  resizeAsReference(processor.image_processor);
  capImagePixels(processor, maxPixels);
}

/** A loaded VLM. */
export class Vlm implements TextGenerator {
  /** Image preprocessing and vision encoder runs so far: each image's are done once, however many prompts. */
  readonly imageWork: ImageWork;
  /** Whether several prompts may run as one batch, by the loaded model's own family (see shared/batching.ts). */
  readonly batching: BatchingPolicy;
  private readonly reuse: ImageReuse;

  private constructor(
    readonly spec: ModelSpec,
    /** The dtype(s) loaded: the plan of the model's own family (see followFamily), not always the one asked for. */
    readonly dtype: DtypeChoice,
    private readonly processor: Processor,
    private readonly model: PreTrainedModel,
    reuseImages: boolean,
  ) {
    preprocessImagesApart(processor, hasMultimodalRope(model));
    this.reuse = reuseImageWork(processor, model, reuseImages);
    this.imageWork = this.reuse.work;
    // A repo overriding the role may be of another family than the spec's: its config decides.
    const family = familyOfModelType(Reflect.get(model.config, 'model_type')) ?? spec.family;
    this.batching = FAMILY_BATCHING[family];
  }

  /** Loads processor and model; `dtype` may differ per session. */
  static load(
    spec: ModelSpec,
    device: DeviceKind,
    dtype: DtypeChoice,
    progress: ProgressCallback,
    /** Off only to measure what reuse saves (the bench). */
    reuseImages = true,
  ): Promise<Vlm> {
    return loadingModel(spec, device, async () => {
      // A user's model may be of another family, whose own plan names its files: its config is read first.
      // A tier's own model is pinned (see followFamily), so its config is read with its sessions, side by
      // side with the processor, as from_pretrained does: no config ask ahead of every other file.
      const config = spec.familyFromConfig
        ? await AutoConfig.from_pretrained(spec.repo, pretrainedOptions(spec, device, dtype, progress).files)
        : undefined;
      const followed = followFamily(spec, device, dtype, config ? configFileFacts(config).family : null);
      const options = pretrainedOptions(followed.spec, device, followed.dtype, progress);
      const [processor, model] = await loadParts([
        loadProcessor(spec.repo, options.files),
        AutoModelForImageTextToText.from_pretrained(spec.repo, { ...options.model, config }),
      ]);
      fixTextOnlyRope(model);
      keepMaskWhileDecoding(model);
      mergeInEmbeddingType(model);
      yieldBetweenSteps(model);
      preprocessAsReference(processor, followed.spec.maxImagePixels);
      return new Vlm(followed.spec, followed.dtype, processor, model, reuseImages);
    });
  }

  /**
   * Answers a prompt about images (several: video frames in order; none: a text-only prompt). Pass the
   * same image objects again for another prompt about them: their preprocessing and features are reused.
   */
  async generate(images: readonly RawImage[], options: GenerateOptions): Promise<Generation> {
    return generateTokens(this.model, this.tokenizer(), await this.inputs(images, options.prompt), options);
  }

  /**
   * Answers several prompts about the same images in one batched generation
   * (see batching.ts); each prompt keeps its own token budget, and `onText`
   * streams each row's text by its index.
   */
  async generateBatch(
    images: readonly RawImage[],
    prompts: readonly { readonly prompt: string; readonly maxNewTokens: number }[],
    options: Omit<GenerateOptions, 'prompt' | 'maxNewTokens' | 'onText'> & {
      readonly onText?: (row: number, text: string) => void;
    },
  ): Promise<Generation[]> {
    const tokenizer = this.tokenizer();
    const rows = await Promise.all(prompts.map((p) => this.inputs(images, p.prompt)));
    const batch = joinRows(rows, tokenizer.pad_token_id ?? 0);
    const [row] = rows;
    const pixels = batch.pixel_values;
    if (row && pixels instanceof Tensor && row.pixel_values instanceof Tensor) {
      this.reuse.shareBatch(pixels, { pixel_values: row.pixel_values, ...row }, rows.length);
    }
    const budgets = prompts.map((p) => p.maxNewTokens);
    const eos = endTokens(this.model, tokenizer);
    const streamer = options.onText ? new RowStreamer(tokenizer, eos, budgets, options.onText) : undefined;
    const output = await runGenerate(this.model, batch, {
      maxNewTokens: Math.max(...budgets),
      stopping: options.stopping,
      sampling: options.sampling,
      streamer,
    });
    const width = batch.input_ids.dims.at(-1) ?? 0;
    return rowTokens(output, width, eos, budgets).map(({ tokens, ended }) => ({
      text: tokenizer.decode(tokens, { skip_special_tokens: true }).trim(),
      tokens: tokens.length + (ended ? 1 : 0),
    }));
  }

  private tokenizer() {
    const tokenizer = this.processor.tokenizer;
    if (!tokenizer) throw new ModelLoadError(`${this.spec.repo} has no tokenizer`);
    return tokenizer;
  }

  /** The model inputs for one prompt about `images` (their image side reused: see image-reuse.ts). */
  private async inputs(images: readonly RawImage[], prompt: string): Promise<ModelInputs> {
    const content = [...images.map(() => ({ type: 'image' })), { type: 'text', text: prompt }];
    const text = this.processor.apply_chat_template([{ role: 'user', content }], CHAT_OPTIONS);
    if (typeof text !== 'string') throw new Error('chat template did not produce text');
    // The Idefics3 processor requires images; text-only prompts go straight to the tokenizer.
    return images.length ? await this.processor(text, [...images]) : this.tokenizer()(text);
  }

  /** Text-only generation on the VLM's language model (a preset may use it as the summary LLM). */
  generateText(options: GenerateOptions): Promise<Generation> {
    return this.generate([], options);
  }

  /** Runs one tiny generation so shaders compile and buffers exist before the user's first job. */
  async warmUp(): Promise<void> {
    const pixels = new Uint8ClampedArray(32 * 32 * 3).fill(128);
    await this.generate([new RawImage(pixels, 32, 32, 3)], { prompt: 'Hi', maxNewTokens: 1 });
  }

  /** Frees the ONNX sessions (and their GPU buffers). */
  async dispose(): Promise<void> {
    await this.model.dispose();
  }
}
