/**
 * The OpenAI-compatible serving engines the CLI meets, as frozen data: how
 * each turns a thinking model's thinking off, how it names its models, which
 * images it decodes, how much it accepts in one request, and how to tell it
 * from the others. Every entry cites the source it was read from (see also
 * docs and ../shared/REAL-WORLD.md); `openai` is the unknown server: nothing
 * server-specific is sent to it.
 */

/** A serving engine the CLI knows. */
export type ServerKind = 'vllm' | 'sglang' | 'ollama' | 'llamacpp' | 'tgi' | 'lmstudio' | 'openai';

/** How a server matches the `model` of a request against what it serves. */
export type NameRule =
  /** The listed id, exactly. */
  | 'exact'
  /** Ollama: `name` means `name:latest` (model.ParseName fills in the default tag). */
  | 'ollama-tag'
  /** llama.cpp: one model answers whatever the request names (its GGUF path is listed unless `--alias`). */
  | 'single-model'
  /** TGI: `"tgi"` (its docs' name) or the model id; another name is taken as a LoRA adapter id. */
  | 'tgi'
  /**
   * A server not told apart (behind a proxy that passes only `/v1`, say): the listed id, exactly; where a
   * known kind would take the name (Ollama's untagged `name`, llama.cpp's lone GGUF path), a warning.
   */
  | 'unsure';

/** What the CLI knows of one kind of server. */
export interface ServerKindSpec {
  readonly label: string;
  /** Fields added to every chat request to turn thinking off (empty: none is documented). */
  readonly thinkingOff: Readonly<Record<string, unknown>>;
  /** The switch in words, for notices and errors. */
  readonly thinkingOffWords: string | null;
  readonly names: NameRule;
  /** The server answers the OpenAI API only under `/v1` (no root alias). */
  readonly v1Only: boolean;
  /** Image MIME types its decoder takes as data URLs; null: whatever the model's processor reads. */
  readonly imageTypes: readonly string[] | null;
  /** The most bytes one request body may have by default; null: none documented. */
  readonly payloadLimit: number | null;
  /** It takes `stream_options: {include_usage: true}` and then sends usage in the last chunk. */
  readonly streamUsage: boolean;
  /** `owned_by` of its `/v1/models` entries, when that names the server. */
  readonly ownedBy: string | null;
  /** Where this was read. */
  readonly source: string;
}

const QWEN_SWITCH = { chat_template_kwargs: { enable_thinking: false } } as const;

/** Every kind the CLI knows; `openai` is the unknown one. */
export const SERVER_KINDS = Object.freeze({
  vllm: {
    label: 'vLLM',
    // ChatCompletionRequest.chat_template_kwargs is passed to the chat template; Qwen3's reads enable_thinking.
    thinkingOff: QWEN_SWITCH,
    thinkingOffWords: 'chat_template_kwargs.enable_thinking=false',
    names: 'exact',
    v1Only: false,
    imageTypes: null,
    payloadLimit: null,
    streamUsage: true,
    ownedBy: 'vllm',
    source: 'vllm/entrypoints/openai/protocol.py (ModelCard owned_by "vllm", chat_template_kwargs)',
  },
  sglang: {
    label: 'SGLang',
    thinkingOff: QWEN_SWITCH,
    thinkingOffWords: 'chat_template_kwargs.enable_thinking=false',
    names: 'exact',
    v1Only: false,
    imageTypes: null,
    payloadLimit: null,
    streamUsage: true,
    ownedBy: 'sglang',
    source: 'python/sglang/srt/entrypoints/openai/protocol.py (ModelCard owned_by "sglang", chat_template_kwargs)',
  },
  ollama: {
    label: 'Ollama',
    // Its OpenAI layer has no `think` field: ChatCompletionRequest takes reasoning_effort, and
    // thinkFromReasoningEffort maps "none" to Think=false (openai/openai.go). Without it,
    // server/routes.go sets Think=true for capable models.
    thinkingOff: { reasoning_effort: 'none' },
    thinkingOffWords: 'reasoning_effort="none"',
    names: 'ollama-tag',
    // server/routes.go registers /v1/chat/completions and /v1/models only.
    v1Only: true,
    // openai/openai.go decodeImageURL: data:image/{jpeg,jpg,png,webp};base64 only.
    imageTypes: ['image/jpeg', 'image/png', 'image/webp'],
    payloadLimit: null,
    // openai/openai.go: StreamOptions{IncludeUsage}.
    streamUsage: true,
    ownedBy: null,
    source: 'ollama/ollama openai/openai.go, server/routes.go',
  },
  llamacpp: {
    label: 'llama.cpp server',
    // tools/server/server-common.cpp: chat_template_kwargs.enable_thinking overrides the default.
    thinkingOff: QWEN_SWITCH,
    thinkingOffWords: 'chat_template_kwargs.enable_thinking=false',
    names: 'single-model',
    v1Only: false,
    // mtmd decodes with stb_image: no WebP (third-party reports; REAL-WORLD.md).
    imageTypes: ['image/jpeg', 'image/png', 'image/bmp', 'image/gif'],
    payloadLimit: null,
    streamUsage: true,
    ownedBy: 'llamacpp',
    source: 'ggml-org/llama.cpp tools/server/server-common.cpp, server-context.cpp (owned_by "llamacpp")',
  },
  tgi: {
    label: 'Text Generation Inference',
    // No thinking switch is documented; chat_template_kwargs is not in its ChatRequest (router/src/lib.rs).
    thinkingOff: {},
    thinkingOffWords: null,
    names: 'tgi',
    v1Only: false,
    imageTypes: null,
    // launcher/src/main.rs: --payload-limit, default 2000000 bytes (router DefaultBodyLimit).
    payloadLimit: 2_000_000,
    streamUsage: true,
    ownedBy: null,
    source: 'huggingface/text-generation-inference router/src/server.rs, launcher/src/main.rs',
  },
  lmstudio: {
    label: 'LM Studio',
    thinkingOff: {},
    thinkingOffWords: null,
    names: 'exact',
    v1Only: true,
    // Decodes images with stb_image like llama.cpp: no WebP (third-party reports).
    imageTypes: ['image/jpeg', 'image/png', 'image/bmp', 'image/gif'],
    payloadLimit: null,
    streamUsage: false,
    // Observed, not documented: /v1/models entries with owned_by "organization_owner". Its documented
    // REST API (/api/v0/models) is the other sign endpoint-probe.ts reads.
    ownedBy: 'organization_owner',
    source: 'lmstudio.ai/docs/app/api/endpoints/rest (closed source: the rest is observed behaviour)',
  },
  openai: {
    label: 'an OpenAI-compatible server',
    thinkingOff: {},
    thinkingOffWords: null,
    names: 'unsure',
    v1Only: false,
    imageTypes: null,
    payloadLimit: null,
    streamUsage: true,
    ownedBy: null,
    source: 'platform.openai.com/docs/api-reference/chat',
  },
} as const satisfies Record<ServerKind, ServerKindSpec>);

