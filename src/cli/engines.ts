/**
 * The CLI's two engines, both as the CapFlow engine's injected models over
 * {@link CliImage}: `local` runs the app's own model wrappers on
 * onnxruntime-node (the preset's models, weights cached on disk, or a
 * local model folder offline); `openai` asks OpenAI-compatible endpoints,
 * one per role, with bounded requests per endpoint. In both, the router
 * (when asked for) runs locally (a small CLIP model), and the OCR tool is
 * the bundled PP-OCR on this CPU (or, with `--ocr vlm`, the VLM asked to
 * transcribe).
 */
import { type RawImage, env } from '@huggingface/transformers';
import type { CapflowModels, StepOptions } from '../capflow/context';
import { capflowModels } from '../models/capflow-models';
import { ClipModel } from '../models/clip-model';
import { TextLlm } from '../models/text-llm';
import { Vlm } from '../models/vlm';
import type { ModelSpec } from '../shared/model-spec';
import type { CliImage } from './images';
import { Limiter } from './limiter';
import { createNodeOcr } from './node-ocr';
import { type ImageSettings, imageRequests } from './image-requests';
import { loadingRouter } from './offline-route';
import { ChatClient, type Endpoint, type RequestStats, prepareEndpoints } from './openai-client';
import type { RetryGate, RetryPolicy } from './retry';

/** Loaded models and how to free them. */
export interface Engine {
  readonly models: CapflowModels<CliImage>;
  /** Requests in flight at most, per endpoint URL (openai engine). */
  maxInFlight(): Record<string, number>;
  dispose(): Promise<void>;
}

/** Where the local engine finds models: the hub (or a mirror), cached on disk; or a folder, offline. */
export interface ModelPlace {
  readonly cacheDir: string;
  /** A folder holding `<org>/<name>/` model folders: nothing is downloaded. */
  readonly modelsDir?: string;
  /** A mirror of the model hub (same URL layout). */
  readonly host?: string;
}

/** Points transformers.js at the models: in Node it caches downloads in `cacheDir` itself. */
function placeModels(place: ModelPlace): void {
  env.cacheDir = place.cacheDir;
  env.useFSCache = true;
  if (place.modelsDir) {
    env.localModelPath = place.modelsDir.endsWith('/') ? place.modelsDir : `${place.modelsDir}/`;
    env.allowLocalModels = true;
    env.allowRemoteModels = false;
  } else {
    env.allowLocalModels = false;
    env.allowRemoteModels = true;
    if (place.host) env.remoteHost = place.host.endsWith('/') ? place.host : `${place.host}/`;
  }
}

/** The CapFlow models over RawImage, taking CLI images (their decoded pixels). */
function onPixels(models: CapflowModels<RawImage>): CapflowModels<CliImage> {
  const raw = (images: readonly CliImage[]) => images.map((i) => i.raw);
  const { vlm, router, ocr } = models;
  const batch = vlm.generateBatch?.bind(vlm);
  return {
    vlm: {
      name: vlm.name,
      maxImages: vlm.maxImages,
      generate: (images, prompt, options) => vlm.generate(raw(images), prompt, options),
      ...(vlm.unbatched && { unbatched: vlm.unbatched }),
      ...(batch && { generateBatch: (images, prompts, options) => batch(raw(images), prompts, options) }),
    },
    llm: models.llm,
    ...(router && {
      router: {
        name: router.name,
        embedTexts: (t) => router.embedTexts(t),
        embedImage: (i) => router.embedImage(i.raw),
      },
    }),
    ...(ocr && { ocr: { name: ocr.name, read: (i: CliImage) => ocr.read(i.raw) } }),
  };
}

/** The bundled PP-OCR on onnxruntime-node, as the OCR agent's tool. */
async function localOcr() {
  const ocr = await createNodeOcr();
  return {
    name: 'PP-OCRv4 (bundled)',
    read: (image: RawImage, onProgress?: (done: number, total: number) => void) => ocr.read(image.rgb(), onProgress),
  };
}

const log = () => {};

/** The router on this CPU, found through `place`; a failure names the ways out (offline-route.ts). */
export function loadRouter(spec: ModelSpec, place: ModelPlace): Promise<ClipModel> {
  placeModels(place);
  return loadingRouter(spec, place, () => ClipModel.load(spec, 'wasm', spec.dtypes.wasm, log));
}

/** The models of a run: the VLM, a separate text model (null: the VLM writes text too), the router (null: none). */
export interface LocalSpecs {
  readonly vlm: ModelSpec;
  readonly llm: ModelSpec | null;
  readonly router: ModelSpec | null;
}

/** The VLM on this machine's CPU (onnxruntime-node, at its WASM dtype plan), found through `place`. */
export function loadLocalVlm(spec: ModelSpec, place: ModelPlace): Promise<Vlm> {
  placeModels(place);
  return Vlm.load(spec, 'wasm', spec.dtypes.wasm, log);
}

