/**
 * `metacaptioner`: the CapFlow workflow of the app, run from a terminal over
 * folders of images — on this machine's CPU (`--engine local`, the app's
 * presets on onnxruntime-node) or against OpenAI-compatible serving
 * engines (`--engine openai`: vLLM, SGLang, TGI, llama.cpp, Ollama) — with
 * resumable output, sharding across machines, `merge` and `export`.
 */
import { parseArgs } from 'node:util';
import { caption } from './caption-command';
import { CAPTION_FLAGS, CAPTION_USAGE } from './caption-flags';
import { checkCommand, versionCommand } from './check-command';
import { DISTILL_CHECK_USAGE, distillCheck } from './distill/check-command';
import { DISTILL_PREPARE_USAGE, distillPrepare } from './distill/prepare-command';
import { endpoints } from './endpoint-flags';
import { EXPORT_FORMATS, type ExportFormat, exportBytes, writeSidecars } from './export';
import { printable } from './file-words';
import { listInputs } from './inputs';
import { mergeProblems, mergeRunLogs } from './merge';
import { checkOutput, writeOutput } from './outputs';
import { readRunLog } from './run-log';
import { UsageError, oneOf } from './usage';

const USAGE = `Usage:
  metacaptioner caption <folders, files or globs…> --out captions.jsonl [options]
  metacaptioner merge <shard outputs…> --out all.jsonl [--inputs <folders, files or globs…>]
  metacaptioner export <captions.jsonl> --format ${EXPORT_FORMATS.join('|')} [--out file]
  metacaptioner check <endpoint options> [--image FILE]   one image through every role: answers, tokens, latency
  metacaptioner --version

${CAPTION_USAGE}

${DISTILL_PREPARE_USAGE}

${DISTILL_CHECK_USAGE}`;

/** `check`: one image through every role of the endpoints the flags name (check-command.ts). */
function check(args: readonly string[]): Promise<number> {
  const { values: flags } = parseArgs({ args: [...args], options: { ...CAPTION_FLAGS, image: { type: 'string' } } });
  return checkCommand(flags, () => endpoints(flags));
}

async function merge(args: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: { out: { type: 'string' }, inputs: { type: 'string', multiple: true } },
    allowPositionals: true,
  });
  if (!values.out || positionals.length === 0) throw new UsageError('merge needs the outputs to merge and --out FILE.');
  await checkOutput(values.out, positionals);
  const logs = await Promise.all(positionals.map(async (path) => ({ path, lines: await readRunLog(path) })));
  const merged = mergeRunLogs(logs, values.inputs ? (await listInputs(values.inputs)).files : undefined);
  const problems = mergeProblems(merged);
  if (problems.length) {
    process.stderr.write(`Not merged:\n${problems.map((p) => `  ${p}`).join('\n')}\n`);
    return 1;
  }
  await writeOutput(values.out, merged.lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
  const failed = merged.lines.filter((l) => !l.ok).length;
  process.stdout.write(
    `Merged ${merged.lines.length} images (${failed} failures) from ${logs.length} files into ${values.out}.\n`,
  );
  return 0;
}

async function exportRun(args: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: { out: { type: 'string' }, format: { type: 'string' } },
    allowPositionals: true,
  });
  const [input] = positionals;
  if (!input) throw new UsageError('export needs the JSONL of a run.');
  const format: ExportFormat = oneOf(values.format, '--format', EXPORT_FORMATS, 'jsonl');
  if (values.out) await checkOutput(values.out, [input]);
  const lines = await readRunLog(input);
  if (format === 'sidecars') {
    process.stdout.write(`Wrote ${await writeSidecars(lines)} sidecar files.\n`);
    return 0;
  }
  const bytes = exportBytes(lines, format);
  if (values.out) await writeOutput(values.out, bytes);
  else process.stdout.write(bytes);
  return 0;
}

/** Runs the command line; resolves with the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'caption':
        return await caption(rest);
      case 'merge':
        return await merge(rest);
      case 'export':
        return await exportRun(rest);
      case 'check':
        return await check(rest);
      case 'distill':
        if (rest[0] === 'prepare') return await distillPrepare(rest.slice(1));
        if (rest[0] === 'check') return await distillCheck(rest.slice(1));
        throw new UsageError('distill has two subcommands: distill prepare and distill check.');
      case '--version':
      case '-V':
      case 'version':
        return versionCommand();
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        process.stdout.write(`${USAGE}\n`);
        return command === undefined ? 1 : 0;
      default:
        throw new UsageError(`"${command}" is not a command.`);
    }
  } catch (err) {
    const usage = err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    process.stderr.write(`${printable(err instanceof Error ? `${err.name}: ${err.message}` : String(err))}\n`);
    if (usage) process.stderr.write(`\n${USAGE}\n`);
    return usage ? 2 : 1;
  }
}
