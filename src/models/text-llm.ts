/** The text-only LLM (the summary agent's model): chat-templated greedy generation with streaming. */
import {
  AutoModelForCausalLM,
  AutoTokenizer,
  type PreTrainedModel,
  type PreTrainedTokenizer,
} from '@huggingface/transformers';
import { ModelLoadError, errorText } from '../shared/errors';
import type { DeviceKind, DtypeChoice, ModelSpec } from '../shared/model-spec';
import { yieldBetweenSteps } from './event-loop';
import { executionDevice } from './device-choice';
import type { ProgressCallback } from './progress';
import { type GenerateOptions, type Generation, type TextGenerator, greedyGenerate } from './greedy';

/** A loaded text LLM. */
export class TextLlm implements TextGenerator {
  private constructor(
    readonly spec: ModelSpec,
    private readonly tokenizer: PreTrainedTokenizer,
    private readonly model: PreTrainedModel,
  ) {}

  /** Loads tokenizer and model. */
  static async load(
    spec: ModelSpec,
    device: DeviceKind,
    dtype: DtypeChoice,
    progress: ProgressCallback,
  ): Promise<TextLlm> {
    const common = { revision: spec.revision, progress_callback: progress };
    try {
      const [tokenizer, model] = await Promise.all([
        AutoTokenizer.from_pretrained(spec.repo, common),
        AutoModelForCausalLM.from_pretrained(spec.repo, {
          ...common,
          device: executionDevice(device),
          dtype: typeof dtype === 'string' ? dtype : { ...dtype },
        }),
      ]);
      yieldBetweenSteps(model);
      return new TextLlm(spec, tokenizer, model);
    } catch (err) {
      throw new ModelLoadError(`Could not load ${spec.repo}@${spec.revision} on ${device}: ${errorText(err)}`);
    }
  }

  /** Answers one user message (the prompt) greedily. */
  async generateText(options: GenerateOptions): Promise<Generation> {
    const text = this.tokenizer.apply_chat_template([{ role: 'user', content: options.prompt }], {
      add_generation_prompt: true,
      tokenize: false,
    });
    if (typeof text !== 'string') throw new Error('chat template did not produce text');
    return greedyGenerate(this.model, this.tokenizer, this.tokenizer(text), options);
  }

  /** One token, so kernels compile before the first real job. */
  async warmUp(): Promise<void> {
    await this.generateText({ prompt: 'Hi', maxNewTokens: 1 });
  }

  /** Frees the sessions. */
  async dispose(): Promise<void> {
    await this.model.dispose();
  }
}
