/**
 * The batch's exports, shared by the page (and later the CLI): a versioned
 * JSONL record per file, a fine-tuning JSONL in the common chat format (so
 * CapFlow output can train a single-pass student), a CSV, a zip of `.txt`
 * sidecars named like the images, and plain text for the clipboard. Items
 * with a caption are exported (one waiting for a re-run keeps its own); the
 * caption shown is the one written, the user's edit when there is one.
 */
import { zipSync, strToU8 } from 'fflate';
import { singlePassPrompt } from '../capflow/prompts';
import { judgeDimensions } from '../capflow/prompts';
import { toCsv } from './csv';
import { type CaptionVersion, type SessionItem, finalCaption, isFinished } from './item';

/** Bump on an incompatible change of {@link ExportRecord}. */
export const EXPORT_VERSION = 1;

/** One line of the JSONL export. */
export interface ExportRecord {
  readonly version: typeof EXPORT_VERSION;
  readonly file: string;
  readonly caption: string;
  /** The caption the model wrote, when the user edited it. */
  readonly generated: string | null;
  readonly mode: string;
  readonly style: string | null;
  readonly language: string;
  readonly domain: { readonly id: string; readonly confidence: number | null; readonly decidedBy: string } | null;
  readonly scores: Readonly<Record<string, number | null>> | null;
  /** True when the kept caption reached the judge's bar (default: 3 on every dimension, the paper's); null: not judged. */
  readonly accepted: boolean | null;
  readonly models: Readonly<Record<string, string>>;
  readonly device: string | null;
  readonly ms: number;
  /** A video's sampled frame times, in seconds (absent for an image). */
  readonly timestamps?: readonly number[];
  readonly trace?: unknown;
  /** Earlier captions, oldest first (generated ones with the settings that wrote them), when asked for. */
  readonly versions?: readonly CaptionVersion[];
}

/** What the JSONL export adds to each record. */
export interface JsonlDetail {
  /** Every step's prompt and output. */
  readonly trace?: boolean;
  /** The earlier captions of each item. */
  readonly versions?: boolean;
}

/** The finished items, in batch order. */
export function exportable(items: readonly SessionItem[]): SessionItem[] {
  return items.filter(isFinished);
}

function exportRecord(item: SessionItem, detail: JsonlDetail = {}): ExportRecord | null {
  const record = item.record;
  const caption = finalCaption(item);
  if (!record || caption === null) return null;
  const out: ExportRecord = {
    version: EXPORT_VERSION,
    file: item.path,
    caption,
    generated: item.edited !== null && item.edited !== record.caption ? record.caption : null,
    mode: record.mode,
    style: record.style,
    language: record.language,
    domain: record.domain
      ? { id: record.domain.id, confidence: record.domain.confidence, decidedBy: record.domain.decidedBy }
      : null,
    scores: record.judge?.scores ?? null,
    // Records stored before version 3 have no `accepted`: their bar was the paper's, the top score on all.
    accepted: record.judge ? (record.judge.accepted ?? record.judge.topOnAll) : null,
    models: record.runtime?.models ?? {},
    device: record.runtime?.device ?? null,
    ms: Math.round(record.totalMs),
    ...(record.timestamps ? { timestamps: record.timestamps } : {}),
  };
  return {
    ...out,
    ...(detail.trace ? { trace: record.trace } : {}),
    ...(detail.versions ? { versions: item.versions ?? [] } : {}),
  };
}

/** JSONL: one versioned record per finished file, with the trace and earlier versions when asked. */
export function toJsonl(items: readonly SessionItem[], detail: JsonlDetail = {}): string {
  return exportable(items)
    .map((i) => exportRecord(i, detail))
    .filter((r) => r !== null)
    .map((r) => `${JSON.stringify(r)}\n`)
    .join('');
}

/**
 * Fine-tuning JSONL in the chat format vision SFT trainers read: the user
 * turn holds the image or video (by its path) and the single-pass instruction for the
 * item's domain, style and language — what the student will be asked — and
 * the assistant turn holds the caption (CapFlow's, or the user's edit).
 */
