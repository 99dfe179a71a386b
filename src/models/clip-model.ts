/** The zero-shot image–text model (CLIP family) the domain router scores with. */
import {
  AutoImageProcessor,
  AutoTokenizer,
  CLIPTextModelWithProjection,
  CLIPVisionModelWithProjection,
  type ImageProcessor,
  type PreTrainedModel,
  type PreTrainedTokenizer,
  type RawImage,
  Tensor,
} from '@huggingface/transformers';
import type { DeviceKind, DtypeChoice, ModelSpec } from '../shared/model-spec';
import { applyReferenceDefaults } from './processor-defaults';
import { loadParts, loadingModel, pretrainedOptions } from './pretrained';
import type { ProgressCallback } from './progress';

function rows(tensor: unknown, name: string): number[][] {
  if (!(tensor instanceof Tensor) || tensor.dims.length !== 2) throw new Error(`${name}: expected a 2-D tensor`);
  const [n = 0, d = 0] = tensor.dims;
  const data = Array.from(tensor.data as Float32Array);
  return Array.from({ length: n }, (_, i) => data.slice(i * d, (i + 1) * d));
}

/** A loaded CLIP-style dual encoder. */
export class ClipModel {
  private constructor(
    readonly spec: ModelSpec,
    private readonly tokenizer: PreTrainedTokenizer,
    private readonly processor: ImageProcessor,
    private readonly text: PreTrainedModel,
    private readonly vision: PreTrainedModel,
  ) {}

  /** Loads both towers, tokenizer and image processor. */
  static load(spec: ModelSpec, device: DeviceKind, dtype: DtypeChoice, progress: ProgressCallback): Promise<ClipModel> {
    const options = pretrainedOptions(spec, device, dtype, progress);
    return loadingModel(spec, device, async () => {
      const [tokenizer, processor, text, vision] = await loadParts([
        AutoTokenizer.from_pretrained(spec.repo, options.files),
        AutoImageProcessor.from_pretrained(spec.repo, options.files),
        CLIPTextModelWithProjection.from_pretrained(spec.repo, options.model),
        CLIPVisionModelWithProjection.from_pretrained(spec.repo, options.model),
      ]);
      applyReferenceDefaults(processor);
      return new ClipModel(spec, tokenizer, processor, text, vision);
    });
  }

  /** Text embeddings, one row per text. */
  async embedTexts(texts: readonly string[]): Promise<number[][]> {
    const inputs = this.tokenizer([...texts], { padding: true, truncation: true });
    return rows((await this.text(inputs)).text_embeds, 'text_embeds');
  }

  /** The image embedding. */
  async embedImage(image: RawImage): Promise<number[]> {
    const [row] = rows((await this.vision(await this.processor(image))).image_embeds, 'image_embeds');
    if (!row) throw new Error('image_embeds: no row');
    return row;
  }

  /** Runs both towers once so kernels compile. */
  async warmUp(): Promise<void> {
    await this.embedTexts(['a photo']);
  }

  /** Frees both sessions. */
  async dispose(): Promise<void> {
    await Promise.all([this.text.dispose(), this.vision.dispose()]);
  }
}
