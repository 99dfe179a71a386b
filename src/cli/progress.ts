/**
 * Progress of a long run: a bar with rate and ETA on a terminal
 * (cli-progress), one plain line per image otherwise (logs, CI, `nohup`),
 * and the final summary. Events of the run (a retry, an endpoint paused or
 * back) are lines of their own as they happen: above the bar on a terminal,
 * one line each in a log.
 */
import { SingleBar } from 'cli-progress';
import { printable } from './file-words';

/** What the runner reports. */
export interface Progress {
  start(total: number, skipped: number): void;
  image(file: string, outcome: { ok: true; ms: number } | { ok: false; error: string }): void;
  stop(): void;
  /**
   * An event worth seeing now (a retry, a pause): one line, before, during or after the bar.
   * Optional, so a silent progress (tests, the benchmark) need not have it; {@link createProgress}'s always does.
   */
  note?(line: string): void;
}

/** A bar on a TTY, plain lines elsewhere. */
export function createProgress(stream: NodeJS.WriteStream = process.stderr): Required<Progress> {
  let total = 0;
  let done = 0;
  let failed = 0;
  if (stream.isTTY) {
    const bar = new SingleBar({
      stream,
      format: '{bar} {value}/{total} | {rate} images/s | ETA {eta_formatted} | failed {failed}',
      hideCursor: true,
      etaBuffer: 50,
      // A note clears the bar's line; the bar must redraw even when its own text did not change.
      forceRedraw: true,
    });
    let active = false;
    const started = Date.now();
    const rate = () => (done / Math.max(0.001, (Date.now() - started) / 1000)).toFixed(2);
    return {
      start: (n) => {
        total = n;
        active = true;
        bar.start(n, 0, { rate: '0.00', failed: 0 });
      },
      image: (_file, outcome) => {
        done += 1;
        if (!outcome.ok) failed += 1;
        bar.update(done, { rate: rate(), failed });
      },
      stop: () => {
        active = false;
        bar.stop();
      },
      note: (line) => {
        // Clear the bar's line, write the note where the bar was, and draw the bar again below it. The bar
        // saved the cursor (ESC 7) where it started and goes back there when it stops: save the new line
        // instead, or the summary after the bar would be written over the notes.
        stream.write(`\r\x1b[K${printable(line)}\n`);
        if (active) {
          stream.write('\x1b7');
          bar.render();
        }
      },
    };
  }
  return {
    start: (n, skipped) => {
      total = n;
      stream.write(`${n} images to caption${skipped ? ` (${skipped} already done, skipped)` : ''}\n`);
    },
    image: (file, outcome) => {
      done += 1;
      const what = outcome.ok ? `ok ${(outcome.ms / 1000).toFixed(1)} s` : `FAILED ${outcome.error}`;
      stream.write(`${printable(`[${done}/${total}] ${file} ${what}`)}\n`);
    },
    stop: () => {},
    note: (line) => void stream.write(`${printable(line)}\n`),
  };
}
