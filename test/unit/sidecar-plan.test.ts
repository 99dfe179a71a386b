/**
 * The dataset exports' pure parts: which sidecar each caption goes to and
 * which are left out (two images sharing one, a sidecar that would be an
 * image, an unsafe path), where they land under a picked folder (the strip
 * rule), what is asked when some exist and what is then written or kept,
 * the report's words; and the dataset zip itself (originals byte for byte,
 * stored uncompressed, sidecars beside them, files not kept listed, cancel).
 */
import { strFromU8, unzipSync } from 'fflate';
import { describe, expect, test } from 'vitest';
import { toDatasetZip } from '../../src/session/dataset-zip';
import { sidecarNames } from '../../src/session/exports';
import type { SessionItem } from '../../src/session/item';
import {
  existingQuestion,
  reportText,
  sidecarEntries,
  sidecarTargets,
  unwritableText,
  writePlan,
} from '../../src/session/sidecar-plan';
import type { CaptionRecord } from '../../src/shared/record';

const record: CaptionRecord = {
  version: 3,
  caption: 'generated',
  mode: 'single-pass',
  style: 'detailed',
  language: 'English',
  domain: null,
  timestamps: null,
  trace: [],
  judge: null,
  totalMs: 1,
  runtime: null,
};

let next = 0;
function item(path: string, patch: Partial<SessionItem> = {}): SessionItem {
  next += 1;
  return {
    id: `i${next}`,
    name: path.split('/').at(-1) ?? path,
    path,
    type: 'image/png',
    size: 3,
    addedAt: next,
    status: 'done',
    error: null,
    record,
    edited: `caption of ${path}`,
    pinnedDomain: null,
    blobKept: true,
    ...patch,
  };
}

describe('which sidecar each caption goes to', () => {
  test('the sidecarNames rule over the finished items; unfinished and refused items have none', () => {
    const items = [
      item('trip/day1/cat.jpg'),
      item('trip/day1/cat.png'),
      item('trip/dog.png'),
      item('trip/queued.png', { status: 'queued', record: null }),
      item('trip/notes.txt', { status: 'refused', record: null }),
    ];
    const { entries, unwritable } = sidecarEntries(items);
    expect(entries.map((e) => [e.item.path, e.sidecar, e.text])).toEqual([
      ['trip/day1/cat.jpg', 'trip/day1/cat.jpg.txt', 'caption of trip/day1/cat.jpg'],
      ['trip/day1/cat.png', 'trip/day1/cat.png.txt', 'caption of trip/day1/cat.png'],
      ['trip/dog.png', 'trip/dog.txt', 'caption of trip/dog.png'],
    ]);
    expect(entries.map((e) => e.sidecar)).toEqual(
      sidecarNames(['trip/day1/cat.jpg', 'trip/day1/cat.png', 'trip/dog.png']),
    );
    expect(unwritable).toEqual([]);
  });

  test('the same path twice, or names differing only in case: the later one is left out, never overwriting', () => {
    const first = item('trip/cat.png');
    const again = item('trip/cat.png');
    const { entries, unwritable } = sidecarEntries([first, again]);
    expect(entries.map((e) => e.sidecar)).toEqual(['trip/cat.png.txt']);
    expect(unwritable.map((u) => [u.item.id, u.sidecar, u.reason])).toEqual([[again.id, 'trip/cat.png.txt', 'shared']]);
    // Two files on Linux, one on Windows and macOS.
    const caseOnly = sidecarEntries([item('a/Photo.png'), item('a/photo.jpg')]);
    expect(caseOnly.entries.map((e) => e.sidecar)).toEqual(['a/Photo.txt']);
    expect(caseOnly.unwritable.map((u) => u.sidecar)).toEqual(['a/photo.txt']);
    expect(unwritableText(caseOnly.unwritable[0]!)).toBe(
      'a/photo.jpg: its sidecar a/photo.txt belongs to an earlier file of the same name',
    );
  });

  test('a sidecar that would be one of the batch own images is never written; unsafe paths neither', () => {
    // An image without an extension and one literally named "shot.txt" (accepted by its bytes).
    const bare = item('set/shot');
    const named = item('set/shot.txt', { status: 'queued', record: null });
    const climbing = item('../up.png');
    const { entries, unwritable } = sidecarEntries([bare, named, climbing]);
    expect(entries).toEqual([]);
    expect(unwritable.map((u) => [u.item.path, u.sidecar, u.reason])).toEqual([
      ['set/shot', 'set/shot.txt', 'is-media'],
      ['../up.png', '../up.txt', 'unsafe'],
    ]);
    expect(unwritable.map(unwritableText)).toEqual([
      'set/shot: its sidecar set/shot.txt would replace an image or video of the batch',
      '../up.png: its path cannot be written inside a folder',
    ]);
  });
});

