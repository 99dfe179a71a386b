/**
 * Durations as people type them on a command line (`90s`, `10m`, `1h30m`,
 * or plain seconds) and as the CLI prints them (`1m20s`).
 */

const UNIT_MS = Object.freeze({ h: 3_600_000, m: 60_000, s: 1000 } as const satisfies Record<string, number>);

/** Milliseconds in `text`: `0`, `45` (seconds), `90s`, `10m`, `1h30m`, `2m30s`; a RangeError naming the form otherwise. */
export function parseDuration(text: string, flag: string): number {
  const value = text.trim();
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  const match = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+(?:\.\d+)?)s)?$/.exec(value);
  if (!match || value === '') {
    throw new RangeError(
      `${flag} must be a duration such as 90s, 10m or 1h30m (plain numbers are seconds); got "${text}".`,
    );
  }
  const [, h = '0', m = '0', s = '0'] = match;
  return Math.round(Number(h) * UNIT_MS.h + Number(m) * UNIT_MS.m + Number(s) * UNIT_MS.s);
}

/** `ms` the way the CLI prints it: `0s`, `45s`, `1m20s`, `10m`, `1h5m`. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const [h, m, s] = [Math.floor(total / 3600), Math.floor((total % 3600) / 60), total % 60];
  if (h) return `${h}h${m ? `${m}m` : ''}`;
  if (m) return `${m}m${s ? `${s}s` : ''}`;
  return `${s}s`;
}
