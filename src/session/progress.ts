/**
 * Pure arithmetic and wording for the batch's progress: counts, the ETA
 * from measured per-item times, and a human stage name for each engine
 * step, so the page, the element and tests agree on them.
 */
import { AGENTS } from '../capflow/spec';
import { type AgentId } from '../shared/record';
import type { ItemStatus, SessionItem } from './item';

/** The error name of a file skipped because its content is already in the session. */
export const DUPLICATE_ERROR = 'DuplicateFileError';

/** Counts of a batch. `total` counts every file added, refused and skipped ones included. */
export interface BatchCounts {
  readonly total: number;
  readonly done: number;
  readonly failed: number;
  readonly cancelled: number;
  readonly pending: number;
  /** Files that never entered the queue: not an image, damaged, too large… */
  readonly refused: number;
  /** Files skipped because the same content is already in the session. */
  readonly duplicates: number;
}

/** Counts the items by status. */
export function countItems(items: readonly Pick<SessionItem, 'status' | 'error'>[]): BatchCounts {
  const by = (s: ItemStatus) => items.filter((i) => i.status === s).length;
  const duplicates = items.filter(isDuplicate).length;
  return {
    total: items.length,
    done: by('done'),
    failed: by('failed'),
    cancelled: by('cancelled'),
    pending: by('queued') + by('running'),
    refused: by('refused') - duplicates,
    duplicates,
  };
}

/** True for a file skipped because its content is already in the session. */
export function isDuplicate(item: Pick<SessionItem, 'status' | 'error'>): boolean {
  return item.status === 'refused' && item.error?.name === DUPLICATE_ERROR;
}

/** "3 of 5 done · 1 failed · 1 refused · about 1 min left": every file added is counted. */
export function countsText(c: BatchCounts, eta: string): string {
  const parts = [
    `${c.done} of ${c.total} done`,
    c.failed ? `${c.failed} failed` : '',
    c.cancelled ? `${c.cancelled} cancelled` : '',
    c.refused ? `${c.refused} refused` : '',
    c.duplicates ? `${c.duplicates} ${c.duplicates === 1 ? 'duplicate' : 'duplicates'} skipped` : '',
    eta,
  ];
  return parts.filter(Boolean).join(' · ');
}

/**
 * Milliseconds left: the median of the measured per-item times (robust to
 * the first item, which also compiles shaders) times the items pending;
 * null until an item has been measured.
 */
export function etaMs(measured: readonly number[], pending: number): number | null {
  if (measured.length === 0 || pending === 0) return measured.length === 0 ? null : 0;
  const sorted = [...measured].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
  return median * pending;
}

/** "about 3 min left", "about 40 s left", or "" when unknown or nothing is left. */
export function formatEta(ms: number | null): string {
  if (ms === null || ms === 0) return '';
  if (ms < 1000) return 'almost done';
  const s = Math.round(ms / 1000);
  if (s < 90) return `about ${s} s left`;
  const min = Math.round(s / 60);
  return min < 90 ? `about ${min} min left` : `about ${(min / 60).toFixed(1)} h left`;
}

/** The human name of an engine step (`agent-start`'s agent) as a stage. */
export function stageOf(agent: string): string {
  if (agent === 'router') return 'routing';
  if (agent === 'router-vlm') return 'routing (asking the VLM)';
  if (agent === 'summary') return 'summarising';
  if (agent === 'single-pass' || agent === 'prompt') return 'captioning';
  const judge = /^judge-(\d+)(-again)?$/.exec(agent);
  if (judge) return judge[2] ? 'judging (asked again)' : judge[1] === '1' ? 'judging' : `judging (attempt ${judge[1]})`;
  // An agent that looks at a video group by group names the frames of each step: `video-perception@3-4`.
  const group = /^(.+)@(\d+)(?:-(\d+))?$/.exec(agent);
  if (group?.[1] && group[2]) {
    return `${stageOf(group[1])}, ${group[3] ? `frames ${group[2]}–${group[3]}` : `frame ${group[2]}`}`;
  }
  // Steps of the judge's further attempts carry the attempt number: `summary-2`.
  const attempt = /^(.+)-(\d+)$/.exec(agent);
  if (attempt?.[1] && attempt[2]) return `${stageOf(attempt[1])} (attempt ${attempt[2]})`;
  return isAgentId(agent) ? `${AGENTS[agent].label} agent` : agent;
}

function isAgentId(id: string): id is AgentId {
  return Object.hasOwn(AGENTS, id);
}

/** The words for an item's status, for badges and screen readers. */
export function statusText(item: Pick<SessionItem, 'status' | 'error'>): string {
  switch (item.status) {
    case 'queued':
      return 'queued';
    case 'running':
      return 'working';
    case 'done':
      return 'done';
    case 'failed':
      return 'failed';
    case 'cancelled':
      return 'cancelled';
    case 'refused':
      return isDuplicate(item) ? 'skipped: duplicate' : 'refused';
  }
}
