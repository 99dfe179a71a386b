/** The command line's own mistakes: the error that prints the usage, and the readers of numeric and choice flags. */
import { parseDuration } from './durations';

/** A mistake in the command line: its message and the usage. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** A whole-number flag ≥ `min`, or `fallback` when absent. */
export function positiveInt(value: string | undefined, flag: string, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${flag} must be a whole number ≥ ${min}; got "${value}".`);
  return n;
}

/** A flag that is one of `allowed`, or `fallback` when absent. */
export function oneOf<T extends string>(
  value: string | undefined,
  flag: string,
  allowed: readonly T[],
  fallback: T,
): T {
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new UsageError(`${flag} must be one of ${allowed.join(', ')}; got "${value}".`);
  }
  return value as T;
}

/** A duration flag (90s, 10m, 1h30m, plain seconds, 0) in milliseconds, or a usage error naming the flag. */
export function duration(value: string | undefined, flag: string, fallback: string): number {
  try {
    return parseDuration(value ?? fallback, flag);
  } catch (err) {
    throw err instanceof RangeError ? new UsageError(err.message) : err;
  }
}
