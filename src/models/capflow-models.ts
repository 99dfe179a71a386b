/** Adapts the loaded model wrappers to the CapFlow engine's injected `CapflowModels` interface. */
import { type RawImage, StoppingCriteria } from '@huggingface/transformers';
import type { CapflowModels, StepOptions } from '../capflow/workflow';
import type { OcrLine } from '../shared/ocr';
import type { ClipModel } from './clip-model';
import type { GenerateOptions, TextGenerator } from './generation';
import type { Vlm } from './vlm';

/** The engine's cancel signal as transformers.js stopping criteria (anything else is ignored). */
const stoppingOf = (options: Pick<StepOptions, 'stopping'>) =>
  options.stopping instanceof StoppingCriteria ? options.stopping : undefined;

function generation(prompt: string, options: StepOptions): GenerateOptions {
  const { maxNewTokens, onText, sampling } = options;
  return { prompt, maxNewTokens, stopping: stoppingOf(options), onText, sampling };
}

type Router = NonNullable<CapflowModels<RawImage>['router']>;

/**
 * One router adapter per loaded router model: the router caches its prompt
 * embeddings per adapter object, so a fresh adapter per job would embed
 * every domain prompt again for every image.
 */
const routers = new WeakMap<ClipModel, Router>();

function routerOf(router: ClipModel): Router {
  let adapter = routers.get(router);
  if (!adapter) {
    adapter = {
      name: router.spec.repo,
      embedTexts: (t) => router.embedTexts(t),
      embedImage: (i) => router.embedImage(i),
    };
    routers.set(router, adapter);
  }
  return adapter;
}

/** The models of a loaded session, as CapFlow sees them. */
export function capflowModels(
  vlm: Vlm,
  llm: TextGenerator & { readonly spec: { readonly repo: string } },
  router: ClipModel | null,
  ocr: {
    readonly name: string;
    read(image: RawImage, onProgress?: (done: number, total: number) => void): Promise<readonly OcrLine[]>;
  } | null,
): CapflowModels<RawImage> {
  return {
    vlm: {
      name: vlm.spec.repo,
      maxImages: vlm.spec.maxImagesPerPrompt,
      generate: (images, prompt, options) => vlm.generate(images, generation(prompt, options)),
      ...(vlm.batching.batched
        ? {
            generateBatch: (images, prompts, options) =>
              vlm.generateBatch(images, prompts, {
                stopping: stoppingOf(options),
                sampling: options.sampling,
                onText: options.onText,
              }),
          }
        : { unbatched: vlm.batching.reason }),
    },
    llm: { name: llm.spec.repo, generateText: (prompt, options) => llm.generateText(generation(prompt, options)) },
    ...(router && { router: routerOf(router) }),
    ...(ocr && { ocr }),
  };
}
