/**
 * The lines `distill prepare` reads, whichever tool wrote them, turned into
 * one shape: the CLI's run log (one {@link RunLine} per image), the page's
 * JSONL record export ({@link ExportRecord}) and the page's fine-tuning
 * export (the chat format of `toFineTuneJsonl`, whose instruction tells
 * back the domain, style and language it was made for). Pure: no file is
 * read here.
 */
import { DOMAIN_IDS } from '../../capflow/spec';
import { singlePassPrompt } from '../../capflow/prompts';
import { CAPTION_STYLE_IDS, isCaptionStyle } from '../../capflow/styles';
import type { CaptionStyle, DomainId } from '../../shared/record';

/** A line that is none of the formats read here, named by file and line. */
export class DistillInputError extends Error {
  override readonly name = 'DistillInputError';
}

/** Which tool wrote a line. */
export type InputFormat = 'run-log' | 'page-jsonl' | 'page-fine-tune';

/** One input line, read. */
export type DistillInput =
  | {
      readonly kind: 'caption';
      readonly format: InputFormat;
      /** The JSONL it came from, and its 1-based line. */
      readonly source: string;
      readonly line: number;
      /** The media path as the record holds it. */
      readonly file: string;
      /** The caption to learn: the user's edit when there is one. */
      readonly caption: string;
      /** True when `caption` is the user's edit of the model's caption. */
      readonly edited: boolean;
      /** Null: prompt mode (no style; the caption answers the caller's own instruction). */
      readonly style: CaptionStyle | null;
      readonly mode: string;
      readonly language: string;
      readonly domain: DomainId | null;
      /** Judge scores per dimension; null when not judged (or the format carries none). */
      readonly scores: Readonly<Record<string, number | null>> | null;
      /** The judge's verdict; null when not judged (or the format carries none). */
      readonly accepted: boolean | null;
      readonly video: boolean;
    }
  | {
      readonly kind: 'failure';
      readonly format: 'run-log';
      readonly source: string;
      readonly line: number;
      readonly file: string;
      readonly message: string;
    };

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const DOMAIN_SET: ReadonlySet<string> = new Set(DOMAIN_IDS);
const domainOf = (v: unknown): DomainId | null => {
  const id = isObject(v) ? v.id : null;
  return typeof id === 'string' && DOMAIN_SET.has(id) ? (id as DomainId) : null;
};
const styleOf = (v: unknown): CaptionStyle | null => (isCaptionStyle(v) ? v : null);

function scoresOf(v: unknown): Record<string, number | null> | null {
  if (!isObject(v)) return null;
  return Object.fromEntries(Object.entries(v).map(([k, s]) => [k, typeof s === 'number' ? s : null]));
}

/** The language of a single-pass instruction, read from its fixed wording. */
const LANGUAGE = /^Describe this .*? in (.+?)(?:, covering in order: |: type, subject, )/s;

/** Instructions read already: an export repeats a few instructions over thousands of lines. */
const SETTINGS_SEEN = new Map<string, { domain: DomainId | null; style: CaptionStyle; language: string } | null>();

/**
 * Domain, style and language of a fine-tuning export's instruction: the one `singlePassPrompt` call that
 * writes it exactly; null when none does (an instruction of another version, or edited by hand).
 */
export function instructionSettings(
  text: string,
): { domain: DomainId | null; style: CaptionStyle; language: string } | null {
  const known = SETTINGS_SEEN.get(text);
  if (known !== undefined) return known;
  const language = LANGUAGE.exec(text)?.[1];
  let found: { domain: DomainId | null; style: CaptionStyle; language: string } | null = null;
  if (language)
    for (const domain of [null, ...DOMAIN_IDS])
      for (const style of CAPTION_STYLE_IDS)
        if (!found && singlePassPrompt(domain, language, style) === text) found = { domain, style, language };
  SETTINGS_SEEN.set(text, found);
  return found;
}

