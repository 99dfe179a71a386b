/** The text-only LLM (the summary agent's model): chat-templated greedy generation with streaming. */
import {
  AutoModelForCausalLM,
  AutoTokenizer,
  type PreTrainedModel,
  type PreTrainedTokenizer,
} from '@huggingface/transformers';
import type { DeviceKind, DtypeChoice, ModelSpec } from '../shared/model-spec';
import { yieldBetweenSteps } from './runtime/event-loop';
import { chatTemplateFile } from './chat-template';
import { fixTextOnlyRope } from './qwen-rope';
import { loadParts, loadingModel, pretrainedOptions } from './pretrained';
import type { ProgressCallback } from './progress';
import { CHAT_OPTIONS, type GenerateOptions, type Generation, type TextGenerator, generateTokens } from './generation';

/** A loaded text LLM. */
export class TextLlm implements TextGenerator {
  private constructor(
    readonly spec: ModelSpec,
    private readonly tokenizer: PreTrainedTokenizer,
    private readonly model: PreTrainedModel,
  ) {}

  /** Loads tokenizer and model. */
  static load(spec: ModelSpec, device: DeviceKind, dtype: DtypeChoice, progress: ProgressCallback): Promise<TextLlm> {
    const options = pretrainedOptions(spec, device, dtype, progress);
    return loadingModel(spec, device, async () => {
      const [tokenizer, model] = await loadParts([
        AutoTokenizer.from_pretrained(spec.repo, options.files).then(async (tokenizer) => {
          tokenizer.chat_template ??= await chatTemplateFile(spec.repo, options.files);
          return tokenizer;
        }),
        AutoModelForCausalLM.from_pretrained(spec.repo, options.model),
      ]);
      fixTextOnlyRope(model);
      yieldBetweenSteps(model);
      return new TextLlm(spec, tokenizer, model);
    });
  }

  /** Answers one user message (the prompt) greedily. */
  async generateText(options: GenerateOptions): Promise<Generation> {
    const text = this.tokenizer.apply_chat_template([{ role: 'user', content: options.prompt }], {
      ...CHAT_OPTIONS,
      tokenize: false,
    });
    if (typeof text !== 'string') throw new Error('chat template did not produce text');
    return generateTokens(this.model, this.tokenizer, this.tokenizer(text), options);
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
