/**
 * Progress of a long run: a bar with rate and ETA on a terminal
 * (cli-progress), one plain line per image otherwise (logs, CI, `nohup`),
 * and the final summary.
 */
import { SingleBar } from 'cli-progress';
import { printable } from './file-words';

/** What the runner reports. */
export interface Progress {
  start(total: number, skipped: number): void;
  image(file: string, outcome: { ok: true; ms: number } | { ok: false; error: string }): void;
  stop(): void;
}

/** A bar on a TTY, plain lines elsewhere. */
export function createProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  let total = 0;
  let done = 0;
  let failed = 0;
  if (stream.isTTY) {
    const bar = new SingleBar({
      stream,
      format: '{bar} {value}/{total} | {rate} images/s | ETA {eta_formatted} | failed {failed}',
      hideCursor: true,
      etaBuffer: 50,
    });
    const started = Date.now();
    const rate = () => (done / Math.max(0.001, (Date.now() - started) / 1000)).toFixed(2);
    return {
      start: (n) => {
        total = n;
        bar.start(n, 0, { rate: '0.00', failed: 0 });
      },
      image: (_file, outcome) => {
        done += 1;
        if (!outcome.ok) failed += 1;
        bar.update(done, { rate: rate(), failed });
      },
      stop: () => bar.stop(),
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
  };
}
