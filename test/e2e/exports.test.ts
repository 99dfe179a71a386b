/**
 * Every export of a partly finished batch, asserted byte for byte: JSONL
 * records (a caption with quotes, a newline and an emoji round-trips), the
 * fine-tuning JSONL, a CSV whose formula-like caption is neutralised, the
 * zip of .txt sidecars (unpacked and each file checked), and copy all.
 */
import { strFromU8, unzipSync } from 'fflate';
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
  useHarness,
  waitForStatus,
} from './harness';

let h: Harness;
useHarness((started) => (h = started));

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
          .getByText(/^Your edit/)
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