function fromRunLog(l: Json, source: string, line: number): DistillInput {
  const file = str(l.file) ?? '';
  if (l.ok === false) {
    const message = isObject(l.error) ? (str(l.error.message) ?? 'failed') : 'failed';
    return { kind: 'failure', format: 'run-log', source, line, file, message };
  }
  const r = l.record;
  if (!isObject(r) || typeof r.caption !== 'string')
    throw new DistillInputError(
      `${source}, line ${line}: a run-log line with "ok": true has no record with a caption.`,
    );
  const judge = isObject(r.judge) ? r.judge : null;
  return {
    kind: 'caption',
    format: 'run-log',
    source,
    line,
    file,
    caption: r.caption,
    edited: false,
    style: styleOf(r.style),
    mode: str(r.mode) ?? 'capflow',
    language: str(r.language) ?? 'English',
    domain: domainOf(r.domain),
    scores: judge ? scoresOf(judge.scores) : null,
    // Records before version 3 have no `accepted`: their bar was the top score on all.
    accepted: judge ? (typeof judge.accepted === 'boolean' ? judge.accepted : judge.topOnAll === true) : null,
    video: Array.isArray(r.timestamps),
  };
}

function fromPageJsonl(l: Json, source: string, line: number): DistillInput {
  return {
    kind: 'caption',
    format: 'page-jsonl',
    source,
    line,
    file: str(l.file) ?? '',
    caption: str(l.caption) ?? '',
    edited: typeof l.generated === 'string',
    style: styleOf(l.style),
    mode: str(l.mode) ?? 'capflow',
    language: str(l.language) ?? 'English',
    domain: domainOf(l.domain),
    scores: scoresOf(l.scores),
    accepted: typeof l.accepted === 'boolean' ? l.accepted : null,
    video: Array.isArray(l.timestamps),
  };
}

function fromFineTune(l: Json, source: string, line: number): DistillInput {
  const messages = Array.isArray(l.messages) ? l.messages.filter(isObject) : [];
  const texts = (role: string) =>
    messages
      .filter((m) => m.role === role)
      .flatMap((m) => (Array.isArray(m.content) ? m.content.filter(isObject) : []))
      .filter((c) => c.type === 'text')
      .map((c) => str(c.text) ?? '');
  const video = Array.isArray(l.videos);
  const media = (video ? l.videos : l.images) as unknown;
  const file = Array.isArray(media) ? str(media[0]) : null;
  const [instruction] = texts('user');
  const [caption] = texts('assistant');
  if (file === null || instruction === undefined || caption === undefined)
    throw new DistillInputError(
      `${source}, line ${line}: a fine-tuning line needs "images" (or "videos") and user and assistant text.`,
    );
  const settings = instructionSettings(instruction);
  return {
    kind: 'caption',
    format: 'page-fine-tune',
    source,
    line,
    file,
    caption,
    edited: false,
    // An instruction no single-pass prompt writes is set aside as prompt mode is: it is not what the student learns.
    style: settings?.style ?? null,
    mode: settings ? 'single-pass-prompt' : 'prompt',
    language: settings?.language ?? 'English',
    domain: settings?.domain ?? null,
    scores: null,
    accepted: null,
    video,
  };
}

/** Reads one non-empty line of `source` (1-based `line`); a line of no known format is a {@link DistillInputError}. */
export function parseInputLine(text: string, source: string, line: number): DistillInput {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new DistillInputError(`${source}, line ${line}: not JSON.`);
  }
  if (!isObject(value)) throw new DistillInputError(`${source}, line ${line}: not a JSON object.`);
  if (typeof value.ok === 'boolean' && typeof value.file === 'string') return fromRunLog(value, source, line);
  if (typeof value.file === 'string' && typeof value.caption === 'string' && 'generated' in value)
    return fromPageJsonl(value, source, line);
  if (Array.isArray(value.messages)) return fromFineTune(value, source, line);
  throw new DistillInputError(
    `${source}, line ${line}: not a record of a run log, of the page's JSONL export or of its fine-tuning export.`,
  );
}

/**
 * Every line of a JSONL file's text, read; blank lines are skipped. A last line without its newline that is
 * not JSON is named as what it likely is: a run stopped mid-write.
 */
export function parseInputText(text: string, source: string): DistillInput[] {
  const lines = text.split('\n');
  return lines
    .map((l, i) => [l, i + 1] as const)
    .filter(([l]) => l.trim())
    .map(([l, n]) => {
      try {
        return parseInputLine(l, source, n);
      } catch (err) {
        if (n === lines.length && err instanceof DistillInputError && err.message.endsWith('not JSON.'))
          throw new DistillInputError(
            `${source}, line ${n}: not JSON, and the file ends without a newline: a run stopped mid-write? ` +
              '`metacaptioner caption` with the same --out repairs a run log.',
          );
        throw err;
      }
    });
}
