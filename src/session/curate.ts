/**
 * Curating a captioned dataset, as pure functions the page (and tests) use:
 * which items a filter and a search show and in what order, how long a
 * caption is, and what a find/replace or a prefix would change — planned
 * first, so the page can preview every change before applying it.
 */
import type { AgentTrace, DomainId } from '../shared/record';
import { type SessionItem, finalCaption } from './item';
import { isDuplicate } from './progress';

/** Which items to show. */
export type StatusFilter = 'all' | 'done' | 'waiting' | 'failed' | 'edited' | 'not-accepted' | 'refused';

/** The filter choices in the order the page offers them, with their words. */
export const STATUS_FILTERS: Readonly<Record<StatusFilter, string>> = Object.freeze({
  all: 'All',
  done: 'Captioned',
  waiting: 'Waiting or working',
  failed: 'Failed',
  edited: 'Edited by you',
  'not-accepted': 'Below the judge’s bar',
  refused: 'Refused or skipped',
});

/** Orders the page offers. */
export type SortOrder = 'added' | 'name' | 'length' | 'score';

export const SORT_ORDERS: Readonly<Record<SortOrder, string>> = Object.freeze({
  added: 'Order added',
  name: 'File name',
  length: 'Caption length',
  score: 'Judge score (lowest first)',
});

/** What the list shows. */
export interface ItemView {
  readonly status: StatusFilter;
  /** A domain id, or 'all'. */
  readonly domain: DomainId | 'all';
  /** Words that the file's path or its caption must contain (case-insensitive). */
  readonly search: string;
  readonly sort: SortOrder;
}

export const DEFAULT_VIEW: ItemView = Object.freeze({ status: 'all', domain: 'all', search: '', sort: 'added' });

function matchesStatus(item: SessionItem, status: StatusFilter): boolean {
  switch (status) {
    case 'all':
      return true;
    case 'done':
      return item.record !== null;
    case 'waiting':
      return item.status === 'queued' || item.status === 'running';
    case 'failed':
      return item.status === 'failed' || item.status === 'cancelled';
    case 'edited':
      return item.edited !== null;
    case 'not-accepted':
      return item.record?.judge?.accepted === false;
    case 'refused':
      return item.status === 'refused' || isDuplicate(item);
  }
}

/** The mean of an item's known judge scores; null when it was not judged. */
function meanScore(item: SessionItem): number | null {
  const scores = Object.values(item.record?.judge?.scores ?? {}).filter((s) => s !== null);
  return scores.length ? scores.reduce((a, b) => a + b, 0) / scores.length : null;
}

/** The items `view` shows, in its order (a stable sort: ties keep the order added). */
export function viewItems(items: readonly SessionItem[], view: ItemView): SessionItem[] {
  const words = view.search.trim().toLowerCase().split(/\s+/).filter(Boolean);
  const shown = items.filter((item) => {
    if (!matchesStatus(item, view.status)) return false;
    if (view.domain !== 'all' && item.record?.domain?.id !== view.domain) return false;
    const haystack = `${item.path}\n${finalCaption(item) ?? ''}`.toLowerCase();
    return words.every((w) => haystack.includes(w));
  });
  const key: Record<SortOrder, ((a: SessionItem, b: SessionItem) => number) | null> = {
    added: null,
    name: (a, b) => a.path.localeCompare(b.path, undefined, { numeric: true }),
    length: (a, b) => (finalCaption(a)?.length ?? -1) - (finalCaption(b)?.length ?? -1),
    // Unjudged items last.
    score: (a, b) => (meanScore(a) ?? Infinity) - (meanScore(b) ?? Infinity),
  };
  const compare = key[view.sort];
  return compare ? [...shown].sort(compare) : shown;
}

/** A caption's length: characters, words, and an estimate of its tokens. */
export interface CaptionLength {
  readonly chars: number;
  readonly words: number;
  /**
   * About how many tokens: word pieces and punctuation marks, a long word
   * counting one per 6 letters. Within ~15% of BPE tokenizers on English
   * prose; shown with "≈", since each model's tokenizer differs.
   */
  readonly tokens: number;
}

/**
 * The tokens of `text` as the model that wrote it counted them: the step of the trace whose answer is this very
 * text (an edit, or a caption tidied after it was written, has none: null, and the estimate stands).
 */
export function countedTokens(trace: readonly AgentTrace[], text: string): number | null {
  const wanted = text.trim();
  const step = trace.findLast((s) => s.output.trim() === wanted && s.tokens > 0);
  return step ? step.tokens : null;
}

export function captionLength(text: string): CaptionLength {
  const pieces = text.match(/[\p{L}\p{N}]+|[^\s\p{L}\p{N}]/gu) ?? [];
  const tokens = pieces.reduce((sum, p) => sum + Math.max(1, Math.ceil([...p].length / 6)), 0);
  const words = text.split(/\s+/).filter(Boolean).length;
  return { chars: [...text].length, words, tokens };
}

/** One caption a bulk edit would change. */
export interface PlannedEdit {
  readonly id: string;
  readonly path: string;
  readonly before: string;
  readonly after: string;
}

/** A find/replace. */
export interface Replacement {
  readonly find: string;
  readonly replace: string;
  /** `find` is a regular expression (JavaScript syntax; `$1` in `replace` refers to its groups). */
  readonly regex: boolean;
  readonly matchCase: boolean;
}

/** A regular expression that does not compile: said, with the engine's reason. */
export class PatternError extends Error {
  constructor(pattern: string, reason: string) {
    super(`"${pattern}" is not a valid regular expression: ${reason}`);
    this.name = 'PatternError';
  }
}

function pattern(r: Replacement): RegExp {
  const flags = r.matchCase ? 'gu' : 'giu';
  if (!r.regex) return new RegExp(r.find.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), flags);
  try {
    return new RegExp(r.find, flags);
  } catch (err) {
    throw new PatternError(r.find, err instanceof Error ? err.message : String(err));
  }
}

/** The captions of `items` that `r` changes, before and after (items without a caption are left alone). */
export function planReplace(items: readonly SessionItem[], r: Replacement): PlannedEdit[] {
  if (!r.find) return [];
  const re = pattern(r);
  // Plain text replaces literally: "$1" in it is text, not a group.
  const replacer = r.regex ? r.replace : () => r.replace;
  return items.flatMap((item) => {
    const before = finalCaption(item);
    if (before === null) return [];
    const after = before.replace(re, replacer as string);
    return after === before ? [] : [{ id: item.id, path: item.path, before, after }];
  });
}

/**
 * A prefix (a trigger word, say) for every caption of `items` that does
 * not start with it yet: "ohwx" makes "ohwx, a dog…". A prefix that ends in
 * a space or punctuation is used as typed.
 */
export function planPrefix(items: readonly SessionItem[], prefix: string): PlannedEdit[] {
  const lead = prefix.trim();
  if (!lead) return [];
  const joined = /[\s,.;:!?-]$/.test(prefix) ? prefix : `${lead}, `;
  return items.flatMap((item) => {
    const before = finalCaption(item);
    if (before === null || before.startsWith(lead)) return [];
    return [{ id: item.id, path: item.path, before, after: `${joined}${before}` }];
  });
}
