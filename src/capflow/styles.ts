/**
 * Caption styles as frozen data: how long and for whom a caption is
 * written. The single-pass prompt asks for the style; the summary agent
 * condenses the agents' notes to it; `shapeCaption` enforces the limits a
 * small model may overrun (alt text must stay short and never start with
 * "image of"). The page, the element and the library all share these.
 */
import type { CaptionStyle } from '../shared/record';

/** What a style asks of the caption writer. */
export interface CaptionStyleSpec {
  readonly label: string;
  /** The instruction appended to the single-pass and summary prompts. */
  readonly instruction: string;
  /** Token budget of the caption-writing step. */
  readonly maxNewTokens: number;
  /** Hard character limit enforced after generation; null: none. */
  readonly maxChars: number | null;
}

/** The styles, by id. */
export const CAPTION_STYLES = Object.freeze({
  detailed: {
    label: 'Detailed',
    instruction: 'Write one dense, detailed paragraph.',
    maxNewTokens: 384,
    maxChars: null,
  },
  short: {
    label: 'Short',
    instruction: 'Write two or three sentences, most important content first.',
    maxNewTokens: 128,
    maxChars: null,
  },
  alt: {
    label: 'Alt text',
    instruction:
      'Write alt text for a screen reader: one sentence, at most 125 characters, ' +
      'naming the subject and what matters; do not start with "image of" or "picture of".',
    maxNewTokens: 48,
    maxChars: 125,
  },
} as const satisfies Record<CaptionStyle, CaptionStyleSpec>);

/** Style ids in menu order. */
export const CAPTION_STYLE_IDS: readonly CaptionStyle[] = Object.freeze(['detailed', 'short', 'alt']);

/** True when `value` names a caption style. */
export function isCaptionStyle(value: unknown): value is CaptionStyle {
  return typeof value === 'string' && Object.hasOwn(CAPTION_STYLES, value);
}

const ALT_OPENING = /^(?:an?\s+|the\s+)?(?:image|picture|photo(?:graph)?|screenshot)\s+(?:of|showing|shows)\s+/i;

/**
 * Enforces a style's limits on a generated caption: alt text keeps only its
 * first sentence, loses an "image of …" opening and is cut at the last word
 * boundary within the limit (ending with a full stop), so it is always
 * usable as `alt`.
 */
export function shapeCaption(text: string, style: CaptionStyle): string {
  const spec: CaptionStyleSpec = CAPTION_STYLES[style];
  let out = text.trim();
  if (style === 'alt') {
    out = (out.split(/(?<=[.!?])\s+/)[0] ?? out).replace(ALT_OPENING, '');
    out = out.charAt(0).toUpperCase() + out.slice(1);
  }
  if (spec.maxChars === null || out.length <= spec.maxChars) return out;
  const words = out.slice(0, spec.maxChars).replace(/\s+\S*$/, '');
  return `${words.replace(/[\s,;:.-]+$/, '')}.`;
}
