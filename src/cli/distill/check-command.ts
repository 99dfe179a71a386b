/**
 * `metacaptioner distill check DIR --data PREPARED`: loads a model folder
 * (a student exported for transformers.js) as the VLM through the CLI's
 * local engine, the code `caption --vlm NAME --models PARENT` runs, asks it
 * the single-pass prompt of the first validation examples of a `distill
 * prepare` output, and scores each caption against its CapFlow caption
 * (overlap.ts). Reads DIR and PREPARED, writes into neither.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { cleanCaption } from '../../capflow/prompts';
import { shapeCaption } from '../../capflow/styles';
import { CountingInterrupt } from '../../models/jobs';
import type { Vlm } from '../../models/vlm';
import type { Dtype } from '../../shared/model-spec';
import { DTYPE_SUFFIXES } from '../../shared/model-files';
import { loadLocalVlm } from '../engines';
import { type CliImage, readImageFile } from '../images';
import { UsageError, oneOf, positiveInt } from '../usage';
import { readCheckData, styleTokens } from './check-data';
import { type CheckRow, reportJson, reportText } from './check-report';
import { checkModelFolder } from './model-folder';
import { unigramF1 } from './overlap';

/** The usage lines of `distill check`. */
export const DISTILL_CHECK_USAGE = `metacaptioner distill check <model folder> --data <prepare output> [options]
    captions the first validation images with the model folder (a student exported for transformers.js) through
    the local engine and scores each against its CapFlow caption (docs/distill.md)
    --n N                   images to caption (default 8; train.jsonl's when val.jsonl is empty)
    --max-tokens N          longest caption, in tokens (default: the set's style's, as the app's single pass)
    --dtype D               one dtype for every session (${Object.keys(DTYPE_SUFFIXES).join('|')}; default the family's CPU plan)
    --json                  print the results as JSON`;

const FLAGS = {
  data: { type: 'string' },
  n: { type: 'string' },
  'max-tokens': { type: 'string' },
  dtype: { type: 'string' },
  json: { type: 'boolean' },
} as const;

const DTYPES = Object.keys(DTYPE_SUFFIXES) as Dtype[];

/** `distill check`: resolves with the exit code (130 when stopped by Ctrl-C). */
export async function distillCheck(args: readonly string[]): Promise<number> {
  const { values: flags, positionals } = parseArgs({ args: [...args], options: FLAGS, allowPositionals: true });
  const [dir, ...more] = positionals;
  if (!dir || !flags.data) throw new UsageError('distill check needs a model folder and --data, a prepare output.');
  if (more.length) throw new UsageError(`distill check takes one model folder; got also ${more.join(', ')}.`);
  const n = positiveInt(flags.n, '--n', 8);
  const dtype = flags.dtype === undefined ? null : oneOf<Dtype>(flags.dtype, '--dtype', DTYPES, 'fp32');
  const say = (line: string) => process.stderr.write(`${line}\n`);

  // Everything that can be wrong with the inputs is found before the model loads.
  const model = await checkModelFolder(dir, dtype);
  const data = await readCheckData(flags.data, n, say);
  const maxNewTokens = positiveInt(flags['max-tokens'], '--max-tokens', styleTokens(data.style));
  const images: CliImage[] = [];
  for (const e of data.examples) images.push(await readImageFile(e.path, e.path));

  const abort = new AbortController();
  const stopping = new CountingInterrupt();
  const stop = () => {
    say('\nStopping.');
    stopping.interrupt();
    abort.abort();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  let vlm: Vlm | null = null;
  try {
    say(
      `Loading ${dir} (${model.family}, ${typeof model.dtype === 'string' ? model.dtype : Object.values(model.dtype).join('/')}) on the CPU…`,
    );
    const loadStart = performance.now();
    vlm = await loadLocalVlm(model.spec, {
      cacheDir: join(homedir(), '.cache', 'metacaptioner'),
      modelsDir: model.modelsDir,
    });
    const loadMs = performance.now() - loadStart;
    const rows: CheckRow[] = [];
    for (const [at, e] of data.examples.entries()) {
      if (abort.signal.aborted) return 130;
      say(`[${at + 1}/${data.examples.length}] ${e.image}`);
      const start = performance.now();
      const out = await vlm.generate([images[at]!.raw], {
        prompt: e.prompt,
        maxNewTokens,
        stopping,
      });
      if (abort.signal.aborted) return 130;
      // As the app's single pass shapes its caption (workflow.ts), so the score is of what a user would get.
      const caption = shapeCaption(cleanCaption(out.text), data.style);
      rows.push({
        image: e.image,
        score: unigramF1(caption, e.reference),
        ms: performance.now() - start,
        tokens: out.tokens,
        caption,
        reference: e.reference,
      });
    }
    const report = {
      model: dir,
      dtype: model.dtype,
      data: data.file,
      split: data.split,
      available: data.total,
      loadMs,
      rows,
    };
    process.stdout.write(flags.json ? reportJson(report) : reportText(report));
    return 0;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await vlm?.dispose();
  }
}
