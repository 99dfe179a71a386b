/**
 * `metacaptioner export`: a run's output in the page's formats, by the
 * page's own code (session/exports.ts): JSONL records, fine-tuning JSONL,
 * CSV, a zip of sidecars, or sidecar `.txt` files written beside the images.
 */
import { basename } from 'node:path';
import {
  exportable,
  sidecarNames,
  toCsvExport,
  toFineTuneJsonl,
  toJsonl,
  toPlainText,
  toSidecarZip,
} from '../session/exports';
import { type SessionItem, finalCaption } from '../session/item';
import { OutputError, writeOutput } from './outputs';
import type { RunLine } from './run-log';

/** The formats, as `--format` names them. */
export const EXPORT_FORMATS = Object.freeze([
  'jsonl',
  'jsonl-trace',
  'finetune',
  'csv',
  'zip',
  'sidecars',
  'text',
] as const);
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** A run's lines as the page's session items (failures stay failures, so the exports leave them out). */
export function itemsOf(lines: readonly RunLine[]): SessionItem[] {
  return lines.map((l) => ({
    id: l.file,
    name: basename(l.file),
    path: l.file,
    type: '',
    size: 0,
    addedAt: 0,
    status: l.ok ? 'done' : 'failed',
    error: l.ok ? null : { name: l.error.name, message: l.error.message },
    record: l.ok ? l.record : null,
    edited: null,
    pinnedDomain: null,
    blobKept: false,
  }));
}

/** The export's bytes (every format but `sidecars`, which writes beside the images). */
export function exportBytes(lines: readonly RunLine[], format: Exclude<ExportFormat, 'sidecars'>): Uint8Array | string {
  const items = itemsOf(lines);
  switch (format) {
    case 'jsonl':
      return toJsonl(items);
    case 'jsonl-trace':
      return toJsonl(items, { trace: true });
    case 'finetune':
      return toFineTuneJsonl(items);
    case 'csv':
      return toCsvExport(items);
    case 'zip':
      return toSidecarZip(items);
    case 'text':
      return toPlainText(items);
  }
}

/** Writes a `.txt` beside each captioned image; returns how many. */
export async function writeSidecars(lines: readonly RunLine[]): Promise<number> {
  const done = exportable(itemsOf(lines));
  const names = sidecarNames(done.map((i) => i.path));
  const inputs = new Set(lines.map((l) => l.file));
  const clash = names.find((name) => inputs.has(name));
  if (clash) throw new OutputError(`The sidecar "${clash}" would replace an image of the run: rename it first.`);
  await Promise.all(done.map((item, i) => writeOutput(names[i] ?? `${item.path}.txt`, finalCaption(item) ?? '')));
  return done.length;
}
