/**
 * A training example in the chat format TRL's vision SFT reads: the user
 * turn holds an image placeholder and the single-pass MetaCaptioner
 * instruction for the record's domain, language and style (what the
 * student will be asked), the assistant turn the caption; `images` names
 * the file, relative to the output folder. The student learns the
 * one-pass prompt, never CapFlow's agents.
 */
import { singlePassPrompt } from '../../capflow/prompts';
import type { CaptionStyle, DomainId } from '../../shared/record';

/** What an example is made of. */
export interface ChatExample {
  readonly domain: DomainId | null;
  readonly language: string;
  readonly style: CaptionStyle;
  readonly caption: string;
  /** The image's path inside the output folder (`images/<name>`). */
  readonly image: string;
}

/** One line of train.jsonl / val.jsonl (with its newline). */
export function chatLine(e: ChatExample): string {
  const line = {
    messages: [
      {
        role: 'user',
        content: [{ type: 'image' }, { type: 'text', text: singlePassPrompt(e.domain, e.language, e.style) }],
      },
      { role: 'assistant', content: [{ type: 'text', text: e.caption }] },
    ],
    images: [e.image],
  };
  return `${JSON.stringify(line)}\n`;
}
