/**
 * Every export of a partly finished batch, asserted byte for byte: JSONL
 * records (a caption with quotes, a newline and an emoji round-trips), the
 * fine-tuning JSONL, a CSV whose formula-like caption is neutralised, the
 * zip of .txt sidecars (unpacked and each file checked), and copy all.
 * Then the dataset exports of a picked folder: the zip of the images (byte
 * for byte, stored) with their sidecars, and writing the sidecars back into
 * a folder (an OPFS folder stands in for the user's), where an existing
 * sidecar is kept on "skip", replaced on "replace", and nothing else changes.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import type { Page } from 'playwright';
import { expect, test } from 'vitest';
import { singlePassPrompt } from '../../src/capflow/prompts';
import { colourRouting } from '../fixtures/forge/router-markers';
import { TINY_VLM, TINY_VLM_CAPTIONS } from '../fixtures/specs';
import {
  type Harness,
  addFiles,
  card,
  downloadText,
  forgeParams,
  freshPage,
  pngFile,
  screenshot,
  useHarness,
  waitForStatus,
} from './harness';

let h: Harness;
useHarness((started) => (h = started));

/** A dataset folder on disk: "holiday/a-red.png" and "holiday/day2/b-green.png". */
function writeDataset(): { dir: string; red: Buffer; green: Buffer } {
  const dir = join(h.root, 'holiday');
  mkdirSync(join(dir, 'day2'), { recursive: true });
  const red = pngFile('a-red.png', [230, 20, 30]).buffer;
  const green = pngFile('b-green.png', [10, 200, 40]).buffer;
  writeFileSync(join(dir, 'a-red.png'), red);
  writeFileSync(join(dir, 'day2', 'b-green.png'), green);
  return { dir, red, green };
}

/** Opens the page, picks the dataset folder and waits for both captions. */
async function captionDataset(page: Page): Promise<{ red: Buffer; green: Buffer }> {
  await page.goto(h.url(forgeParams(h.models)));
  const { dir, red, green } = writeDataset();
  await page.getByTestId('folder-input').setInputFiles(dir);
  await waitForStatus(page, 'a-red.png', 'done');
  await waitForStatus(page, 'b-green.png', 'done');
  await page.getByTestId('export-toggle').click();
  return { red, green };
}

const FORMULA = '=HYPERLINK("http://evil.example","click")';
const TRICKY = 'She said "hi",\nthen left 🎉';