describe('where sidecars land under a picked folder', () => {
  const { entries } = sidecarEntries([item('trip/day1/cat.jpg'), item('trip/dog.png'), item('loose.png')]);

  test('picking the dataset folder itself: its name, the first segment, is dropped', () => {
    expect(sidecarTargets(entries, 'trip').map((t) => [t.folders, t.file, t.path])).toEqual([
      [['day1'], 'cat.txt', 'day1/cat.txt'],
      [[], 'dog.txt', 'dog.txt'],
      [[], 'loose.txt', 'loose.txt'],
    ]);
  });

  test('picking another folder (the parent): paths are kept as they are', () => {
    expect(sidecarTargets(entries, 'photos').map((t) => t.path)).toEqual([
      'trip/day1/cat.txt',
      'trip/dog.txt',
      'loose.txt',
    ]);
    // Only an exact match strips, and only the first segment.
    const nested = sidecarEntries([item('trip/trip/x.png')]).entries;
    expect(sidecarTargets(nested, 'Trip').map((t) => t.path)).toEqual(['trip/trip/x.txt']);
    expect(sidecarTargets(nested, 'trip').map((t) => t.path)).toEqual(['trip/x.txt']);
  });
});

describe('existing sidecars: the question, the choice, the report', () => {
  const { entries } = sidecarEntries([item('trip/a.png'), item('trip/b.png'), item('trip/c.png'), item('trip/d.png')]);
  const targets = sidecarTargets(entries, 'trip');
  const states = ['file', 'absent', 'file', 'folder'] as const;

  test('the question counts the existing files; none: nothing to ask', () => {
    expect(existingQuestion(states, 'trip')).toBe(
      '2 sidecars already exist in trip/: replace them, skip them, or cancel?',
    );
    expect(existingQuestion(['file', 'absent'], 'trip')).toBe(
      '1 sidecar already exists in trip/: replace it, skip it, or cancel?',
    );
    expect(existingQuestion(['absent', 'folder'], 'trip')).toBeNull();
  });

  test('skip keeps existing files; replace marks only them as replaced; a folder in the way is never written', () => {
    const skip = writePlan(targets, states, 'skip');
    expect(skip.writes.map((w) => [w.target.path, w.replace])).toEqual([['b.txt', false]]);
    expect(skip.skipped.map((t) => t.path)).toEqual(['a.txt', 'c.txt']);
    expect(skip.blocked.map((t) => t.path)).toEqual(['d.txt']);
    const replace = writePlan(targets, states, 'replace');
    expect(replace.writes.map((w) => [w.target.path, w.replace])).toEqual([
      ['a.txt', true],
      ['b.txt', false],
      ['c.txt', true],
    ]);
    expect(replace.skipped).toEqual([]);
    expect(replace.blocked.map((t) => t.path)).toEqual(['d.txt']);
  });

  test('the report in words', () => {
    expect(
      reportText({
        folder: 'trip',
        written: ['a.txt', 'b.txt'],
        replaced: ['a.txt'],
        skipped: ['c.txt'],
        failed: [{ path: 'd.txt', message: 'no' }],
      }),
    ).toBe('Wrote 2 sidecars in trip/ (1 replaced); kept 1 file that already existed; 1 sidecar could not be written.');
    expect(reportText({ folder: 'x', written: ['a.txt'], replaced: [], skipped: [], failed: [] })).toBe(
      'Wrote 1 sidecar in x/.',
    );
  });
});

describe('the dataset zip', () => {
  const bytes = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 255);

  test('originals byte for byte (stored, not compressed again) beside their sidecars; files not kept listed', async () => {
    const kept = item('trip/day1/cat.png');
    const big = item('trip/big.png');
    const gone = item('trip/gone.png', { blobKept: false });
    const unfinished = item('trip/later.png', { status: 'queued', record: null });
    const files = new Map([
      [kept.id, new Blob([bytes(300, 1)])],
      // Several stream chunks and more than one fold of the output.
      [big.id, new Blob([bytes(200_000, 7)])],
      [unfinished.id, new Blob([bytes(5, 3)])],
    ]);
    const seen: number[] = [];
    const zip = await toDatasetZip([kept, big, gone, unfinished], async (i) => files.get(i.id), {
      onProgress: (p) => seen.push(p.bytes),
    });
    expect(zip.files).toBe(2);
    expect(zip.notKept.map((i) => i.path)).toEqual(['trip/gone.png']);
    const raw = new Uint8Array(await zip.blob.arrayBuffer());
    const out = unzipSync(raw);
    expect(Object.keys(out)).toEqual(['trip/day1/cat.png', 'trip/day1/cat.txt', 'trip/big.png', 'trip/big.txt']);
    expect(out['trip/day1/cat.png']).toEqual(bytes(300, 1));
    expect(out['trip/big.png']).toEqual(bytes(200_000, 7));
    expect(strFromU8(out['trip/day1/cat.txt']!)).toBe('caption of trip/day1/cat.png');
    // Stored: the archive is larger than the originals, so nothing was deflated.
    expect(raw.length).toBeGreaterThan(200_300);
    expect(seen.at(-1)).toBe(200_300);
    expect(zip.blob.type).toBe('application/zip');
  });

  test('cancelling stops the work with an AbortError', async () => {
    const a = item('a.png');
    const controller = new AbortController();
    const zip = toDatasetZip([a], async () => new Blob([bytes(1000, 1)]), {
      signal: controller.signal,
      onProgress: () => controller.abort(),
    });
    await expect(zip).rejects.toMatchObject({ name: 'AbortError' });
  });
});