/** The models on this machine's CPU (onnxruntime-node, each at its WASM dtype plan), loaded side by side. */
export async function localEngine(specs: LocalSpecs, place: ModelPlace): Promise<Engine> {
  const vlm = await loadLocalVlm(specs.vlm, place);
  const [llm, router, ocr] = await Promise.all([
    specs.llm ? TextLlm.load(specs.llm, 'wasm', specs.llm.dtypes.wasm, log) : null,
    specs.router ? loadRouter(specs.router, place) : null,
    localOcr(),
  ]);
  return {
    models: onPixels(capflowModels(vlm, llm ?? vlm, router, ocr)),
    maxInFlight: () => ({}),
    dispose: async () => {
      await Promise.all([vlm.dispose(), llm?.dispose(), router?.dispose()]);
    },
  };
}

/** Asks an endpoint about images, each made fit for it. */
type ImageSend = ReturnType<typeof imageRequests>;

/** The openai engine's settings (`images`, `imageFormats`: how images are fit for each endpoint). */
export interface OpenAiSettings extends ImageSettings {
  readonly vlm: Endpoint;
  readonly llm: Endpoint;
  readonly judge: Endpoint;
  /** Requests in flight at most per endpoint URL. */
  readonly concurrency: number;
  readonly timeoutMs: number;
  readonly retry: RetryPolicy;
  readonly stats: RequestStats;
  /** The OCR agent's tool: the bundled PP-OCR on this CPU, or the VLM asked to transcribe. */
  readonly ocr: 'local' | 'vlm';
  readonly signal?: AbortSignal;
  readonly fetch?: typeof fetch;
  /** The endpoints were found already (prepareEndpoints, during the readiness wait): used as given. */
  readonly prepared?: boolean;
  /** Ask for streamed answers (`--stream`). */
  readonly stream?: boolean;
  /** Where what was found about each endpoint (its kind, a missing /v1) is said; default stderr. */
  readonly notice?: (line: string) => void;
  /** Each endpoint URL's circuit breaker (breaker.ts), gating its requests' retries. */
  readonly breakers?: { for(endpoint: Endpoint): RetryGate };
}

/** What the VLM is asked when it stands in for the OCR tool. */
export const VLM_OCR_PROMPT =
  'Transcribe all the text in this image exactly, one line of text per line, top to bottom. Answer with the text only, or "No text." when there is none.';

/**
 * The VLM as the OCR tool: its transcription, one line each. It gives no
 * positions or confidences, so the lines carry none (NaN confidence: the
 * OCR note then shows only the text).
 */
function vlmOcr(chat: ChatClient, send: ImageSend) {
  return {
    name: `${chat.endpoint.model} (asked to transcribe)`,
    read: async (image: CliImage) => {
      const answer = await send(chat, [image], VLM_OCR_PROMPT, { maxTokens: 512 });
      return answer.text
        .split('\n')
        .map((t) => t.trim())
        .filter((t) => t && !/^no text\.?$/i.test(t))
        .map((text) => ({
          text,
          confidence: Number.NaN,
          box: { x: 0, y: 0, width: image.raw.width, height: image.raw.height },
          angle: 0,
        }));
    },
  };
}

/** Endpoints per role (each checked first), the router local when given, the OCR tool local or the VLM. */
export async function openAiEngine(
  settings: OpenAiSettings,
  router: { spec: ModelSpec; place: ModelPlace } | null,
): Promise<Engine> {
  const limiters = new Map<string, Limiter>();
  const client = (endpoint: Endpoint) => {
    let limiter = limiters.get(endpoint.url);
    if (!limiter) limiters.set(endpoint.url, (limiter = new Limiter(settings.concurrency)));
    const gate = settings.breakers?.for(endpoint);
    return new ChatClient(endpoint, {
      ...settings,
      limiter,
      retry: gate ? { ...settings.retry, gate } : settings.retry,
    });
  };
  // Each distinct endpoint is probed once (its API base, server kind and model), then used as found.
  const found = settings.prepared
    ? (e: Endpoint) => e
    : await prepareEndpoints([settings.vlm, settings.llm, settings.judge], settings);
  const [vlm, llm, judge] = [client(found(settings.vlm)), client(found(settings.llm)), client(found(settings.judge))];
  // Each image goes in the form its endpoint takes, encoded once and reused by every step (image-requests.ts).
  const send = imageRequests(settings);
  const asker = (chat: ChatClient) => ({
    name: chat.endpoint.model,
    generate: (images: readonly CliImage[], prompt: string, o: StepOptions) =>
      send(chat, images, prompt, { maxTokens: o.maxNewTokens, ...(o.sampling && { sampling: o.sampling }) }),
  });
  let clip: ClipModel | null = null;
  if (router) {
    clip = await loadRouter(router.spec, router.place);
  }
  const ocr = settings.ocr === 'local' ? await localOcr() : null;
  return {
    models: {
      vlm: asker(vlm),
      llm: {
        name: llm.endpoint.model,
        generateText: (prompt, o) => llm.chat(prompt, { maxTokens: o.maxNewTokens, sampling: o.sampling }),
      },
      judge: asker(judge),
      ...(clip && {
        router: {
          name: clip.spec.repo,
          embedTexts: (t: readonly string[]) => clip.embedTexts(t),
          embedImage: (i: CliImage) => clip.embedImage(i.raw),
        },
      }),
      ocr: ocr ? { name: ocr.name, read: (i) => ocr.read(i.raw) } : vlmOcr(vlm, send),
    },
    maxInFlight: () => Object.fromEntries([...limiters].map(([url, l]) => [url, l.maxInFlight])),
    dispose: async () => {
      await clip?.dispose();
    },
  };
}
