/**
 * Sessions survive reloads on the built site: finished results and the
 * user's edits come back, unfinished items run again, leaving mid-batch
 * asks first, and "clear session" forgets everything.
 */
import { expect, test } from 'vitest';
import { TINY_VLM_CAPTIONS } from '../fixtures/specs';
import {
  ENDLESS,
  type Harness,
  addFiles,
  card,
  forgeParams,
  freshPage,
  pngFile,
  useHarness,
  waitForStatus,
  waitForStored,
} from './harness';

let h: Harness;
useHarness((started) => (h = started));

test('reload mid-batch: results and an edited caption come back; unfinished items run again', async () => {
  const page = await freshPage(h);
  const normal = h.url(forgeParams(h.models));
  await page.goto(normal);
  await addFiles(page, [pngFile('red.png', [230, 20, 30])]);
  await waitForStatus(page, 'red.png', 'done');
  const edited = 'A red square — edited by hand ✓';
  await card(page, 'red.png').getByTestId('caption').fill(edited);
  await card(page, 'red.png').getByTestId('caption').blur();
  await expect
    .poll(() =>
      card(page, 'red.png')
        .getByTestId('edited')
        .count(),
    )
    .toBe(1);
  await waitForStored(page, 'the edit', (items) => items.some((i) => i.edited === edited));

  // Two more images on a model that never stops writing: one runs, one waits.
  await page.goto(h.url(forgeParams(h.models, ENDLESS)));
  // Picked files queue in name order: blue, then green.
  await addFiles(page, [pngFile('green.png', [10, 200, 40]), pngFile('blue.png', [20, 30, 220])]);
  await waitForStatus(page, 'blue.png', 'running', 60_000);
  expect(await card(page, 'green.png').getAttribute('data-status')).toBe('queued');

  // Leaving while work runs asks first.
  const dialogs: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.type());
    void dialog.accept();
  });
  await page.goto(normal);
  expect(dialogs).toEqual(['beforeunload']);

  await waitForStatus(page, 'green.png', 'done');
  await waitForStatus(page, 'blue.png', 'done');
  expect(await card(page, 'red.png').getByTestId('caption').inputValue()).toBe(edited);
  expect(await card(page, 'green.png').getByTestId('caption').inputValue()).toBe(TINY_VLM_CAPTIONS.green);
  expect(await card(page, 'blue.png').getByTestId('caption').inputValue()).toBe(TINY_VLM_CAPTIONS.blue);
  expect(await page.locator('li[data-id]').count()).toBe(3);

  // Clear session: asks once more, then nothing is left, even after a reload.
  await page.getByTestId('clear-session').click();
  await page.getByTestId('confirm-clear').click();
  await expect.poll(() => page.locator('li[data-id]').count()).toBe(0);
  await waitForStored(page, 'no items', (items) => items.length === 0);
  await page.reload();
  await expect.poll(() => page.getByRole('heading', { name: 'Drop images, videos or folders here' }).count()).toBe(1);
  expect(await page.locator('li[data-id]').count()).toBe(0);
  await page.context().close();
});

test('settings chosen in the panel are kept in the URL and come back on a plain visit', async () => {
  const page = await freshPage(h);
  await page.goto(h.url(forgeParams(h.models)));
  await page.getByTestId('settings-toggle').click();
  await page.getByLabel('CapFlow').check();
  await page.getByTestId('style').selectOption('alt');
  await page.getByTestId('language').fill('German');
  await page.getByTestId('language').press('Enter');
  await expect.poll(() => new URL(page.url()).searchParams.get('lang')).toBe('German');
  expect(new URL(page.url()).searchParams.get('mode')).toBe('capflow');
  expect(new URL(page.url()).searchParams.get('style')).toBe('alt');
  await waitForStored(page, 'the settings', (_, meta) => meta.some((m) => JSON.stringify(m).includes('German')));
  // A visit without settings in the URL takes the stored ones.
  await page.goto(h.url());
  await page.getByTestId('settings-toggle').click();
  await expect.poll(() => page.getByLabel('CapFlow').isChecked()).toBe(true);
  expect(await page.getByTestId('style').inputValue()).toBe('alt');
  expect(await page.getByTestId('language').inputValue()).toBe('German');
  expect(new URL(page.url()).searchParams.get('host')).toBe(h.models.url);
  await page.context().close();
});