/** The kinds, for `--server`. */
export const SERVER_KIND_IDS = Object.freeze(Object.keys(SERVER_KINDS) as ServerKind[]);

/** Whether `value` names a kind. */
export function isServerKind(value: string): value is ServerKind {
  return Object.hasOwn(SERVER_KINDS, value);
}

/**
 * What the image step needs to make an image fit a kind: the MIME types it
 * decodes (null: any the model reads) and the most bytes of one request.
 */
export function imageLimits(kind: ServerKind): {
  readonly formats: readonly string[] | null;
  readonly maxBytes: number | null;
} {
  const spec: ServerKindSpec = SERVER_KINDS[kind];
  return { formats: spec.imageTypes, maxBytes: spec.payloadLimit };
}

/** How a wanted model name fares against what a server lists. */
export type NameMatch =
  | { readonly kind: 'served' }
  | { readonly kind: 'assumed'; readonly warning: string }
  | { readonly kind: 'missing'; readonly message: string };

/** Ollama's `name` is `name:latest`; a tagged name stays as it is. */
const withTag = (name: string) => (/:[^/]+$/.test(name) ? name : `${name}:latest`);

/** Whether `wanted` is served, by the server kind's own rule for model names. */
export function matchModel(kind: ServerKind, wanted: string, listed: readonly string[], url: string): NameMatch {
  if (listed.includes(wanted)) return { kind: 'served' };
  const label = SERVER_KINDS[kind].label;
  const list = listed.join(', ');
  const missing = (extra = ''): NameMatch => ({
    kind: 'missing',
    message:
      listed.length === 0
        ? `${label} at ${url} serves no model${kind === 'ollama' ? ` (none pulled: run \`ollama pull ${wanted}\`)` : ''}.`
        : `${label} at ${url} does not serve "${wanted}"; it serves ${list}.${extra}`,
  });
  switch (SERVER_KINDS[kind].names) {
    case 'ollama-tag':
      return listed.some((id) => withTag(id) === withTag(wanted)) ? { kind: 'served' } : missing();
    case 'single-model':
      // In router mode it lists several and routes by name; alone it answers every request with its model.
      if (listed.length !== 1) return missing();
      return {
        kind: 'assumed',
        warning: `${label} at ${url} serves one model, listed as "${listed[0]}"; it answers "${wanted}" with it (start it with --alias ${wanted} to list that name).`,
      };
    case 'tgi':
      return wanted === 'tgi'
        ? { kind: 'served' }
        : {
            kind: 'assumed',
            warning: `${label} at ${url} serves ${list}; it takes "${wanted}" as a LoRA adapter's id (name the model "tgi" if that is not meant).`,
          };
    case 'unsure': {
      // What Ollama or a lone llama.cpp would answer; the readiness probe's first request tells for sure.
      const near =
        listed.find((id) => withTag(id) === withTag(wanted)) ??
        (listed.length === 1 && /\.gguf$/i.test(listed[0] ?? '') ? listed[0] : undefined);
      if (near === undefined) return missing();
      return {
        kind: 'assumed',
        warning: `${label} at ${url} lists "${near}", not "${wanted}"; going on, as Ollama or llama.cpp would answer it (name the server with --server, or the model as listed, to be sure).`,
      };
    }
    case 'exact':
      return missing();
  }
}
