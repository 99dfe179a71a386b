/**
 * What the CLI's operations tests share: a work folder of nine small images
 * served by a canned OpenAI-compatible server, the CLI run in this process
 * (exit code, stdout, stderr, extra environment) or as a shell command line
 * the way a scheduler runs it, and DEPLOY.md's `metacaptioner` commands.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './in-process-cli';
import type { RunLine } from '../../src/cli/run-log';
import { type CannedServer, startCannedServer } from './canned-openai';
import { solidPng } from './png';

/** The repository (tests run from its root) and the built CLI's entry. */
export const REPO = process.cwd();
export const BIN = join(REPO, 'bin/metacaptioner.js');

/** A work folder with `imgs/<0-2>/img-<0-8>.png` and a canned server. */
export interface OpsWorkspace {
  readonly work: string;
  readonly server: CannedServer;
  /** `--engine openai` at the canned server. */
  readonly openai: readonly string[];
  /** Runs the CLI in this process from `work`, with `env` added to the environment. */
  cli(args: readonly string[], env?: Record<string, string>): Promise<{ code: number; out: string; err: string }>;
  /** Runs a shell command line from `work` with `env`; its exit code and stderr. */
  shell(line: string, env: Record<string, string>): Promise<{ code: number | null; err: string }>;
  /** The records of a run log under `work`. */
  lines(file: string): RunLine[];
  dispose(): Promise<void>;
}

/** Makes the work folder and starts the server. */
export async function opsWorkspace(): Promise<OpsWorkspace> {
  const work = mkdtempSync(join(tmpdir(), 'mc-ops-'));
  const server = await startCannedServer();
  for (let i = 0; i < 9; i++) {
    mkdirSync(join(work, 'imgs', String(i % 3)), { recursive: true });
    writeFileSync(join(work, 'imgs', String(i % 3), `img-${i}.png`), solidPng(20 * i, 100, 200 - 20 * i));
  }
  return {
    work,
    server,
    openai: ['--engine', 'openai', '--endpoint', server.url, '--vlm-model', server.model],
    cli: (args, env = {}) => runCli(args, { cwd: work, env }),
    shell: (line, env) =>
      new Promise((resolve, reject) => {
        const child = spawn('sh', ['-c', line], {
          cwd: work,
          env: { ...process.env, ...env },
          stdio: ['ignore', 'ignore', 'pipe'],
        });
        let err = '';
        child.stderr.on('data', (d: Buffer) => (err += d.toString()));
        child.once('error', reject);
        child.once('exit', (code) => resolve({ code, err }));
      }),
    lines: (file) =>
      readFileSync(join(work, file), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as RunLine),
    dispose: async () => {
      await server.close();
      rmSync(work, { recursive: true, force: true });
    },
  };
}

/**
 * DEPLOY.md's (or another doc's) code blocks, continuation lines joined: every `npx metacaptioner …` command,
 * as its words after the program, without a trailing `# comment`. A quoted word (a glob in single quotes) is part of the command; a
 * lone quote ends it (the closing quote of `sbatch --wrap '…'`).
 */
export function deployCommands(doc = 'DEPLOY.md'): string[] {
  const blocks = [...readFileSync(join(REPO, doc), 'utf8').matchAll(/```[a-z]*\n([\s\S]*?)```/g)];
  return blocks.flatMap(([, body = '']) =>
    [...body.replace(/\\\n\s*/g, ' ').matchAll(/npx metacaptioner ((?:'[^'\n]*'|[^'\n])*)/g)].map(([, rest = '']) =>
      rest.replace(/\s+#.*$/, '').trim(),
    ),
  );
}

/** Splits a shell command line into words the way sh would for these commands: quotes, and `$NAME` from `env`. */
export function words(line: string, env: Record<string, string>): string[] {
  const expand = (s: string) => s.replace(/\$([A-Z_]+)/g, (_, name: string) => env[name] ?? `$${name}`);
  return [...line.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map(([, dq, sq, bare]) =>
    dq !== undefined ? expand(dq) : sq !== undefined ? sq : expand(bare ?? ''),
  );
}
