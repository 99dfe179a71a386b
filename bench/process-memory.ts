/**
 * Resident memory of the Chromium processes this run launched (renderers,
 * where pages and their workers live, and the GPU process, where WebGPU's
 * buffers live on SwiftShader), read from Linux's /proc: current RSS and
 * the peak since the last reset. In-page APIs cannot give a peak: they
 * measure a moment, and `measureUserAgentSpecificMemory` waits for a GC.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';

/** Summed over the processes, in bytes. */
export interface ProcessMemory {
  readonly rss: number;
  readonly peak: number;
  readonly processes: number;
  /** The same, split by process type: WebGPU's buffers live in the GPU process, everything else in renderers. */
  readonly byType: Readonly<Record<ProcessType, { readonly rss: number; readonly peak: number }>>;
}

/** The Chromium processes measured. */
export type ProcessType = 'renderer' | 'gpu-process';

/** Parent pid of every process we may read. */
function parents(): Map<number, number> {
  const out = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // "pid (comm) state ppid …": comm may hold spaces and parentheses, so read after the last ")".
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      out.set(Number(entry), ppid);
    } catch {
      // The process ended while we looked.
    }
  }
  return out;
}

/** This process's descendants that are Chromium renderer or GPU processes, with their type. */
function chromiumChildren(): { pid: number; type: ProcessType }[] {
  const tree = parents();
  const mine = new Set([process.pid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, ppid] of tree) {
      if (!mine.has(pid) && mine.has(ppid)) {
        mine.add(pid);
        grew = true;
      }
    }
  }
  return [...mine].flatMap((pid) => {
    try {
      // Zygote children rewrite their title: the arguments may be joined by spaces, not NULs.
      const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      const type = args.match(/(?:^|[\s\0])--type=(renderer|gpu-process)(?:[\s\0]|$)/)?.[1] as ProcessType | undefined;
      return type ? [{ pid, type }] : [];
    } catch {
      return [];
    }
  });
}

function statusKb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const match = readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'));
  return Number(match?.[1] ?? 0) * 1024;
}

/**
 * The processes' memory; with `resetPeak`, each peak is first set back to
 * its current RSS (Linux `clear_refs` 5). Null where /proc cannot tell.
 */
export function chromiumMemory(resetPeak: boolean): ProcessMemory | null {
  if (process.platform !== 'linux') return null;
  const pids = chromiumChildren();
  if (pids.length === 0) return null;
  const byType = { renderer: { rss: 0, peak: 0 }, 'gpu-process': { rss: 0, peak: 0 } };
  for (const { pid, type } of pids) {
    try {
      if (resetPeak) writeFileSync(`/proc/${pid}/clear_refs`, '5');
      // Both read before adding either: a process that ends between them adds nothing.
      const [rss, peak] = [statusKb(pid, 'VmRSS'), statusKb(pid, 'VmHWM')];
      byType[type].rss += rss;
      byType[type].peak += peak;
    } catch {
      // Ended while we looked: it holds no memory now.
    }
  }
  const rss = byType.renderer.rss + byType['gpu-process'].rss;
  const peak = byType.renderer.peak + byType['gpu-process'].peak;
  return { rss, peak, processes: pids.length, byType };
}
