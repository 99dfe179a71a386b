/** The CLI's pure parts: shards, the request limiter, retries with backoff, the output file's repair. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { Limiter } from '../../src/cli/limiter';
import { mergeProblems, mergeRunLogs } from '../../src/cli/merge';
import {
  DEFAULT_RETRY,
  RetriesExhaustedError,
  TransientError,
  backoffMs,
  retryAfterSeconds,
  withRetries,
} from '../../src/cli/retry';
import { type RunLine, readRunLog } from '../../src/cli/run-log';
import { inShard, parseShard } from '../../src/cli/shard';
import { createProgress } from '../../src/cli/progress';
import { solidPng } from '../support/png';

describe('shards', () => {
  test('every path is in exactly one shard, the same on every call, and the shares are even', () => {
    const paths = Array.from({ length: 3000 }, (_, i) => `photos/${i % 7}/img-${i}.jpg`);
    const shards = [1, 2, 3].map((index) => ({ index, count: 3 }));
    const owners = paths.map((p) => shards.filter((s) => inShard(p, s)).map((s) => s.index));
    expect(owners.every((o) => o.length === 1)).toBe(true);
    const counts = [1, 2, 3].map((i) => owners.filter((o) => o[0] === i).length);
    for (const c of counts) expect(c).toBeGreaterThan(900);
    // Fixed by the path alone: what another machine computes.
    expect(paths.slice(0, 6).map((p) => shards.findIndex((s) => inShard(p, s)) + 1)).toEqual([1, 3, 2, 3, 1, 2]);
  });

  test('--shard is read as i/n or refused with the form', () => {
    expect(parseShard('2/3')).toEqual({ index: 2, count: 3 });
    for (const bad of ['0/3', '4/3', '3', 'a/b', '1/0', ''])
      expect(() => parseShard(bad)).toThrow('--shard must be i/n with 1 ≤ i ≤ n (e.g. 2/3)');
  });
});

test('the limiter never runs more than its bound and keeps the peak', async () => {
  const limiter = new Limiter(3);
  let running = 0;
  let peak = 0;
  await Promise.all(
    Array.from({ length: 10 }, () =>
      limiter.run(async () => {
        running += 1;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 5));
        running -= 1;
      }),
    ),
  );
  expect([peak, limiter.maxInFlight]).toEqual([3, 3]);
  expect(() => new Limiter(0)).toThrow('concurrency must be a whole number ≥ 1; got 0');
});

describe('retries', () => {
  const waits: number[] = [];
  const policy = { ...DEFAULT_RETRY, attempts: 4, random: () => 1, sleep: async (ms: number) => void waits.push(ms) };

  test('transient failures back off exponentially (jittered), honour Retry-After, then give up with the last reason', async () => {
    waits.length = 0;
    let calls = 0;
    const result = await withRetries(async () => {
      calls += 1;
      if (calls === 1) throw new TransientError('server-error', 'HTTP 503');
      if (calls === 2) throw new TransientError('rate-limited', 'HTTP 429', 7);
      if (calls === 3) throw new TransientError('malformed', 'not JSON');
      return 'ok';
    }, policy);
    expect(result).toBe('ok');
    expect(waits).toEqual([500, 7000, 2000]);
    await expect(
      withRetries(async () => {
        throw new TransientError('timeout', 'no answer');
      }, policy),
    ).rejects.toMatchObject({ name: 'RetriesExhaustedError', attempts: 4, last: { reason: 'timeout' } });
    expect(backoffMs(20, new TransientError('timeout', ''), policy)).toBe(DEFAULT_RETRY.maxMs);
    expect(backoffMs(3, new TransientError('timeout', ''), { ...policy, random: () => 0.25 })).toBe(500);
  });

  test('Retry-After is read as seconds or as an HTTP date; an unreadable or past one is no wait', () => {
    const now = Date.parse('Mon, 07 Dec 2026 04:00:00 GMT');
    expect(retryAfterSeconds('7', now)).toBe(7);
    expect(retryAfterSeconds('Mon, 07 Dec 2026 04:00:30 GMT', now)).toBe(30);
    expect(retryAfterSeconds('Mon, 07 Dec 2026 03:59:00 GMT', now)).toBeNull();
    expect(retryAfterSeconds('soon', now)).toBeNull();
    expect(retryAfterSeconds('0', now)).toBeNull();
    expect(retryAfterSeconds(null, now)).toBeNull();
  });

  test('anything else fails at once', async () => {
    let calls = 0;
    const refused = withRetries(async () => {
      calls += 1;
      throw new Error('HTTP 400');
    }, policy);
    await expect(refused).rejects.toThrow('HTTP 400');
    expect(calls).toBe(1);
    expect(new RetriesExhaustedError(new TransientError('timeout', 'x'), 2).message).toBe('x (gave up after 2 tries)');
  });
});

describe('the output file', () => {
  const ok = (file: string, shard?: string): RunLine =>
    ({ version: 1, file, ok: true, record: { caption: file } as never, ...(shard && { shard }) }) as RunLine;

  test('a line cut short by a kill is cut off when a run resumes, and named otherwise', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'mc-runlog-')), 'out.jsonl');
    writeFileSync(path, `${JSON.stringify(ok('a.png'))}\n{"version":1,"fi`);
    await expect(readRunLog(path)).rejects.toThrow('ends in a partial line');
    expect((await readRunLog(path, true)).map((l) => l.file)).toEqual(['a.png']);
    expect(readFileSync(path, 'utf8')).toBe(`${JSON.stringify(ok('a.png'))}\n`);
    writeFileSync(path, '{"caption":"not ours"}\n');
    await expect(readRunLog(path)).rejects.toThrow(/is not a MetaCaptioner run log \(it does not begin with/);
  });

  test('a file that is not a run log is refused untouched, whatever its shape; only a record cut short is repaired', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mc-runlog-'));
    const log = `${JSON.stringify(ok('a.png'))}\n`;
    const refused: [string, string | Uint8Array, RegExp][] = [
      ['image.png', solidPng(200, 10, 10), /does not begin with/],
      ['words.txt', 'no newline at all', /does not begin with/],
      ['notes.txt', 'line one\nline two\n', /does not begin with/],
      ['other.jsonl', '{"caption":"a"}\n{"caption":"b', /does not begin with/],
      ['later-garbage.jsonl', `${log}not json\n`, /line 2 is not JSON/],
      ['tail-garbage.jsonl', `${log}garbage without newline`, /last line is neither a record nor the start of one/],
      ['wrong-version.jsonl', `${log}${JSON.stringify({ ...ok('b.png'), version: 2 })}\n`, /line 2 is not a record/],
    ];
    for (const [name, contents, why] of refused) {
      const path = join(dir, name);
      writeFileSync(path, contents);
      const before = readFileSync(path);
      await expect(readRunLog(path, true), name).rejects.toThrow(why);
      await expect(readRunLog(path, true), name).rejects.toThrow(
        /is not a MetaCaptioner run log .*; it was left as it is\./,
      );
      expect(readFileSync(path).equals(before), `${name} untouched`).toBe(true);
    }
    // Cut anywhere inside a record's first bytes, or later: ours, and repaired.
    for (const cut of [1, 5, 14, 30]) {
      const path = join(dir, `cut-${cut}.jsonl`);
      writeFileSync(path, log + JSON.stringify(ok('b.png')).slice(0, cut));
      expect((await readRunLog(path, true)).map((l) => l.file)).toEqual(['a.png']);
      expect(readFileSync(path, 'utf8')).toBe(log);
    }
    expect(await readRunLog(join(dir, 'missing.jsonl'), true)).toEqual([]);
    await expect(readRunLog(dir, true)).rejects.toThrow(/it is a folder/);
    await expect(readRunLog('/dev/zero', true)).rejects.toThrow(/it is a character device/);
  });

  test('merge keeps the last line per image, sorted, and names overlaps and missing shards or images', () => {
    const merged = mergeRunLogs(
      [
        { path: 's1', lines: [ok('b.png', '1/2'), ok('a.png', '1/2')] },
        { path: 's2', lines: [ok('c.png', '2/2')] },
      ],
      ['a.png', 'b.png', 'c.png'],
    );
    expect(merged.lines.map((l) => l.file)).toEqual(['a.png', 'b.png', 'c.png']);
    expect(mergeProblems(merged)).toEqual([]);
    const broken = mergeRunLogs(
      [
        { path: 's1', lines: [ok('a.png', '1/3')] },
        { path: 's3', lines: [ok('a.png', '3/3')] },
      ],
      ['a.png', 'z.png'],
    );
    expect(mergeProblems(broken)).toEqual([
      '1 image is in more than one input: a.png.',
      'No lines from shard 2/3.',
      '1 image has no line: z.png.',
    ]);
  });
});

describe('progress', () => {
  /** A stream that keeps what is written; `tty` makes it look like a terminal. */
  function stream(tty: boolean) {
    const chunks: string[] = [];
    const fake = {
      isTTY: tty,
      columns: 120,
      write: (chunk: string) => {
        chunks.push(chunk);
        return true;
      },
      cursorTo: () => true,
      clearLine: () => true,
      moveCursor: () => true,
      on: () => fake,
      removeListener: () => fake,
    };
    return { fake: fake as unknown as NodeJS.WriteStream, text: () => chunks.join('') };
  }

  test('on a terminal: a bar with the rate, ETA and failures; elsewhere: one plain line per image', () => {
    const tty = stream(true);
    const bar = createProgress(tty.fake);
    bar.start(4, 0);
    bar.image('a.png', { ok: true, ms: 5 });
    bar.image('b.png', { ok: false, error: 'ImageDecodeError: broken' });
    bar.stop();
    expect(tty.text()).toMatch(/2\/4 \| [\d.]+ images\/s \| ETA \S+ \| failed 1/);

    const log = stream(false);
    const lines = createProgress(log.fake);
    lines.start(2, 3);
    lines.image('a.png', { ok: true, ms: 1234 });
    lines.image('b.png', { ok: false, error: 'ImageDecodeError: broken' });
    expect(log.text()).toBe(
      '2 images to caption (3 already done, skipped)\n[1/2] a.png ok 1.2 s\n[2/2] b.png FAILED ImageDecodeError: broken\n',
    );
  });

  test('a file name with a newline, an escape sequence or a direction override prints as one escaped line', () => {
    const log = stream(false);
    const lines = createProgress(log.fake);
    lines.start(1, 0);
    const name = 'two\nlines \u001b[31mred\u001b[0m \u202egnp.exe.png';
    lines.image(name, { ok: false, error: `UnsupportedFileError: "${name}" is a text file, not an image.` });
    const printed = log.text().split('\n')[1] ?? '';
    expect(printed).toBe(
      '[1/1] two\\nlines \\u{1b}[31mred\\u{1b}[0m \\u{202e}gnp.exe.png FAILED UnsupportedFileError: "two\\nlines \\u{1b}[31mred\\u{1b}[0m \\u{202e}gnp.exe.png" is a text file, not an image.',
    );
    expect(log.text().split('\n')).toHaveLength(3);
  });
});