export function toFineTuneJsonl(items: readonly SessionItem[]): string {
  return exportable(items)
    .map((item) => {
      const record = item.record;
      const caption = finalCaption(item);
      if (!record || caption === null) return '';
      const instruction = singlePassPrompt(record.domain?.id ?? null, record.language, record.style ?? 'detailed');
      // A video goes in as a video (trainers sample its frames themselves), by the same keys' video forms.
      const media =
        item.media === 'video'
          ? { list: { videos: [item.path] }, part: { type: 'video', video: item.path } }
          : { list: { images: [item.path] }, part: { type: 'image', image: item.path } };
      const line = {
        ...media.list,
        messages: [
          {
            role: 'user',
            content: [media.part, { type: 'text', text: instruction }],
          },
          { role: 'assistant', content: [{ type: 'text', text: caption }] },
        ],
      };
      return `${JSON.stringify(line)}\n`;
    })
    .join('');
}

/**
 * Every judge dimension as a CSV column: the image rubric's, then the video
 * rubric's own (the two share core intent and professionalism). The same
 * columns whatever the export holds, so exports can be concatenated.
 */
const CSV_DIMENSIONS: readonly string[] = Object.freeze([
  ...new Set([...judgeDimensions(false), ...judgeDimensions(true)]),
]);

/** CSV with one row per finished file and one column per judge dimension (a row fills its own rubric's). */
export function toCsvExport(items: readonly SessionItem[]): string {
  const dims = CSV_DIMENSIONS;
  const header = [
    'file',
    'caption',
    'domain',
    'confidence',
    'decided_by',
    'mode',
    'style',
    'language',
    ...dims,
    'accepted',
    'models',
    'device',
    'ms',
    'frames',
  ];
  const rows = exportable(items).flatMap((item) => {
    const r = exportRecord(item);
    if (!r) return [];
    return [
      [
        r.file,
        r.caption,
        r.domain?.id ?? null,
        r.domain?.confidence ?? null,
        r.domain?.decidedBy ?? null,
        r.mode,
        r.style,
        r.language,
        ...dims.map((d) => r.scores?.[d] ?? null),
        r.accepted,
        Object.values(r.models).join(' '),
        r.device,
        r.ms,
        // A video's frame times, space-separated seconds.
        r.timestamps?.join(' ') ?? null,
      ],
    ];
  });
  return toCsv(header, rows);
}

/**
 * The sidecar file name of an image path: the same folder and base name,
 * `.txt` (the convention of caption-training tools). Two images that would
 * share a sidecar (cat.png, cat.jpg) keep their extension instead (cat.png.txt).
 */
export function sidecarNames(paths: readonly string[]): string[] {
  const base = (p: string) => p.replace(/\.[^./]*$/, '');
  const counts = new Map<string, number>();
  for (const p of paths) counts.set(base(p), (counts.get(base(p)) ?? 0) + 1);
  return paths.map((p) => ((counts.get(base(p)) ?? 0) > 1 || base(p) === p ? `${p}.txt` : `${base(p)}.txt`));
}

/** A zip of `.txt` sidecars (UTF-8, one caption each), folders kept. */
export function toSidecarZip(items: readonly SessionItem[]): Uint8Array {
  const done = exportable(items);
  const names = sidecarNames(done.map((i) => i.path));
  const files: Record<string, Uint8Array> = {};
  done.forEach((item, index) => {
    const name = names[index];
    if (name) files[name] = strToU8(finalCaption(item) ?? '');
  });
  // Fixed timestamps keep the archive byte-identical for the same captions.
  return zipSync(files, { level: 6, mtime: new Date('2020-01-01T00:00:00Z') });
}

/** Every finished caption as plain text, each under its file name, for the clipboard. */
export function toPlainText(items: readonly SessionItem[]): string {
  return exportable(items)
    .map((i) => `${i.path}\n${finalCaption(i) ?? ''}`)
    .join('\n\n');
}
