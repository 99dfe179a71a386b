/**
 * What the page takes in: a dropped folder is walked recursively (entries
 * come in batches, as Chromium gives them), picked folders keep their
 * paths in name order, and pasted screenshots get distinct names.
 */
import { expect, test } from 'vitest';
import { filesFromClipboard, filesFromDrop, filesFromInput } from '../../src/app/file-intake';

type Tree = { readonly [name: string]: string | Tree };

/** A directory entry in the shape of the File and Directory Entries API, handing out children two at a time. */
function entry(name: string, node: string | Tree): FileSystemEntry {
  if (typeof node === 'string') {
    return {
      name,
      isFile: true,
      isDirectory: false,
      file: (ok: (f: File) => void) => ok(new File([node], name, { type: 'image/png' })),
    } as unknown as FileSystemEntry;
  }
  return {
    name,
    isFile: false,
    isDirectory: true,
    createReader: () => {
      const children = Object.entries(node).map(([n, c]) => entry(n, c));
      return { readEntries: (ok: (batch: FileSystemEntry[]) => void) => ok(children.splice(0, 2)) };
    },
  } as unknown as FileSystemEntry;
}

test('a dropped folder is walked recursively, every batch of entries read, in name order', async () => {
  const loose = new File(['x'], 'loose.png', { type: 'image/png' });
  const tree: Tree = { 'c.png': 'c', sub: { 'b.png': 'b', deeper: { 'z.png': 'z' } }, 'a.png': 'a', 'd.txt': 'd' };
  const items = [
    { kind: 'file', webkitGetAsEntry: () => entry('trip', tree), getAsFile: () => null },
    { kind: 'string', webkitGetAsEntry: () => null, getAsFile: () => null },
    { kind: 'file', webkitGetAsEntry: () => null, getAsFile: () => loose },
  ];
  const picked = await filesFromDrop({ items } as unknown as DataTransfer);
  expect(picked.map((p) => p.path)).toEqual([
    'trip/a.png',
    'trip/c.png',
    'trip/d.txt',
    'trip/sub/b.png',
    'trip/sub/deeper/z.png',
    'loose.png',
  ]);
  expect(await picked[4]?.file.text()).toBe('z');
});

test('a picked folder keeps each file’s path, in name order', () => {
  const data = new DataTransfer();
  for (const name of ['b.png', 'a.png']) data.items.add(new File(['x'], name));
  const picked = filesFromInput(data.files);
  expect(picked.map((p) => p.path)).toEqual(['a.png', 'b.png']);
});

test('pasted screenshots get distinct names; named files keep theirs', () => {
  const data = new DataTransfer();
  data.items.add(new File(['1'], 'image.png', { type: 'image/png' }));
  data.items.add(new File(['2'], 'image.png', { type: 'image/png' }));
  data.items.add(new File(['3'], 'holiday.jpg', { type: 'image/jpeg' }));
  const picked = filesFromClipboard(data, new Date('2026-11-29T10:20:30.456Z'));
  expect(picked.map((p) => p.path)).toEqual([
    'pasted-2026-11-29T10-20-30-456.png',
    'pasted-2026-11-29T10-20-30-456-2.png',
    'holiday.jpg',
  ]);
  expect(picked[0]?.file.name).toBe(picked[0]?.path);
});
