/**
 * Image work done once per image, not once per prompt. A CapFlow job asks
 * the VLM about the same image 5–9 times (router question, agents, judge
 * attempts); transformers.js would resize and normalise it and run the
 * vision encoder again for each. Every VLM processor in transformers.js 4.3
 * calls `this.image_processor(images, …)` and every image-text model's
 * forward pass calls `this.encode_image(inputs)` on the first step
 * (`generic_text_to_text_forward`), so both are wrapped on the loaded
 * instances:
 * - the processor's image outputs are kept per image objects (a WeakMap on
 *   the first image: freed with the job's images);
 * - the encoder's features are kept per `pixel_values` tensor, which the
 *   kept processor outputs hand out again unchanged.
 * The prompt text is still tokenised per call; only the image side is
 * shared, so the answers are exactly those without reuse.
 */
import { type PreTrainedModel, type Processor, type RawImage, type Tensor, cat } from '@huggingface/transformers';
import { movedInternal } from './moved-internal';

/** How much image work ran (for tests and the bench). */
export interface ImageWork {
  /** Image preprocessing runs (resize, normalise, split). */
  preprocessed: number;
  /** Vision encoder runs. */
  encoded: number;
}

type ImageProcessorCall = (images: RawImage[], ...rest: unknown[]) => Promise<Record<string, unknown>>;
type EncodeImage = (inputs: { pixel_values: Tensor }) => Promise<Tensor>;

/** Numbers each image object so a list of them has a key. */
function identities(): (image: object) => number {
  const ids = new WeakMap<object, number>();
  let next = 0;
  return (image) => {
    let id = ids.get(image);
    if (id === undefined) ids.set(image, (id = next++));
    return id;
  };
}

/** The reuse installed on one loaded VLM. */
export interface ImageReuse {
  readonly work: ImageWork;
  /**
   * Makes a batch whose rows all show `row`'s images (its pixel tensors concatenated `copies` times)
   * take `row`'s features, copied, instead of encoding every copy.
   */
  shareBatch(batchPixels: Tensor, row: { pixel_values: Tensor }, copies: number): void;
}

/** Wraps the processor's image processor and the model's image encoder to reuse their results. */
export function reuseImageWork(processor: Processor, model: PreTrainedModel, enabled = true): ImageReuse {
  const work: ImageWork = { preprocessed: 0, encoded: 0 };
  // `processor.image_processor` is a getter over `components`, so the component itself is replaced.
  const host = (processor as unknown as { components: { image_processor?: ImageProcessorCall } }).components;
  const target = model as unknown as { encode_image?: EncodeImage };
  const preprocess = host.image_processor;
  const encode = target.encode_image?.bind(model);
  if (!preprocess || !encode) {
    // Every VLM of 4.3.2 has both: without them each prompt would redo the image (about 3× slower), so say so.
    throw movedInternal('the image processor component or encode_image this app reuses', 'image-reuse.ts');
  }

  const idOf = identities();
  const processed = new WeakMap<object, Map<string, Promise<Record<string, unknown>>>>();
  const run = (images: RawImage[], rest: unknown[]) => {
    work.preprocessed += 1;
    return preprocess(images, ...rest);
  };
  // A proxy, not a new function: processors read the image processor's own fields (`config`, sizes).
  host.image_processor = new Proxy(preprocess, {
    apply: (_fn, _this, [images, ...rest]: [RawImage[], ...unknown[]]) => {
      const [first] = images;
      if (!enabled || !first) return run(images, rest);
      const key = `${images.map(idOf).join(',')}|${JSON.stringify(rest)}`;
      let byKey = processed.get(first);
      if (!byKey) processed.set(first, (byKey = new Map()));
      let out = byKey.get(key);
      if (!out) {
        const kept = byKey;
        out = run(images, rest);
        kept.set(key, out);
        // A failed run is not kept: the next call tries again.
        out.catch(() => kept.delete(key));
      }
      return out;
    },
  });

  const features = new WeakMap<Tensor, Promise<Tensor>>();
  const encodeOnce: EncodeImage = (inputs) => {
    const pixels = inputs.pixel_values;
    let out = enabled ? features.get(pixels) : undefined;
    if (!out) {
      work.encoded += 1;
      out = encode(inputs);
      if (enabled) {
        features.set(pixels, out);
        out.catch(() => features.delete(pixels));
      }
    }
    return out;
  };
  target.encode_image = encodeOnce;
  return {
    work,
    shareBatch(batchPixels, row, copies) {
      if (!enabled) return;
      const shared = encodeOnce(row).then((f) =>
        cat(
          Array.from({ length: copies }, () => f),
          0,
        ),
      );
      features.set(batchPixels, shared);
    },
  };
}