test('JSONL, fine-tuning JSONL, CSV, sidecar zip and copy all, on finished items only', async () => {
  const [redDomain, greenDomain] = colourRouting().domains;
  const page = await freshPage(h, { permissions: ['clipboard-read', 'clipboard-write'] });
  await page.goto(h.url(forgeParams(h.models)));
  await addFiles(page, [
    pngFile('a-red.png', [230, 20, 30]),
    pngFile('b-green.png', [10, 200, 40]),
    pngFile('c-blue.png', [20, 30, 220]),
  ]);
  await card(page, 'c-blue.png').getByRole('button', { name: 'Cancel c-blue.png' }).click();
  await waitForStatus(page, 'a-red.png', 'done');
  await waitForStatus(page, 'b-green.png', 'done');
  for (const [name, text] of [
    ['a-red.png', FORMULA],
    ['b-green.png', TRICKY],
  ] as const) {
    await card(page, name).getByTestId('caption').fill(text);
    await card(page, name).getByTestId('caption').blur();
    await expect
      .poll(() =>
        card(page, name)
          .getByTestId('edited')
          .count(),
      )
      .toBe(1);
  }
  await page.getByTestId('export-toggle').click();
  expect(await page.getByTestId('export-scope').textContent()).toContain(
    '2 of 3 items have a caption; exports hold those 2 only.',
  );

  const jsonl = await downloadText(page, 'export-jsonl');
  expect(jsonl.name).toMatch(/^captions-\d{4}-\d{2}-\d{2}\.jsonl$/);
  const lines = jsonl.bytes.toString('utf8').split('\n');
  expect(lines.at(-1)).toBe('');
  const records = lines.slice(0, -1).map((l) => JSON.parse(l));
  const common = {
    version: 1,
    mode: 'single-pass',
    style: 'detailed',
    language: 'English',
    scores: null,
    accepted: null,
    models: { vlm: TINY_VLM.repo, router: 'forge/tiny-clip-routed' },
    device: 'wasm',
    ms: expect.any(Number),
  };
  expect(records).toEqual([
    {
      ...common,
      file: 'a-red.png',
      caption: FORMULA,
      generated: TINY_VLM_CAPTIONS.red,
      domain: { id: redDomain, confidence: expect.closeTo(1, 3), decidedBy: 'zero-shot' },
    },
    {
      ...common,
      file: 'b-green.png',
      caption: TRICKY,
      generated: TINY_VLM_CAPTIONS.green,
      domain: { id: greenDomain, confidence: expect.closeTo(1, 3), decidedBy: 'zero-shot' },
    },
  ]);
  // The raw line keeps the emoji as UTF-8 and escapes the quotes and the newline.
  expect(lines[1]).toContain('"caption":"She said \\"hi\\",\\nthen left 🎉"');

  const finetune = (await downloadText(page, 'export-finetune')).bytes.toString('utf8');
  const turn = (file: string, domain: string, caption: string) =>
    `${JSON.stringify({
      images: [file],
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image', image: file },
            { type: 'text', text: singlePassPrompt(domain as typeof redDomain, 'English', 'detailed') },
          ],
        },
        { role: 'assistant', content: [{ type: 'text', text: caption }] },
      ],
    })}\n`;
  expect(finetune).toBe(turn('a-red.png', redDomain, FORMULA) + turn('b-green.png', greenDomain, TRICKY));

  const csv = (await downloadText(page, 'export-csv')).bytes.toString('utf8');
  const cell = (v: string | number) => `"${String(v).replaceAll('"', '""')}"`;
  const row = (r: (typeof records)[number], caption: string) =>
    [
      cell(r.file),
      cell(caption),
      cell(r.domain.id),
      cell(r.domain.confidence),
      cell('zero-shot'),
      cell('single-pass'),
      cell('detailed'),
      cell('English'),
      // No judge in single pass: the eight rubric columns (image, then video) and accepted are empty.
      ...Array<string>(9).fill(''),
      cell(`${TINY_VLM.repo} forge/tiny-clip-routed`),
      cell('wasm'),
      cell(r.ms),
      '',
    ].join(',');
  const header = [
    'file',
    'caption',
    'domain',
    'confidence',
    'decided_by',
    'mode',
    'style',
    'language',
    'factual accuracy',
    'completeness',
    'reasoning rigor',
    'core intent',
    'professionalism',
    'temporal and factual accuracy',
    'event and detail coverage',
    'temporal causal logic',
    'accepted',
    'models',
    'device',
    'ms',
    'frames',
  ]
    .map(cell)
    .join(',');
  expect(csv).toBe(`\uFEFF${header}\r\n${row(records[0], `'${FORMULA}`)}\r\n${row(records[1], TRICKY)}\r\n`);

  const zip = await downloadText(page, 'export-zip');
  const files = unzipSync(new Uint8Array(zip.bytes));
  expect(Object.fromEntries(Object.entries(files).map(([n, b]) => [n, strFromU8(b)]))).toEqual({
    'a-red.txt': FORMULA,
    'b-green.txt': TRICKY,
  });

  await page.getByTestId('copy-all').click();
  await expect
    .poll(() => page.evaluate(() => navigator.clipboard.readText()))
    .toBe(`a-red.png\n${FORMULA}\n\nb-green.png\n${TRICKY}`);
  await card(page, 'a-red.png').getByRole('button', { name: 'Copy the caption of a-red.png' }).click();
  await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(FORMULA);
  await page.context().close();
});

test('the dataset zip: each image byte for byte, stored as it is, beside its sidecar, in the folder layout', async () => {
  const page = await freshPage(h);
  // A browser without a folder picker (Firefox, Safari) is offered the zip only.
  await page.addInitScript(() => Reflect.deleteProperty(window, 'showDirectoryPicker'));
  const { red, green } = await captionDataset(page);
  expect(await page.getByTestId('write-sidecars').count()).toBe(0);

  const zip = await downloadText(page, 'export-dataset');
  expect(zip.name).toMatch(/^dataset-\d{4}-\d{2}-\d{2}\.zip$/);
  const files = unzipSync(new Uint8Array(zip.bytes));
  expect(Object.keys(files).sort()).toEqual([
    'holiday/a-red.png',
    'holiday/a-red.txt',
    'holiday/day2/b-green.png',
    'holiday/day2/b-green.txt',
  ]);
  expect(Buffer.from(files['holiday/a-red.png']!).equals(red)).toBe(true);
  expect(Buffer.from(files['holiday/day2/b-green.png']!).equals(green)).toBe(true);
  expect(strFromU8(files['holiday/a-red.txt']!)).toBe(TINY_VLM_CAPTIONS.red);
  expect(strFromU8(files['holiday/day2/b-green.txt']!)).toBe(TINY_VLM_CAPTIONS.green);
  // Not compressed again: each PNG's bytes lie in the archive as they are.
  expect(zip.bytes.indexOf(red)).toBeGreaterThan(0);
  expect(zip.bytes.indexOf(green)).toBeGreaterThan(0);
  expect(await page.getByTestId('dataset-done').textContent()).toContain(
    'The zip holds 2 files, each with its sidecar.',
  );
  expect(await page.getByTestId('dataset-left-out').count()).toBe(0);
  await page.context().close();
});

/** Every file under the OPFS folder "holiday", path → text. */
function opfsFiles(page: Page): Promise<Record<string, string>> {
  return page.evaluate(async () => {
    const out: Record<string, string> = {};
    const walk = async (dir: FileSystemDirectoryHandle, prefix: string): Promise<void> => {
      // entries() is in Chromium but not in TypeScript's DOM types.
      const entries = (dir as unknown as { entries(): AsyncIterable<[string, FileSystemHandle]> }).entries();
      for await (const [name, handle] of entries) {
        if (handle instanceof FileSystemFileHandle) out[prefix + name] = await (await handle.getFile()).text();
        else if (handle instanceof FileSystemDirectoryHandle) await walk(handle, `${prefix}${name}/`);
      }
    };
    await walk(await (await navigator.storage.getDirectory()).getDirectoryHandle('holiday'), '');
    return out;
  });
}

test('sidecars written into the picked folder: an existing one kept on skip, replaced on replace, nothing else touched', async () => {
  const page = await freshPage(h);
  // The user's folder is an OPFS folder named like the dataset, with a sidecar of their own and other files.
  await page.addInitScript(() => {
    const picks: unknown[] = [];
    Object.assign(window, {
      picks,
      showDirectoryPicker: async (options: unknown) => {
        picks.push(options);
        return (await navigator.storage.getDirectory()).getDirectoryHandle('holiday', { create: true });
      },
    });
  });
  await captionDataset(page);
  const before = {
    'a-red.png': 'the image itself (never touched)',
    'a-red.txt': 'my own caption',
    'notes.md': 'dataset notes',
    'day2/b-green.txt.bak': 'a backup',
  };
  await page.evaluate(async (files) => {
    const root = await (await navigator.storage.getDirectory()).getDirectoryHandle('holiday', { create: true });
    for (const [path, text] of Object.entries(files)) {
      const parts = path.split('/');
      let dir = root;
      for (const name of parts.slice(0, -1)) dir = await dir.getDirectoryHandle(name, { create: true });
      const writable = await (await dir.getFileHandle(parts.at(-1)!, { create: true })).createWritable();
      await writable.write(text);
      await writable.close();
    }
  }, before);

  // Skip: the existing sidecar is kept, the missing one written (its folder, day2, existed already).
  await page.getByTestId('write-sidecars').click();
  expect(await page.getByTestId('sidecars-question').getByRole('alert').textContent()).toBe(
    '1 sidecar already exists in holiday/: replace it, skip it, or cancel?',
  );
  expect(await page.getByTestId('sidecars-existing').textContent()).toContain('a-red.txt');
  await screenshot(page, 'export-dataset-question');
  await page.getByTestId('sidecars-skip').click();
  const report = page.getByTestId('sidecars-report');
  await expect
    .poll(() => report.getByRole('status').textContent())
    .toBe('Wrote 1 sidecar in holiday/; kept 1 file that already existed.');
  expect((await page.getByTestId('sidecars-written').textContent())?.trim()).toBe('day2/b-green.txt');
  expect((await page.getByTestId('sidecars-kept').textContent())?.trim()).toBe('a-red.txt');
  expect(await opfsFiles(page)).toEqual({ ...before, 'day2/b-green.txt': TINY_VLM_CAPTIONS.green });
  expect(await page.evaluate(() => Reflect.get(window, 'picks'))).toEqual([{ mode: 'readwrite', id: 'dataset' }]);

  // Cancel writes nothing.
  await page.getByTestId('write-sidecars').click();
  expect(await page.getByTestId('sidecars-question').getByRole('alert').textContent()).toBe(
    '2 sidecars already exist in holiday/: replace them, skip them, or cancel?',
  );
  await page.getByTestId('sidecars-cancel').click();
  expect(await report.textContent()).toContain('Cancelled: nothing was written.');
  expect(await opfsFiles(page)).toEqual({ ...before, 'day2/b-green.txt': TINY_VLM_CAPTIONS.green });

  // Replace: both sidecars hold the captions; every other file is as it was.
  await page.getByTestId('write-sidecars').click();
  await page.getByTestId('sidecars-replace').click();
  await expect.poll(() => report.getByRole('status').textContent()).toBe('Wrote 2 sidecars in holiday/ (2 replaced).');
  expect(await opfsFiles(page)).toEqual({
    ...before,
    'a-red.txt': TINY_VLM_CAPTIONS.red,
    'day2/b-green.txt': TINY_VLM_CAPTIONS.green,
  });
  await screenshot(page, 'export-dataset-report');
  await page.setViewportSize({ width: 360, height: 800 });
  await screenshot(page, 'export-dataset-report-360');
  await page.context().close();
});
