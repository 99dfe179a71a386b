/**
 * Access and looks on the built site: an axe-core scan (no violation of
 * impact moderate or worse) of the empty page, a page with results, the open
 * trace and the open settings; a keyboard-only pass that adds files and
 * cancels one; arrow keys between items; and screenshots of the main states
 * in light and dark, at 1280, 360 and 320 px, for a person to look at.
 */
import type { FileChooser, Page } from 'playwright';
import { expect, test } from 'vitest';
import {
  ENDLESS,
  type Harness,
  addFiles,
  axeViolations,
  card,
  cardMenu,
  forgeParams,
  freshPage,
  pngFile,
  screenshot,
  useHarness,
  waitForStatus,
} from './harness';

let h: Harness;
useHarness((started) => (h = started));

async function captionOne(page: Page, name: string, colour: [number, number, number]): Promise<void> {
  await addFiles(page, [pngFile(name, colour)]);
  await waitForStatus(page, name, 'done');
}

test('axe finds nothing moderate or worse: empty page, results, open trace, open settings', async () => {
  // axe is injected as a script, which the page's CSP (rightly) forbids: this test's page bypasses it.
  const page = await freshPage(h, { bypassCSP: true });
  await page.goto(h.url(forgeParams(h.models, { mode: 'capflow' })));
  await expect.poll(async () => (await page.getByTestId('device').textContent())?.trim()).toMatch(/^Runs on the /);
  expect(await axeViolations(page)).toEqual([]);
  await captionOne(page, 'red.png', [230, 20, 30]);
  await addFiles(page, [{ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hi') }]);
  expect(await axeViolations(page)).toEqual([]);
  await cardMenu(page, 'red.png', 'trace-toggle');
  expect(await axeViolations(page)).toEqual([]);
  await page.getByTestId('settings-toggle').click();
  await page.getByTestId('export-toggle').click();
  expect(await axeViolations(page)).toEqual([]);
  expect(await page.getByRole('main').count()).toBe(1);
  await page.context().close();
});

test('keyboard only: add files from the toolbar, move between items with arrows, cancel one', async () => {
  const page = await freshPage(h);
  // Listening before anything happens turns Playwright's file-chooser interception on in time (it races otherwise).
  const chooser = new Promise<FileChooser>((resolve) => page.once('filechooser', resolve));
  await page.goto(h.url(forgeParams(h.models, ENDLESS)));
  const focusedName = () =>
    page.evaluate(() => {
      let el: Element | null = document.activeElement;
      while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
      return el?.getAttribute('aria-label') ?? el?.textContent?.trim() ?? '';
    });
  const tabTo = async (name: string | RegExp) => {
    for (let i = 0; i < 40; i++) {
      await page.keyboard.press('Tab');
      const now = await focusedName();
      if (typeof name === 'string' ? now === name : name.test(now)) return;
    }
    throw new Error(`Tab never reached ${String(name)}`);
  };
  await tabTo('Add files');
  await page.keyboard.press('Enter');
  await (await chooser).setFiles([pngFile('1-one.png', [230, 20, 30]), pngFile('2-two.png', [10, 200, 40])]);
  await waitForStatus(page, '1-one.png', 'running');
  // The list is one tab stop; arrows move between its items.
  await tabTo(/^1-one\.png, /);
  await page.keyboard.press('ArrowRight');
  expect(await focusedName()).toMatch(/^2-two\.png, /);
  await page.keyboard.press('ArrowLeft');
  expect(await focusedName()).toMatch(/^1-one\.png, /);
  await tabTo('Cancel 1-one.png');
  await page.keyboard.press('Enter');
  await waitForStatus(page, '1-one.png', 'cancelled');
  await expect.poll(() => page.getByTestId('announcer').textContent()).toContain('1-one.png: cancelled');
  await page.getByTestId('cancel-all').click();
  await page.context().close();
});

test('screenshots of the main states, light and dark, wide and narrow', async () => {
  for (const [theme, width] of [
    ['light', 1280],
    ['dark', 1280],
    ['dark', 360],
    ['light', 320],
  ] as const) {
    const page = await freshPage(h, { colorScheme: theme, viewport: { width, height: 900 } });
    await page.goto(h.url(forgeParams(h.models, { mode: 'capflow' })));
    await expect.poll(async () => (await page.getByTestId('device').textContent())?.trim()).toMatch(/^Runs on the /);
    await screenshot(page, `${width}-${theme}-empty`);
    if (width === 1280 && theme === 'light') {
      // A slow model host, to see the loading and running states.
      h.models.faults.delayMs = 400;
      await addFiles(page, [pngFile('loading.png', [10, 200, 40])]);
      await expect.poll(() => page.getByTestId('loading').count()).toBe(1);
      await screenshot(page, `${width}-${theme}-loading`);
      h.models.faults.delayMs = 0;
      await waitForStatus(page, 'loading.png', 'done');
    }
    await captionOne(page, 'red.png', [230, 20, 30]);
    await addFiles(page, [{ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hi') }]);
    await cardMenu(page, 'red.png', 'trace-toggle');
    await screenshot(page, `${width}-${theme}-results`);
    await page.getByTestId('settings-toggle').click();
    await screenshot(page, `${width}-${theme}-settings`);
    // Nothing may stick out sideways at any width.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
    await page.context().close();
  }
});
