/**
 * The words of an item card: what made a caption, the domain and how it
 * was decided, the judge's bar, a caption's length, a video's frames.
 * Plain words on the card; the technical form goes to a tooltip.
 */
import { formatTime } from '../capflow/prompts';
import type { AgentTrace, CaptionRecord } from '../shared/record';
import { captionLength, countedTokens } from '../session/curate';

/** The frames line of a video's card: how many, when, and how they were read when that was the slower way. */
export function framesText(record: CaptionRecord): string {
  const times = record.timestamps ?? [];
  const seeking =
    record.sampledBy === 'seeking'
      ? ' · read by seeking the video: this browser has no WebCodecs (slower, fewer moments probed)'
      : '';
  const partial = record.partialVideo ? ` · only part of the video could be read: ${record.partialVideo}` : '';
  return `${times.length} frames, at ${times.map(formatTime).join(', ')}${seeking}${partial}`;
}

/** "CapFlow · detailed": the mode and style that wrote a caption (the models are in `madeBy`). */
export function modeText(record: CaptionRecord): string {
  const mode = record.mode === 'capflow' ? 'CapFlow' : record.mode === 'single-pass' ? 'Single pass' : 'Own prompt';
  return `${mode}${record.style ? ` · ${record.style}` : ''}`;
}

type Domain = NonNullable<CaptionRecord['domain']>;

/** How a domain was decided, in words. */
const DECIDED_BY: Readonly<Record<Domain['decidedBy'], string>> = Object.freeze({
  pinned: 'you chose it',
  video: 'it is a video',
  'zero-shot': 'picked by the image classifier',
  vlm: 'picked by the vision model',
  'zero-shot-fallback': "the classifier's pick (the vision model's answer was unreadable)",
  default: 'the default (no answer could be read)',
});

/** "natural, 98% sure", or "medical, 40% sure · picked by the vision model": the domain, the confidence and how it was decided where that is not the usual classifier pick. */
export function domainText(domain: Domain): string {
  const confidence = domain.confidence === null ? '' : `, ${Math.round(domain.confidence * 100)}% sure`;
  const setAside = domain.setAside ? ` (the domain you chose, ${domain.setAside}, does not apply to a video)` : '';
  // The usual way (the classifier's pick) is left to the tooltip; any other is worth a look.
  const how = domain.decidedBy === 'zero-shot' ? '' : ` · ${DECIDED_BY[domain.decidedBy]}`;
  return `${domain.label}${confidence}${how}${setAside}`;
}

/** How it was decided in words, then the technical form, for the tooltip: "Picked by … (Domain natural 98% · decided by zero-shot)". */
export function domainTitle(domain: Domain): string {
  const confidence = domain.confidence === null ? '' : ` ${Math.round(domain.confidence * 100)}%`;
  const how = DECIDED_BY[domain.decidedBy];
  return `${how[0]?.toUpperCase()}${how.slice(1)} (domain ${domain.id}${confidence} · decided by ${domain.decidedBy})`;
}

/** "3 on every dimension", or "completeness 3, core intent 2": the bar a kept caption had to reach. */
export function barText(minScore: Readonly<Record<string, number>>): string {
  const bars = Object.entries(minScore).filter(([, min]) => min > 1);
  const [first] = bars;
  if (first && bars.length === Object.keys(minScore).length && bars.every(([, m]) => m === first[1])) {
    return `${first[1]} on every dimension`;
  }
  return bars.map(([d, m]) => `${d} ${m}`).join(', ');
}

/**
 * "212 characters · 48 tokens" when the caption is the model's answer as it wrote it (its own tokenizer's count),
 * "212 characters · ≈ 50 tokens" for an edit (an estimate), with the tooltip saying which.
 */
export function lengthOf(text: string, trace: readonly AgentTrace[]): { text: string; title: string } {
  const { chars, tokens } = captionLength(text);
  const counted = countedTokens(trace, text);
  return counted === null
    ? {
        text: `${chars} characters · ≈ ${tokens} tokens`,
        title: "Tokens estimated: each model's tokenizer counts its own",
      }
    : { text: `${chars} characters · ${counted} tokens`, title: 'Tokens as the model that wrote it counted them' };
}
