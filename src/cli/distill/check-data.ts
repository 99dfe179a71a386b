/**
 * What `distill check` reads of a `distill prepare` output: its
 * summary.json (which marks the folder as one), and the first examples of
 * val.jsonl, or of train.jsonl when the validation split is empty: each
 * example's image, the single-pass prompt the student is asked, and the
 * CapFlow caption it is compared with. Nothing is written.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { CAPTION_STYLES, isCaptionStyle } from '../../capflow/styles';
import type { CaptionStyle } from '../../shared/record';
import { fileKind, fsReason } from '../file-words';
import { DistillInputError } from './inputs';
import { SUMMARY_KIND } from './summary';

/** One example to caption. */
export interface CheckExample {
  /** The image as the JSONL names it (relative to the prepared folder). */
  readonly image: string;
  /** Its path on disk. */
  readonly path: string;
  /** The user turn's text: the single-pass prompt. */
  readonly prompt: string;
  /** The assistant turn's text: the CapFlow caption. */
  readonly reference: string;
}

/** The examples of a prepared folder to check. */
export interface CheckData {
  /** The JSONL they come from. */
  readonly file: string;
  readonly split: 'val' | 'train';
  /** Examples in that file, of which `examples` are the first. */
  readonly total: number;
  readonly examples: readonly CheckExample[];
  /** The caption style of the set (summary.json): the student's token budget and caption shape. */
  readonly style: CaptionStyle;
}

async function readText(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new DistillInputError(`${what}: "${path}" could not be read: ${fsReason(err)}.`);
  }
}

/** The set's one style by summary.json (several or none: detailed, the single pass's default). */
function summaryStyle(summary: object): CaptionStyle {
  const styles: unknown = Reflect.get(summary, 'styles');
  const names = typeof styles === 'object' && styles !== null ? Object.keys(styles) : [];
  const [only] = names;
  return names.length === 1 && isCaptionStyle(only) ? only : 'detailed';
}

const textOf = (content: unknown): string | null => {
  if (!Array.isArray(content)) return null;
  const texts = content.flatMap((c: unknown) => {
    const text: unknown = typeof c === 'object' && c !== null ? Reflect.get(c, 'text') : undefined;
    return typeof text === 'string' ? [text] : [];
  });
  return texts.length ? texts.join('') : null;
};

/** One chat line as prepare writes it (chat.ts), or an error naming file and line. */
function parseLine(line: string, file: string, at: number): Omit<CheckExample, 'path'> {
  const bad = (why: string) => new DistillInputError(`"${file}" line ${at}: ${why}; is it a distill prepare output?`);
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw bad('not JSON');
  }
  if (typeof value !== 'object' || value === null) throw bad('not a JSON object');
  const messages: unknown = Reflect.get(value, 'messages');
  const images: unknown = Reflect.get(value, 'images');
  const turn = (role: string) =>
    Array.isArray(messages)
      ? textOf(
          Reflect.get(
            messages.find((m: unknown) => typeof m === 'object' && m !== null && Reflect.get(m, 'role') === role) ?? {},
            'content',
          ),
        )
      : null;
  const prompt = turn('user');
  const reference = turn('assistant');
  const image: unknown = Array.isArray(images) ? images[0] : undefined;
  if (prompt === null || reference === null) throw bad('no user and assistant turns with text');
  if (typeof image !== 'string' || image === '') throw bad('no image');
  return { image, prompt, reference };
}

/** Reads the first `n` examples of the prepared folder `dir`, checking that each image is there. */
export async function readCheckData(dir: string, n: number, notice: (line: string) => void): Promise<CheckData> {
  const summaryPath = join(dir, 'summary.json');
  const what = `"${dir}" is not a distill prepare output`;
  const text = await readText(summaryPath, what);
  let summary: unknown;
  try {
    summary = JSON.parse(text);
  } catch {
    throw new DistillInputError(`${what}: "${summaryPath}" is not JSON.`);
  }
  if (typeof summary !== 'object' || summary === null || Reflect.get(summary, 'kind') !== SUMMARY_KIND)
    throw new DistillInputError(`${what}: "${summaryPath}" is not of kind "${SUMMARY_KIND}".`);
  const linesOf = async (split: 'val' | 'train') => {
    const file = join(dir, `${split}.jsonl`);
    const lines = (await readText(file, what)).split('\n');
    return { file, split, lines: lines.map((l, i) => [l, i + 1] as const).filter(([l]) => l.trim() !== '') };
  };
  let chosen = await linesOf('val');
  if (chosen.lines.length === 0) {
    chosen = await linesOf('train');
    if (chosen.lines.length === 0)
      throw new DistillInputError(`"${dir}" holds no examples: val.jsonl and train.jsonl are empty.`);
    notice(`val.jsonl is empty: checking examples of train.jsonl, which the student was trained on.`);
  }
  const examples: CheckExample[] = [];
  for (const [line, at] of chosen.lines.slice(0, n)) {
    const e = parseLine(line, chosen.file, at);
    const path = join(dir, e.image);
    const info = await stat(path).catch((err: unknown) => {
      throw new DistillInputError(
        `"${chosen.file}" line ${at}: the image "${path}" could not be read: ${fsReason(err)}.`,
      );
    });
    if (!info.isFile())
      throw new DistillInputError(`"${chosen.file}" line ${at}: the image "${path}" is ${fileKind(info)}, not a file.`);
    examples.push({ image: e.image, path, prompt: e.prompt, reference: e.reference });
  }
  return {
    file: chosen.file,
    split: chosen.split,
    total: chosen.lines.length,
    examples,
    style: summaryStyle(summary),
  };
}

/** The token budget of the single pass for a style (what the app gives it). */
export const styleTokens = (style: CaptionStyle): number => CAPTION_STYLES[style].maxNewTokens;
