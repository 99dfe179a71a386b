/**
 * `--shard auto` under the schedulers clusters run, with DEPLOY.md's own
 * commands: its Slurm array script as three separate processes of the built
 * CLI (`npm run build:cli`), its Kubernetes Indexed Job as three pods, each
 * followed by its merge; and the errors of missing or contradictory
 * variables. Against the canned server, so in seconds.
 */
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BIN, type OpsWorkspace, deployCommands, opsWorkspace, words } from '../support/ops-cli';

let ws: OpsWorkspace;

beforeAll(async () => {
  ws = await opsWorkspace();
});

afterAll(async () => {
  await ws?.dispose();
});

describe('schedulers', () => {
  const deploy = deployCommands();
  /** DEPLOY.md's `metacaptioner <sub> … <has> …` command (the words after `npx metacaptioner`). */
  const command = (sub: string, has: string) => {
    const found = deploy.find((c) => c.startsWith(`${sub} `) && c.includes(has));
    if (!found) throw new Error(`DEPLOY.md has no "metacaptioner ${sub} … ${has}" command`);
    return found;
  };
  /** A merge command's words, its folders mapped to this test's and its `shard-*.jsonl` glob expanded as sh would. */
  const mergeWords = (line: string, folders: Record<string, string>) =>
    words(
      Object.entries(folders).reduce((l, [from, to]) => l.replaceAll(from, to), line),
      {},
    ).flatMap((w) =>
      w.endsWith('/shard-*.jsonl')
        ? readdirSync(join(ws.work, w.slice(0, -'/shard-*.jsonl'.length)))
            .filter((f) => /^shard-.*\.jsonl$/.test(f))
            .sort()
            .map((f) => join(w.slice(0, -'/shard-*.jsonl'.length), f))
        : [w],
    );
  const env = () => ({ IMAGES: 'imgs', ENDPOINT: ws.server.url, MODEL: ws.server.model, HOME: join(ws.work, 'home') });
  const captions = (file: string) => Object.fromEntries(ws.lines(file).map((l) => [l.file, l.ok && l.record.caption]));

  test('DEPLOY.md’s Slurm array script as three processes numbered from 1, then its merge', async () => {
    mkdirSync(join(ws.work, 'slurm'));
    const slurm = (id: number) => ({
      ...env(),
      OUT: 'slurm',
      SLURM_ARRAY_TASK_ID: String(id),
      SLURM_ARRAY_TASK_COUNT: '3',
      SLURM_ARRAY_TASK_MIN: '1',
      SLURM_ARRAY_TASK_MAX: '3',
      SLURM_ARRAY_TASK_STEP: '1',
    });
    // As sh runs the script's line, the built CLI standing for `npx metacaptioner`.
    const caption = `"${process.execPath}" "${BIN}" ${command('caption', '$SLURM_ARRAY_TASK_ID')}`;
    const tasks = await Promise.all([1, 2, 3].map((id) => ws.shell(caption, slurm(id))));
    tasks.forEach((t, i) => {
      expect(t.code, t.err).toBe(0);
      expect(t.err).toMatch(
        new RegExp(`Shard ${i + 1}/3 \\(SLURM_ARRAY_TASK_ID=${i + 1} in 1…3 \\(3 tasks\\)\\): \\d of 9 images`),
      );
    });
    const merge = mergeWords(command('merge', '/shared/captions/shard-*.jsonl'), {
      '/shared/captions': 'slurm',
      '/shared/images': 'imgs',
    });
    expect(merge.filter((w) => w.startsWith('slurm/shard-'))).toHaveLength(3);
    const merged = await ws.cli(merge);
    expect(merged.code, merged.err).toBe(0);
    const all = ws.lines('slurm/all.jsonl');
    expect(all.map((l) => l.file)).toEqual(all.map((l) => l.file).toSorted());
    expect(all.filter((l) => l.ok)).toHaveLength(9);
  }, 60_000);

  test('DEPLOY.md’s Kubernetes Indexed Job as three pods indexed from 0, then its merge Job: the same captions', async () => {
    mkdirSync(join(ws.work, 'k8s'));
    // The manifest's command, for a Job of `completions: 3`.
    const caption = command('caption', '$JOB_COMPLETION_INDEX').replace('--shards 8', '--shards 3');
    for (const index of [0, 1, 2]) {
      const pod = { ...env(), OUT: 'k8s', JOB_COMPLETION_INDEX: String(index) };
      const run = await ws.cli(words(caption, pod), pod);
      expect(run.code, run.err).toBe(0);
      expect(run.err).toContain(`Shard ${index + 1}/3 (JOB_COMPLETION_INDEX=${index} of 3)`);
    }
    const merge = mergeWords(command('merge', '/data/captions/shard-*.jsonl'), {
      '/data/captions': 'k8s',
      '/data/images': 'imgs',
    });
    const merged = await ws.cli(merge);
    expect(merged.code, merged.err).toBe(0);
    expect(captions('k8s/all.jsonl')).toEqual(captions('slurm/all.jsonl'));
  });

  test('--shard auto with missing or contradictory variables stops before any request, naming them', async () => {
    ws.server.seen.length = 0;
    const args = ['caption', 'imgs', '--out', 'bad.jsonl', ...ws.openai, '--shard', 'auto'];
    const none = await ws.cli(args);
    expect(none.code).not.toBe(0);
    expect(none.err).toContain('--shard auto found no scheduler');
    const both = await ws.cli(args, {
      SLURM_ARRAY_TASK_ID: '0',
      SLURM_ARRAY_TASK_COUNT: '2',
      JOB_COMPLETION_INDEX: '0',
    });
    expect(both.err).toContain('found both a Slurm array task');
    const noCount = await ws.cli(args, { JOB_COMPLETION_INDEX: '1' });
    expect(noCount.err).toContain('add --shards N');
    expect(ws.server.seen).toEqual([]);
  });
});
