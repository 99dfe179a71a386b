/**
 * A repo's chat template when its tokenizer config has none. transformers.js
 * 4.3.2 reads `chat_template.jinja` only for the Gemma 3/3n/4 processors,
 * everywhere else only `tokenizer_config.json`; exports made with
 * transformers v5 (the onnx-community Qwen3.5 repos among them) keep the
 * template in the file.
 */
import { type AutoTokenizer, Processor } from '@huggingface/transformers';
import { ModelLoadError, errorText } from '../shared/errors';

/** A processor with no components: loading it fetches only `chat_template.jinja`, through transformers.js's own file access and cache. */
class TemplateFile extends Processor {
  static override classes: string[] = [];
  static override uses_chat_template_file = true;
}

/** The repo's `chat_template.jinja`; a specific error when it has none either. */
export async function chatTemplateFile(
  repo: string,
  options: Parameters<typeof AutoTokenizer.from_pretrained>[1],
): Promise<string> {
  try {
    return (await TemplateFile.from_pretrained(repo, options)).chat_template;
  } catch (err) {
    throw new ModelLoadError(
      `${repo} has no chat template: neither tokenizer_config.json nor chat_template.jinja has one (${errorText(err)})`,
    );
  }
}
