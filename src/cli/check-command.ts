/**
 * The `check` and `--version` commands: what a person types before a
 * cluster run to see that the endpoints answer (check.ts does the work)
 * and which build and runtimes they are on.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { version as PACKAGE_VERSION } from '../../package.json';
import { IMAGE_DOMAINS } from '../capflow/prompts';
import { runtimeVersions } from '../models/runtime/versions';
import { PRESETS, requirePresetId } from '../shared/presets';
import { applyOverride } from '../shared/roles';
import { runCheck } from './check';
import type { ModelPlace } from './engines';
import { chooseRoute } from './offline-route';
import type { Endpoint } from './openai-client';
import { DEFAULT_RETRY } from './retry';
import { oneOf, positiveInt } from './usage';

/** The flags `check` reads (a caption command's flags are accepted too, so one can be checked as it stands). */
export interface CheckFlags {
  readonly image?: string;
  readonly preset?: string;
  readonly router?: string;
  readonly route?: string;
  readonly domain?: string;
  readonly models?: string;
  readonly 'model-host'?: string;
  readonly 'cache-dir'?: string;
  readonly timeout?: string;
  readonly retries?: string;
}

/** Runs `check`; `endpoints` reads the flags' endpoints with their keys. Exit code 1 when a role fails. */
export async function checkCommand(
  flags: CheckFlags,
  endpoints: () => Promise<{ vlm: Endpoint; llm: Endpoint; judge: Endpoint }>,
): Promise<number> {
  const preset = PRESETS[requirePresetId(flags.preset ?? 'balanced')];
  const place: ModelPlace = {
    cacheDir: flags['cache-dir'] ?? join(homedir(), '.cache', 'metacaptioner'),
    ...(flags.models && { modelsDir: flags.models }),
    ...(flags['model-host'] && { host: flags['model-host'] }),
  };
  if (flags.domain !== undefined) oneOf(flags.domain, '--domain', IMAGE_DOMAINS, 'natural');
  const router = applyOverride(preset.router, flags.router ? { kind: 'repo', repo: flags.router } : undefined);
  const { route, notice } = await chooseRoute({
    ...(flags.route && { flag: oneOf(flags.route, '--route', ['local', 'vlm'] as const, 'local') }),
    engine: 'openai',
    routerNamed: flags.router !== undefined,
    pinned: flags.domain !== undefined,
    router,
    place,
  });
  if (notice) process.stderr.write(`${notice}\n`);
  const results = await runCheck({
    settings: {
      ...(await endpoints()),
      timeoutMs: positiveInt(flags.timeout, '--timeout', 120) * 1000,
      // One try by default: a check reports what the endpoint does now, and a retry would hide a flaky one.
      retry: { ...DEFAULT_RETRY, attempts: positiveInt(flags.retries, '--retries', 1) },
    },
    router: route === 'local' && flags.domain === undefined ? { spec: router, place } : null,
    ...(flags.image && { image: flags.image }),
    print: (line) => process.stdout.write(`${line}\n`),
  });
  const failed = results.filter((r) => !r.ok).map((r) => r.role);
  process.stdout.write(
    failed.length
      ? `${failed.join(', ')} failed: fix ${failed.length === 1 ? 'it' : 'them'} before a run.\n`
      : 'Every role answered.\n',
  );
  return failed.length ? 1 : 0;
}

/** `--version`: this package's, and the versions of Node and of the runtimes the local models run on. */
export function versionCommand(): number {
  const runtimes = Object.entries(runtimeVersions())
    .map(([name, v]) => `${name} ${v}`)
    .join(', ');
  process.stdout.write(`metacaptioner ${PACKAGE_VERSION} (Node ${process.versions.node}; ${runtimes})\n`);
  return 0;
}
