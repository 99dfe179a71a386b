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
} from '@huggingface/transformers';
import { ModelLoadError } from '../shared/errors';
import type { DeviceKind, DtypeChoice, ModelSpec } from '../shared/model-spec';
import { yieldBetweenSteps } from './runtime/event-loop';
import {
  type GenerateOptions,
  type Generation,
  type ModelInputs,
  type TextGenerator,
  generateTokens,
} from './generation';
import { type ImageWork, reuseImageWork } from './image-reuse';
import { loadParts, loadingModel, pretrainedOptions } from './pretrained';
import type { ProgressCallback } from './progress';

/** A loaded VLM. */
export class Vlm implements TextGenerator {
  /** Image preprocessing and vision encoder runs so far: each image's are done once, however many prompts. */
  readonly imageWork: ImageWork;

  private constructor(
    readonly spec: ModelSpec,
    private readonly processor: Processor,
    private readonly model: PreTrainedModel,
    reuseImages: boolean,
  ) {
    this.imageWork = reuseImageWork(processor, model, reuseImages);
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
    const options = pretrainedOptions(spec, device, dtype, progress);
    return loadingModel(spec, device, async () => {
      const [processor, model] = await loadParts([
        AutoProcessor.from_pretrained(spec.repo, options.files),
        AutoModelForVision2Seq.from_pretrained(spec.repo, options.model),
      ]);
      yieldBetweenSteps(model);
      return new Vlm(spec, processor, model, reuseImages);
    });
  }

  /**
   * Answers a prompt about images (several: video frames in order; none: a text-only prompt). Pass the
   * same image objects again for another prompt about them: their preprocessing and features are reused.
   */
  async generate(images: readonly RawImage[], options: GenerateOptions): Promise<Generation> {
    const tokenizer = this.processor.tokenizer;
    if (!tokenizer) throw new ModelLoadError(`${this.spec.repo} has no tokenizer`);
    const text = { type: 'text', text: options.prompt };
    const content = [...images.map(() => ({ type: 'image' })), text];
    const prompt = this.processor.apply_chat_template([{ role: 'user', content }], { add_generation_prompt: true });
    if (typeof prompt !== 'string') throw new Error('chat template did not produce text');
    // The Idefics3 processor requires images; text-only prompts go straight to the tokenizer.
    const inputs: ModelInputs = images.length ? await this.processor(prompt, [...images]) : tokenizer(prompt);
    return generateTokens(this.model, tokenizer, inputs, options);
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
