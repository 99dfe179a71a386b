/** Generation (greedy, or seeded sampling) with streaming and a stop signal, shared by the VLM and the text LLM. */
import {
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

/** Generates (greedy unless `sampling` is set) and returns only the new text (special tokens dropped). */
export async function generateTokens(
  model: PreTrainedModel,
  tokenizer: PreTrainedTokenizer,
  inputs: ModelInputs,
  options: Omit<GenerateOptions, 'prompt'>,
): Promise<Generation> {
  const promptLength = inputs.input_ids.dims.at(-1) ?? 0;
  const stopping = new StoppingCriteriaList();
  if (options.stopping) stopping.push(options.stopping);
  const output = await model.generate({
    ...inputs,
    max_new_tokens: options.maxNewTokens,
    do_sample: false,
    streamer: options.onText
      ? new TextStreamer(tokenizer, { skip_prompt: true, skip_special_tokens: true, callback_function: options.onText })
      : undefined,
    stopping_criteria: stopping,
    // The sampler leaves one token possible, so greedy selection takes the sampled token.
    ...(options.sampling && { logits_processor: samplerList(options.sampling) }),
  });
  if (!(output instanceof Tensor)) throw new Error('generate() returned no token tensor');
  const generated = output.slice(null, [promptLength, output.dims.at(-1) ?? promptLength]);
  const [text] = tokenizer.batch_decode(generated, { skip_special_tokens: true });
  return { text: (text ?? '').trim(), tokens: generated.dims.at(-1) ?? 0 };
}

/** A model that answers a text prompt (the summary agent's interface). */
export interface TextGenerator {
  generateText(options: GenerateOptions): Promise<Generation>;
}
