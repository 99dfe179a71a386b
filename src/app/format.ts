/** Small formatting helpers for the page. */

/** Bytes as a short human string ("12.3 MB"). */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = -1;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/**
 * A caught value as a sentence for the page. Our errors' messages are
 * written for people; their class names are not, and stay out of it (the
 * console and the trace keep them).
 */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}

/** A dtype choice in a few characters: "q4", or "fp32+q4" when its sessions differ. */
export function describeDtype(choice: unknown): string {
  if (typeof choice === 'string') return choice;
  if (choice && typeof choice === 'object') return [...new Set(Object.values(choice).map(String))].join('+');
  return 'unknown';
}

/** Device and the dtype of each role, e.g. "webgpu · vlm fp32+q4 · llm q4". */
export function describeRuntime(runtime: {
  readonly device: string;
  readonly dtypes: Readonly<Record<string, unknown>>;
}): string {
  const roles = Object.entries(runtime.dtypes).map(([role, d]) => `${role} ${describeDtype(d)}`);
  return [runtime.device, ...roles].join(' · ');
}
