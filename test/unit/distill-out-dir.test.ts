/**
 * `distill prepare`'s output folder: new, empty, or an earlier prepare
 * output holding nothing else and no input; replaced only once the new one
 * is whole, and a failed run leaves no half-written folder behind.
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { OutputFolder, checkOutDir } from '../../src/cli/distill/out-dir';
import { SUMMARY_KIND } from '../../src/cli/distill/summary';

let dir: string;
const at = (...p: string[]) => join(dir, ...p);
const previous = (name: string) => {
  mkdirSync(at(name, 'images'), { recursive: true });
  writeFileSync(at(name, 'summary.json'), JSON.stringify({ kind: SUMMARY_KIND }));
  writeFileSync(at(name, 'train.jsonl'), 'old\n');
  writeFileSync(at(name, 'images/old.png'), 'old image');
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'distill-out-'));
  writeFileSync(at('run.jsonl'), '{}\n');
  writeFileSync(at('photo.png'), 'pixels');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('new, empty and earlier outputs may be written; an input, a foreign folder or one holding more may not', async () => {
  expect(await checkOutDir(at('fresh'), [at('run.jsonl')])).toBe('new');
  mkdirSync(at('empty'));
  expect(await checkOutDir(at('empty'), [at('run.jsonl')])).toBe('empty');
  previous('earlier');
  expect(await checkOutDir(at('earlier'), [at('run.jsonl'), at('photo.png')])).toBe('previous');

  await expect(checkOutDir(at('run.jsonl'), [at('run.jsonl')])).rejects.toThrow(
    /is the input .*run\.jsonl" \(the same file\)/,
  );
  await expect(checkOutDir(at('photo.png'), [at('run.jsonl')])).rejects.toThrow(/is a file, not a folder/);
  mkdirSync(at('foreign'));
  writeFileSync(at('foreign/notes.txt'), 'mine');
  await expect(checkOutDir(at('foreign'), [])).rejects.toThrow(/not empty and not an earlier "distill prepare" output/);
  previous('crowded');
  writeFileSync(at('crowded/notes.txt'), 'mine');
  await expect(checkOutDir(at('crowded'), [])).rejects.toThrow(
    /also holds notes\.txt, which replacing it would delete/,
  );
  previous('holding');
  writeFileSync(at('holding/images/input.png'), 'an input');
  await expect(checkOutDir(at('holding'), [at('holding/images/input.png')])).rejects.toThrow(
    /holds the input .*input\.png": replacing the folder would delete it/,
  );
});

test('an earlier output is replaced whole once the new one is written; a discarded one leaves nothing', async () => {
  previous('replace');
  const folder = await OutputFolder.open(at('replace'), 'previous');
  await folder.addImage(at('photo.png'), 'photo.png');
  await folder.write('train.jsonl', 'new\n');
  await folder.write('summary.json', JSON.stringify({ kind: SUMMARY_KIND }));
  expect(readFileSync(at('replace/train.jsonl'), 'utf8')).toBe('old\n');
  await folder.commit();
  expect(readdirSync(at('replace')).sort()).toEqual(['images', 'summary.json', 'train.jsonl']);
  expect(readdirSync(at('replace/images'))).toEqual(['photo.png']);
  expect(readFileSync(at('replace/train.jsonl'), 'utf8')).toBe('new\n');
  expect(statSync(at('replace/images/photo.png')).ino).toBe(statSync(at('photo.png')).ino);
  expect(folder.linked).toBe(1);
  expect(readdirSync(dir).filter((n) => n.includes('.partial-'))).toEqual([]);

  const failed = await OutputFolder.open(at('never'), 'new');
  await failed.write('train.jsonl', 'half\n');
  await failed.discard();
  expect(existsSync(at('never'))).toBe(false);
  expect(readdirSync(dir).filter((n) => n.includes('.partial-'))).toEqual([]);
});
