/**
 * Prompts built from the CapFlow specs, and robust readers for the answers
 * small models give to them (a malformed answer never throws).
 */
import { DOMAINS, DOMAIN_IDS, JUDGE_DIMENSIONS } from './spec';
import type { DomainId, CaptionStyle } from '../shared/record';
import { CAPTION_STYLES } from './styles';

const LETTERS = 'ABCDEFGH';

/** Domains a still image can take (video is decided by the input kind), in question order. */
export const IMAGE_DOMAINS: readonly DomainId[] = DOMAIN_IDS.filter((id) => id !== 'video');

/** The multiple-choice domain question (paper: definitions plus rules for confusable cases). */
export function routerQuestion(): string {
  const options = IMAGE_DOMAINS.map((id, i) => {
    const d = DOMAINS[id];
    return `${LETTERS[i]}. ${d.label}: ${d.definition} ${d.rules.join(' ')}`;
  });
  return `Which kind of image is this? Answer with one letter.\n${options.join('\n')}\nAnswer:`;
}

/** The domain a multiple-choice answer names (by letter or by label), or null when unreadable. */
export function parseDomainAnswer(answer: string): DomainId | null {
  const letter = /(?:^|[^A-Za-z])([A-H])(?:[^A-Za-z]|$)/.exec(answer.trim());
  if (letter?.[1]) return IMAGE_DOMAINS[LETTERS.indexOf(letter[1])] ?? null;
  const lower = answer.toLowerCase();
  const named = IMAGE_DOMAINS.filter((id) => lower.includes(DOMAINS[id].label.split(' ')[0] ?? id));
  return named.length === 1 ? (named[0] ?? null) : null;
}

/** One agent's note as the summary agent reads it. */
export interface Note {
  readonly label: string;
  readonly text: string;
}

/**
 * The summary agent's prompt: only the agents' notes and the domain's
 * outline, never the image; condensed to the style. For a video, the frame
 * times, so the caption can give a timeline.
 */
export function summaryPrompt(
  domain: DomainId,
  notes: readonly Note[],
  language: string,
  style: CaptionStyle,
  times: readonly number[] | null = null,
): string {
  const d = DOMAINS[domain];
  const outline = d.outline.map((item, i) => `${i + 1}. ${item}`).join('\n');
  const body = notes.map((n) => `[${n.label}]\n${n.text}`).join('\n\n');
  const frames = times ? `${framesLine(times)} Say when things happen.\n` : '';
  return (
    `Merge these notes about one ${d.summary === 'video' ? 'video' : 'image'} (${d.label}) into one caption in ${language}. ` +
    `${CAPTION_STYLES[style].instruction} Follow this order:\n${outline}\n${frames}` +
    'Keep exact text and numbers, drop repeats, add nothing the notes do not say, no preamble.\n\n' +
    body
  );
}

/** A video time for prompts: "4.5 s", "1:04.5". */
export function formatTime(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes}:${(seconds - minutes * 60).toFixed(1).padStart(4, '0')}`;
}

/** Which video frames a step saw, for people: "frame at 2.6 s", "3 frames at 0.4 s, 1.1 s, 1.9 s". */
export function framesSeen(times: readonly number[]): string {
  const at = times.map(formatTime).join(', ');
  return times.length === 1 ? `frame at ${at}` : `${times.length} frames at ${at}`;
}

/** What a prompt about video frames opens with: when each frame was shown, so notes can say when things happen. */
export function framesLine(times: readonly number[]): string {
  if (times.length === 1) return `The frame was taken at ${formatTime(times[0] ?? 0)}.`;
  return `The ${times.length} frames were taken at ${times.map(formatTime).join(', ')}.`;
}

/** The single-pass (MetaCaptioner) prompt: one call, aware of the domain when known, in the asked style. */
export function singlePassPrompt(domain: DomainId | null, language: string, style: CaptionStyle): string {
  const how = CAPTION_STYLES[style].instruction;
  if (!domain)
    return `Describe this image in ${language}: type, subject, structure, exact text and numbers, purpose. ${how}`;
  const d = DOMAINS[domain];
  const what = d.summary === 'video' ? 'video, from its frames,' : `${d.label} image`;
  return `Describe this ${what} in ${language}, covering in order: ${d.outline.join('; ')}. ${how}`;
}

const PREAMBLE = /^(?:certainly|sure|of course|here is|here's|okay|ok)\b[^:\n]*[:!.]\s*/i;

/** Removes chatty openings ("Certainly! Here is the caption:") the summary must not have. */
export function cleanCaption(text: string): string {
  let out = text.trim();
  for (let i = 0; i < 3 && PREAMBLE.test(out); i++) out = out.replace(PREAMBLE, '').trim();
  return out;
}

/** The judge's dimensions for a kind of input. */
export function judgeDimensions(video: boolean): readonly string[] {
  return video ? JUDGE_DIMENSIONS.video : JUDGE_DIMENSIONS.image;
}

/**
 * The judge prompt: score the caption 1–3 on each dimension (`times`: a
 * video's frame times). Asked again for `only` the dimensions a first
 * answer did not score, it is stricter about the form of the answer.
 */
export function judgePrompt(caption: string, times: readonly number[] | null, only?: readonly string[]): string {
  const dims = only ?? judgeDimensions(times !== null);
  const form = only
    ? 'Answer with exactly these lines and nothing else, each ending in one digit, 1, 2 or 3'
    : 'on each line, as "name: score"';
  const what = times ? `video (${framesLine(times)})` : 'image';
  return (
    `Score this caption of the ${what} from 1 (poor) to 3 (excellent) ${form}.\n` +
    `${dims.map((d) => `${d}:`).join('\n')}\ncaption: ${caption}`
  );
}

/** Scores per dimension read from a judge answer; a dimension it did not score is null. */
export function parseJudgeScores(answer: string, video: boolean): Record<string, number | null> {
  const lower = answer.toLowerCase();
  const scores: Record<string, number | null> = {};
  for (const dim of judgeDimensions(video)) {
    const at = lower.indexOf(dim);
    const match = at >= 0 ? /^[^0-9\n]{0,12}([1-3])(?![0-9])/.exec(lower.slice(at + dim.length)) : null;
    scores[dim] = match?.[1] ? Number(match[1]) : null;
  }
  return scores;
}
