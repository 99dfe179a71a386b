/**
 * Pure arithmetic and wording for the batch's progress: counts, the ETA
 * from measured per-item times, and a human stage name for each engine
 * step, so the page, the element and tests agree on them.
 */
import { AGENTS } from '../capflow/spec';
import { type AgentId } from '../shared/record';
import type { ItemStatus, SessionItem } from './item';

/** Counts of a batch. `total` leaves refused files out (they never entered the queue). */
export interface BatchCounts {
  readonly total: number;
  readonly done: number;
  readonly failed: number;
  readonly cancelled: number;
  readonly pending: number;
}

/** Counts the items by status. */
export function countItems(items: readonly { readonly status: ItemStatus }[]): BatchCounts {
  const by = (s: ItemStatus) => items.filter((i) => i.status === s).length;
  const pending = by('queued') + by('running');
  return {
    total: items.length - by('refused'),
    done: by('done'),
    failed: by('failed'),
    cancelled: by('cancelled'),
    pending,
  };
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
export function statusText(item: Pick<SessionItem, 'status'>): string {
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
      return 'refused';
  }
}
