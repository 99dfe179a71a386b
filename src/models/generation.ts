/** Generation (greedy, or seeded sampling) with streaming and a stop signal, shared by the VLM and the text LLM. */
import {
  type BaseStreamer,
  LogitsProcessorList,
  type PreTrainedModel,
  type PreTrainedTokenizer,
  type StoppingCriteria,
  StoppingCriteriaList,
  Tensor,
  TextStreamer,
} from '@huggingface/transformers';
import type { Sampling } from '../shared/record';
import { SeededSampler } from './sampling';

/**
 * How every prompt is rendered. Qwen3 and Qwen3.5 templates open a
 * `<think>` block unless told not to; an agent's note or a caption must be
 * the answer itself, so thinking is off (templates without the variable
 * ignore it).
 */
export const CHAT_OPTIONS = Object.freeze({ add_generation_prompt: true, enable_thinking: false });

/** One generation's text and token count. */
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
  /** Sample (seeded) instead of decoding greedily. */
  readonly sampling?: Sampling;
}

/** Inputs a processor or tokenizer produced; `input_ids` tells where the prompt ends. */
export interface ModelInputs {
  readonly input_ids: Tensor;
  readonly [name: string]: unknown;
}

function samplerList(sampling: Sampling): LogitsProcessorList {
  const list = new LogitsProcessorList();
  list.push(new SeededSampler(sampling));
  return list;
}

/** Runs `generate` (greedy unless `sampling` is set) and returns every row's ids, prompt included. */
export async function runGenerate(
  model: PreTrainedModel,
  inputs: ModelInputs,
  options: {
    readonly maxNewTokens: number;
    readonly stopping?: StoppingCriteria;
    readonly sampling?: Sampling;
    readonly streamer?: BaseStreamer;
  },
): Promise<Tensor> {
  const stopping = new StoppingCriteriaList();
  if (options.stopping) stopping.push(options.stopping);
  const output = await model.generate({
    ...inputs,
    max_new_tokens: options.maxNewTokens,
    do_sample: false,
    // Typed as TextStreamer in 4.3's declarations; generate() only calls put() and end(), which any streamer has.
    streamer: options.streamer as TextStreamer | undefined,
    stopping_criteria: stopping,
    // The sampler leaves one token possible, so greedy selection takes the sampled token.
    ...(options.sampling && { logits_processor: samplerList(options.sampling) }),
  });
  if (!(output instanceof Tensor)) throw new Error('generate() returned no token tensor');
  return output;
}

/** The ids that end a generation: the generation config's, else the tokenizer's end token. */
export function endTokens(model: PreTrainedModel, tokenizer: PreTrainedTokenizer): Set<bigint> {
  const configured = (model as unknown as { generation_config?: { eos_token_id?: number | number[] | null } })
    .generation_config?.eos_token_id;
  const ids = configured ?? tokenizer.eos_token_id;
  return new Set((Array.isArray(ids) ? ids : ids === undefined || ids === null ? [] : [ids]).map((id) => BigInt(id)));
}

/** Generates and returns only the new text (special tokens dropped). */
export async function generateTokens(
  model: PreTrainedModel,
  tokenizer: PreTrainedTokenizer,
  inputs: ModelInputs,
  options: Omit<GenerateOptions, 'prompt'>,
): Promise<Generation> {
  const promptLength = inputs.input_ids.dims.at(-1) ?? 0;
  const output = await runGenerate(model, inputs, {
    ...options,
    streamer: options.onText
      ? new TextStreamer(tokenizer, { skip_prompt: true, skip_special_tokens: true, callback_function: options.onText })
      : undefined,
  });
  const generated = output.slice(null, [promptLength, output.dims.at(-1) ?? promptLength]);
  const [text] = tokenizer.batch_decode(generated, { skip_special_tokens: true });
  return { text: (text ?? '').trim(), tokens: generated.dims.at(-1) ?? 0 };
}

/** A model that answers a text prompt (the summary agent's interface). */
export interface TextGenerator {
  generateText(options: GenerateOptions): Promise<Generation>;
}
