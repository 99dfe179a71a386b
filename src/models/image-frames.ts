/**
 * Several images in one prompt for the Qwen2-VL image processor (Qwen2-VL
 * through Qwen3.5). In transformers.js 4.3.2 it stacks the images of one
 * call as the temporal frames of a single image (docs/model-families.md):
 * three video frames fail ("dims[0] must be an integer"), two merge into
 * one. Its processor and vision encoder do take several images, as their
 * patches concatenated with one `image_grid_thw` row each, so each image
 * is preprocessed alone and the results are joined that way.
 */
import { type Processor, type RawImage, type Tensor, cat } from '@huggingface/transformers';
import { movedInternal } from './moved-internal';

type ImageOutputs = Record<string, unknown> & { pixel_values: Tensor; image_grid_thw: Tensor };
type ImageProcessorCall = (images: RawImage[], ...rest: unknown[]) => Promise<ImageOutputs>;

/** True for image processors that cut images into temporal patches (the Qwen2-VL family). */
function stacksFrames(images: unknown): boolean {
  const config: unknown = images && Reflect.get(images, 'config');
  return (
    typeof config === 'object' && config !== null && typeof Reflect.get(config, 'temporal_patch_size') === 'number'
  );
}

/**
 * Makes the processor preprocess several images one by one and join them,
 * where it would stack them. `required`: the model is of the Qwen-VL family
 * (it would stack), so a processor this cannot wrap is a load error: the
 * change would otherwise switch off unseen and break several-frame prompts.
 */
export function preprocessImagesApart(processor: Processor, required = false): void {
  const host = (processor as unknown as { components?: { image_processor?: ImageProcessorCall } }).components;
  const preprocess = host?.image_processor;
  if (!host || !preprocess || !stacksFrames(preprocess)) {
    if (!required) return;
    throw movedInternal('the Qwen2-VL image processor component this app joins several images with', 'image-frames.ts');
  }
  // A proxy, not a new function: processors read the image processor's own fields (`config`, sizes).
  host.image_processor = new Proxy(preprocess, {
    apply: async (fn, self, [images, ...rest]: [RawImage[], ...unknown[]]) => {
      if (!Array.isArray(images) || images.length < 2) return Reflect.apply(fn, self, [images, ...rest]);
      const each: ImageOutputs[] = [];
      for (const image of images) each.push(await Reflect.apply(fn, self, [[image], ...rest]));
      const joined = (key: string) => each.flatMap((o) => (Array.isArray(o[key]) ? (o[key] as unknown[]) : []));
      return {
        ...each[0],
        pixel_values: cat(
          each.map((o) => o.pixel_values),
          0,
        ),
        image_grid_thw: cat(
          each.map((o) => o.image_grid_thw),
          0,
        ),
        original_sizes: joined('original_sizes'),
        reshaped_input_sizes: joined('reshaped_input_sizes'),
      };
    },
  });
}
