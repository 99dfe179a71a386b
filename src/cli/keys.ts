/**
 * Which API key, if any, goes to an endpoint. A key is a secret: it is
 * sent only where the user asked for it (`--api-key-env NAME`), or where
 * sending the conventional `OPENAI_API_KEY` cannot leak it (an `https`
 * endpoint). Plain `http` to another machine carries the key readable on
 * the wire, so that takes `--allow-insecure-key` on top; `http` to this
 * machine (loopback) does not leave it. The same key goes to `/models` and
 * to chat requests (the {@link Endpoint} carries it), so the rule covers
 * both.
 */

/** The variable OpenAI's own clients read, and ours by default. */
export const DEFAULT_KEY_ENV = 'OPENAI_API_KEY';

/** What the user said about keys. */
export interface KeyFlags {
  /** `--api-key-env NAME`: the variable the user named, when they named one. */
  readonly keyEnv?: string;
  /** `--allow-insecure-key`: plain http to another machine may carry the key. */
  readonly allowInsecure: boolean;
}

/** The decision for one endpoint URL. */
export type KeyChoice =
  /** A key is sent, read from `variable`. */
  | { readonly kind: 'send'; readonly variable: string; readonly key: string }
  /** No key is sent; `unsent` names a set default variable that was held back (plain http), for the notice. */
  | { readonly kind: 'none'; readonly unsent?: string }
  /** A key the user named would cross plain http to another machine: refused (`--allow-insecure-key`). */
  | { readonly kind: 'refused'; readonly variable: string; readonly host: string }
  /** The user named a variable that is unset or empty. */
  | { readonly kind: 'unset'; readonly variable: string };

/** Is `hostname` (as `URL` gives it) this machine: localhost, 127.0.0.0/8 or ::1? */
export function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    host === '::1' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host) ||
    /^::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)
  );
}

/** The key decision for an endpoint at `url`, from the flags and the environment `env`. */
export function chooseKey(url: string, flags: KeyFlags, env: Readonly<Record<string, string | undefined>>): KeyChoice {
  const { protocol, hostname } = new URL(url);
  const secure = protocol === 'https:' || isLoopback(hostname);
  if (flags.keyEnv !== undefined) {
    const key = env[flags.keyEnv];
    if (!key) return { kind: 'unset', variable: flags.keyEnv };
    if (!secure && !flags.allowInsecure) return { kind: 'refused', variable: flags.keyEnv, host: hostname };
    return { kind: 'send', variable: flags.keyEnv, key };
  }
  const key = env[DEFAULT_KEY_ENV];
  if (!key) return { kind: 'none' };
  // Only https: a local http server rarely wants a key, and the default variable is often set for another service.
  if (protocol === 'https:') return { kind: 'send', variable: DEFAULT_KEY_ENV, key };
  return { kind: 'none', unsent: DEFAULT_KEY_ENV };
}

/** A key decision the run cannot go on with. */
export class KeyRefusedError extends Error {
  override readonly name = 'KeyRefusedError';
}

/**
 * The keys of a run's endpoints (by URL), and the one notice to print about
 * them (null: nothing to say). Throws a KeyRefusedError naming the endpoint
 * and the flag when a named key would cross plain http, or the variable is unset.
 */
export function keysFor(
  urls: readonly string[],
  flags: KeyFlags,
  env: Readonly<Record<string, string | undefined>>,
): { readonly keys: ReadonlyMap<string, string>; readonly notice: string | null } {
  const keys = new Map<string, string>();
  const sent = new Map<string, string[]>();
  const unsent: string[] = [];
  for (const url of new Set(urls)) {
    const choice = chooseKey(url, flags, env);
    switch (choice.kind) {
      case 'unset':
        throw new KeyRefusedError(
          `--api-key-env ${choice.variable}: the variable ${choice.variable} is not set (or empty) in this environment.`,
        );
      case 'refused':
        throw new KeyRefusedError(
          `Not sending the API key in $${choice.variable} to ${url}: it is plain http to another machine (${choice.host}), ` +
            'where anyone on the network path can read it. Use https, or add --allow-insecure-key if this network is trusted.',
        );
      case 'send':
        keys.set(url, choice.key);
        sent.set(choice.variable, [...(sent.get(choice.variable) ?? []), url]);
        break;
      case 'none':
        if (choice.unsent) unsent.push(url);
    }
  }
  const lines = [
    ...[...sent].map(([variable, to]) => `API key: $${variable}, sent to ${to.join(', ')}.`),
    ...(unsent.length
      ? [
          `API key: $${DEFAULT_KEY_ENV} is set but not sent to ${unsent.join(', ')} (plain http; ` +
            `--api-key-env ${DEFAULT_KEY_ENV} sends it).`,
        ]
      : []),
  ];
  return { keys, notice: lines.length ? lines.join('\n') : null };
}
