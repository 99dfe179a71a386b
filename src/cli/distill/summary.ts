/**
 * What `distill prepare` made, as summary.json holds it and as the command
 * prints it: counts per domain, style and split, mean judge scores per
 * dimension, the edited captions used, and what was dropped and why. The
 * `kind` field marks a folder as a prepare output (out-dir.ts reads it).
 */
import type { InputFormat } from './inputs';
import { DROP_REASONS, type DropReason, type Dropped, type Kept, domainName } from './prepare';

/** The `kind` of every summary.json this command writes. */
export const SUMMARY_KIND = 'metacaptioner-distill-prepare';

/** Counts of one split. */
export interface SplitSummary {
  readonly images: number;
  readonly domains: Readonly<Record<string, number>>;
  readonly styles: Readonly<Record<string, number>>;
}

/** summary.json. */
export interface PrepareSummary {
  readonly kind: typeof SUMMARY_KIND;
  readonly version: 1;
  readonly inputs: readonly { readonly path: string; readonly format: string; readonly lines: number }[];
  readonly options: Readonly<Record<string, string | number | boolean | null>>;
  readonly kept: number;
  readonly edited: number;
  readonly train: SplitSummary;
  readonly val: SplitSummary;
  readonly domains: Readonly<Record<string, number>>;
  readonly styles: Readonly<Record<string, number>>;
  /** Mean of the known scores per judge dimension, over the kept captions that have one. */
  readonly meanScores: Readonly<Record<string, number>>;
  readonly dropped: Partial<Readonly<Record<DropReason, number>>>;
  /** Images hard-linked to their source, and copied (another file system). */
  readonly images: { readonly linked: number; readonly copied: number };
}

const count = (keys: readonly string[]): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const k of [...keys].sort()) out[k] = (out[k] ?? 0) + 1;
  return out;
};

function splitSummary(kept: readonly Kept[]): SplitSummary {
  return {
    images: kept.length,
    domains: count(kept.map(domainName)),
    styles: count(kept.map((k) => k.input.style ?? 'none')),
  };
}

/** The summary of a prepare run. */
export function summarise(
  inputs: PrepareSummary['inputs'],
  options: PrepareSummary['options'],
  kept: readonly Kept[],
  dropped: readonly Dropped[],
  images: PrepareSummary['images'],
): PrepareSummary {
  const sums = new Map<string, { total: number; n: number }>();
  for (const k of kept)
    for (const [dim, s] of Object.entries(k.input.scores ?? {}))
      if (s !== null) {
        const at = sums.get(dim) ?? { total: 0, n: 0 };
        sums.set(dim, { total: at.total + s, n: at.n + 1 });
      }
  const reasons = count(dropped.map((d) => d.reason)) as Partial<Record<DropReason, number>>;
  return {
    kind: SUMMARY_KIND,
    version: 1,
    inputs,
    options,
    kept: kept.length,
    edited: kept.filter((k) => k.input.edited).length,
    train: splitSummary(kept.filter((k) => k.split === 'train')),
    val: splitSummary(kept.filter((k) => k.split === 'val')),
    domains: count(kept.map(domainName)),
    styles: count(kept.map((k) => k.input.style ?? 'none')),
    meanScores: Object.fromEntries(
      [...sums].map(([dim, { total, n }]) => [dim, Math.round((total / n) * 1000) / 1000] as const),
    ),
    dropped: reasons,
    images,
  };
}

const listed = (r: Readonly<Record<string, number>>) =>
  Object.entries(r)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ') || 'none';

/** The summary as the command prints it. */
export function summaryText(s: PrepareSummary, out: string): string {
  const formats = (f: InputFormat | string) => s.inputs.filter((i) => i.format === f).length;
  const lines = [
    `Prepared ${s.kept} image${s.kept === 1 ? '' : 's'} in ${out}: train ${s.train.images}, val ${s.val.images} ` +
      `(from ${s.inputs.length} input${s.inputs.length === 1 ? '' : 's'}: ${formats('run-log')} run log, ` +
      `${formats('page-jsonl')} page JSONL, ${formats('page-fine-tune')} page fine-tuning).`,
    `  domains: ${listed(s.domains)}`,
    `  styles: ${listed(s.styles)}`,
    `  train: ${listed(s.train.domains)}`,
    `  val: ${listed(s.val.domains)}`,
    `  mean judge scores: ${
      Object.entries(s.meanScores)
        .map(([d, m]) => `${d} ${m.toFixed(2)}`)
        .join(', ') || 'none'
    }`,
    `  edited captions (the user's, used over the model's): ${s.edited}`,
    `  images: ${s.images.linked} hard-linked, ${s.images.copied} copied`,
  ];
  const dropped = Object.entries(s.dropped);
  const total = dropped.reduce((t, [, n]) => t + (n ?? 0), 0);
  lines.push(`Dropped ${total}:`);
  for (const [reason, n] of dropped) lines.push(`  ${n} ${DROP_REASONS[reason as DropReason]} [${reason}]`);
  return `${lines.join('\n')}\n`;
}
