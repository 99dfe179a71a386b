/**
 * The CLI run in the test's own process (fast: no process start, the
 * models and servers of the test stay warm): `main(args)` with stdout and
 * stderr captured, from a working folder and with extra environment
 * variables, all restored afterwards.
 */
import { main } from '../../src/cli/main';

/** What one run of the CLI returned and printed. */
export interface CliRun {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/** Where and with what environment the CLI runs; both default to the test's own. */
export interface CliPlace {
  readonly cwd?: string;
  readonly env?: Readonly<Record<string, string>>;
}

/** Runs the CLI with `args` in this process; resolves with its exit code and what it printed. */
export async function runCli(args: readonly string[], place: CliPlace = {}): Promise<CliRun> {
  let [out, err] = ['', ''];
  const [stdout, stderr] = [process.stdout.write, process.stderr.write];
  const env = place.env ?? {};
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  const cwd = process.cwd();
  process.stdout.write = ((chunk: string | Uint8Array) => ((out += String(chunk)), true)) as typeof stdout;
  process.stderr.write = ((chunk: string | Uint8Array) => ((err += String(chunk)), true)) as typeof stderr;
  Object.assign(process.env, env);
  if (place.cwd) process.chdir(place.cwd);
  try {
    return { code: await main([...args]), out, err };
  } finally {
    process.chdir(cwd);
    process.stdout.write = stdout;
    process.stderr.write = stderr;
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}
