/**
 * Figure 10's measurement of one load: Chromium's renderer and GPU-process
 * memory sampled every ~50 ms while it runs (each sample is a round trip to
 * the Node runner, which reads /proc), the per-process peaks since the
 * start, the moments the load marks (a file's read beginning or ending),
 * and what is left when the load resolves and once it has settled.
 */
import { commands } from 'vitest/browser';
import type { ProcessMemory } from '../process-memory';

/** Renderer and GPU-process bytes. */
export interface Split {
  readonly renderer: number;
  readonly gpu: number;
}

/** A moment the load reported: `what` (e.g. "initiate onnx/decoder_model_merged.onnx_data") at `Date.now()` time. */
export interface Mark {
  readonly what: string;
  readonly at: number;
}

/** One load, every figure in bytes above the memory just before it. */
export interface LoadMemory {
  /**
   * Each process type's own peak: the larger of Linux's high-water mark
   * (figure 2's "peak") and the most sampled. The mark alone can read low:
   * the kernel updates it when memory is unmapped, not when it is handed
   * back with `madvise`, as Chromium's allocators and SwiftShader do.
   */
  readonly peak: Split;
  /** The most renderer + GPU memory held at one sampled moment. */
  readonly peakTogether: number;
  /** Renderer + GPU when the last file read began or ended (the marks' last), null without marks. */
  readonly atLastRead: Split | null;
  /** When the load (with its warm-up run) resolved. */
  readonly ready: Split;
  /** {@link SETTLE_MS} later, sampled to the end: what the load kept. */
  readonly settled: Split;
  readonly marks: readonly Mark[];
}

/** How long after a load its memory is watched: long enough for a GC of the JS-side copies; a window, not a wait for an event. */
const SETTLE_MS = 3_000;
const EVERY_MS = 50;

function split(m: ProcessMemory, base: ProcessMemory, field: 'rss' | 'peak'): Split {
  return {
    renderer: m.byType.renderer[field] - base.byType.renderer.rss,
    gpu: m.byType['gpu-process'][field] - base.byType['gpu-process'].rss,
  };
}

/** The larger of each type's high-water mark and its most sampled. */
function peakOf(end: ProcessMemory, samples: readonly ProcessMemory[], base: ProcessMemory): Split {
  const marks = split(end, base, 'peak');
  const sampled = samples.map((m) => split(m, base, 'rss'));
  return {
    renderer: Math.max(marks.renderer, ...sampled.map((s) => s.renderer)),
    gpu: Math.max(marks.gpu, ...sampled.map((s) => s.gpu)),
  };
}

async function now(): Promise<ProcessMemory> {
  const m = await commands.benchMemory(false);
  if (!m) throw new Error('process memory vanished during a load');
  return m;
}

/**
 * Runs `load` (which reports marks and resolves to a disposer once ready)
 * and measures it; null where /proc cannot tell (not Linux). Disposes the
 * load's model when done.
 */
export async function measureLoad(
  load: (mark: (what: string) => void) => Promise<() => Promise<void> | void>,
): Promise<LoadMemory | null> {
  const base = await commands.benchMemory(true);
  if (!base) return null;
  const marks: Mark[] = [];
  const samples: { at: number; m: ProcessMemory }[] = [];
  let done = false;
  const sampling = (async () => {
    while (!done) {
      samples.push({ at: Date.now(), m: await now() });
      await new Promise((resolve) => setTimeout(resolve, EVERY_MS));
    }
  })();
  let dispose: () => Promise<void> | void = () => undefined;
  try {
    dispose = await load((what) => marks.push({ what, at: Date.now() }));
    const readyAt = await now();
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    done = true;
    await sampling;
    const end = await now();
    const together = (m: ProcessMemory) => m.rss - base.rss;
    const lastMark = marks.at(-1)?.at;
    const atRead = lastMark === undefined ? undefined : samples.find((s) => s.at >= lastMark);
    return {
      peak: peakOf(end, [...samples.map((s) => s.m), readyAt], base),
      peakTogether: Math.max(...samples.map((s) => together(s.m)), together(readyAt)),
      atLastRead: atRead ? split(atRead.m, base, 'rss') : null,
      ready: split(readyAt, base, 'rss'),
      settled: split(end, base, 'rss'),
      marks,
    };
  } finally {
    done = true;
    await sampling;
    await dispose();
  }
}
