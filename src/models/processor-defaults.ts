/**
 * The reference image processors' defaults, for settings an export's
 * `preprocessor_config.json` leaves out. Python transformers fills an
 * absent setting from the processor class; transformers.js 4.3.2
 * (`ImageProcessor` constructor, image_processors_utils.js) copies
 * `config.do_normalize` as it is (absent: no normalisation) and takes
 * bilinear for an absent `resample`. The real Qwen3.5 exports' config
 * states neither (test/fixtures/real/…/preprocessor_config.json), so pixels
 * reached the vision encoder in [0, 1] where the model was trained on
 * [−1, 1] (a black pixel 0 instead of −1), resized bilinearly instead of
 * bicubically. Reference statistics are recorded in
 * test/fixtures/real/reference/ and compared in the tests.
 *
 * Values are the class attributes of transformers 5.18.0
 * (`models/<family>/image_processing_<family>.py`); `resample` uses PIL's
 * numbering, which transformers.js shares (3 = bicubic, 1 = lanczos).
 */
/** Settings the reference class supplies when a config is silent. */
export interface ImageProcessorDefaults {
  readonly do_resize: boolean;
  readonly resample: number;
  readonly do_rescale: boolean;
  readonly rescale_factor: number;
  readonly do_normalize: boolean;
  readonly image_mean: readonly number[];
  readonly image_std: readonly number[];
  readonly do_convert_rgb: boolean;
}

const OPENAI_CLIP = Object.freeze({
  image_mean: Object.freeze([0.48145466, 0.4578275, 0.40821073]),
  image_std: Object.freeze([0.26862954, 0.26130258, 0.27577711]),
});
const IMAGENET_STANDARD = Object.freeze({
  image_mean: Object.freeze([0.5, 0.5, 0.5]),
  image_std: Object.freeze([0.5, 0.5, 0.5]),
});
const COMMON = Object.freeze({
  do_resize: true,
  do_rescale: true,
  rescale_factor: 1 / 255,
  do_normalize: true,
  do_convert_rgb: true,
});

/** Reference defaults by image processor class (a `Fast` suffix names the same defaults). */
export const IMAGE_PROCESSOR_DEFAULTS = Object.freeze({
  Qwen2VLImageProcessor: { ...COMMON, resample: 3, ...OPENAI_CLIP },
  Idefics3ImageProcessor: { ...COMMON, resample: 1, ...IMAGENET_STANDARD },
  CLIPImageProcessor: { ...COMMON, resample: 3, ...OPENAI_CLIP },
} as const satisfies Record<string, ImageProcessorDefaults>);

/** The reference defaults for a config's `image_processor_type`, or null for a class we have none for. */
export function referenceDefaults(type: unknown): ImageProcessorDefaults | null {
  if (typeof type !== 'string') return null;
  const name = type.replace(/Fast$/, '');
  return Object.hasOwn(IMAGE_PROCESSOR_DEFAULTS, name)
    ? IMAGE_PROCESSOR_DEFAULTS[name as keyof typeof IMAGE_PROCESSOR_DEFAULTS]
    : null;
}

/**
 * Fills every setting a loaded image processor's config leaves out with
 * the reference class's default (a processor's `image_processor`, or one
 * loaded alone). Settings the config states are kept as they are. Returns
 * the names filled (the tests read them).
 */
export function applyReferenceDefaults(images: unknown): string[] {
  if ((typeof images !== 'object' && typeof images !== 'function') || images === null) return [];
  const config: unknown = Reflect.get(images, 'config');
  if (typeof config !== 'object' || config === null) return [];
  const defaults = referenceDefaults(Reflect.get(config, 'image_processor_type'));
  if (!defaults) return [];
  const filled: string[] = [];
  for (const [key, value] of Object.entries(defaults)) {
    // `mean`/`std` are transformers.js's other names for the normalisation constants.
    const stated =
      Object.hasOwn(config, key) ||
      (key === 'image_mean' && Object.hasOwn(config, 'mean')) ||
      (key === 'image_std' && Object.hasOwn(config, 'std'));
    if (stated) continue;
    Reflect.set(images, key, Array.isArray(value) ? [...value] : value);
    filled.push(key);
  }
  return filled;
}
