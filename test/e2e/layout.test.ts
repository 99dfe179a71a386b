/**
 * Words and layout on narrow and wide screens: on a phone-sized screen the
 * toolbar is one row, its batch actions in a "More" menu that the keyboard
 * can use (and axe finds nothing wrong with); no select of the settings
 * panel cuts its text at 1280, 360 or 320 px; the queue can be paused and
 * resumed; a touch device is not asked to drop files, nor offered a folder
 * where folders cannot be picked. Screenshots at 1280 and 360 px, light
 * and dark, for a person to look at.
 */
import type { Page } from 'playwright';
import { expect, test } from 'vitest';
import {
  ENDLESS,
  type Harness,
  addFiles,
  axeViolations,
  card,
  focusedTestId,
  forgeParams,
  freshPage,
  pngFile,
  screenshot,
  useHarness,
  waitForStatus,
} from './harness';

let h: Harness;
useHarness((started) => (h = started));

/** The toolbar's height in CSS pixels. */
async function toolbarHeight(page: Page): Promise<number> {
  const box = await page.locator('mc-toolbar').boundingBox();
  if (!box) throw new Error('no toolbar');
  return box.height;
}

const colours: [number, number, number][] = [
  [230, 20, 30],
  [10, 200, 40],
  [20, 30, 220],
];

test('at 360 px the toolbar is one row; "More" holds the batch actions and works from the keyboard', async () => {
  const page = await freshPage(h, { viewport: { width: 360, height: 740 }, bypassCSP: true });
  await page.goto(h.url(forgeParams(h.models, ENDLESS)));
  await addFiles(
    page,
    colours.map((c, i) => pngFile(`${i + 1}.png`, c)),
  );
  await waitForStatus(page, '1.png', 'running');
  for (const width of [360, 320]) {
    await page.setViewportSize({ width, height: 740 });
    expect(await toolbarHeight(page), `toolbar height at ${width} px`).toBeLessThan(70);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
  }
  await page.setViewportSize({ width: 360, height: 740 });

  const more = page.getByTestId('more-toggle');
  const menu = page.getByTestId('more-menu');
  expect(await more.getAttribute('aria-expanded')).toBe('false');
  expect(await menu.isVisible()).toBe(false);
  await more.click();
  expect(await more.getAttribute('aria-expanded')).toBe('true');
  for (const id of ['pause-queue', 'cancel-all', 'retry-failed', 'clear-session']) {
    expect(await menu.getByTestId(id).isVisible(), `${id} in the menu`).toBe(true);
  }
  expect(await menu.getByTestId('counts').textContent()).toContain('0 of 3 done');
  // Still one row with the menu open: it floats over the page.
  expect(await toolbarHeight(page)).toBeLessThan(70);
  expect(await axeViolations(page)).toEqual([]);
  await screenshot(page, 'layout-360-light-menu');

  // Escape closes it and gives focus back to its button.
  await menu.getByTestId('pause-queue').focus();
  await page.keyboard.press('Escape');
  expect(await menu.isVisible()).toBe(false);
  expect(await more.getAttribute('aria-expanded')).toBe('false');
  expect(await focusedTestId(page)).toBe('more-toggle');

  // From the keyboard: Enter opens, the arrows move through the items (disabled ones skipped), Tab too.
  await page.keyboard.press('Enter');
  expect(await menu.isVisible()).toBe(true);
  await page.keyboard.press('ArrowDown');
  const first = await focusedTestId(page);
  expect(first === 'add-folder' || first === 'pause-queue').toBe(true);
  const seen = [first];
  for (let i = 0; i < 4; i++) {
    await page.keyboard.press('ArrowDown');
    seen.push(await focusedTestId(page));
  }
  expect(seen).toEqual(expect.arrayContaining(['pause-queue', 'cancel-all', 'clear-session']));
  expect(seen).not.toContain('retry-failed'); // disabled: nothing failed
  await page.keyboard.press('Escape');
  expect(await focusedTestId(page)).toBe('more-toggle');
  await page.keyboard.press('Enter');
  await page.keyboard.press('Tab');
  expect(['add-folder', 'pause-queue']).toContain(await focusedTestId(page));

  // Clearing asks again, inside the menu, in plain words.
  await more.click(); // closes
  await more.click(); // opens
  await menu.getByTestId('clear-session').click();
  expect(await focusedTestId(page)).toBe('confirm-clear');
  expect((await menu.getByTestId('keep-session').textContent())?.trim()).toBe("Don't clear");
  await menu.getByTestId('keep-session').click();
  expect(await menu.getByTestId('confirm-clear').count()).toBe(0);

  // An action closes the menu and puts focus back on its button.
  await menu.getByTestId('cancel-all').click();
  expect(await menu.isVisible()).toBe(false);
  expect(await focusedTestId(page)).toBe('more-toggle');
  await waitForStatus(page, '1.png', 'cancelled');
  await page.context().close();
});

test('no select of the settings panel cuts its text, at 1280, 360 and 320 px', async () => {
  const page = await freshPage(h, { viewport: { width: 1280, height: 900 } });
  // CapFlow with a judge shows every select the panel has.
  await page.goto(h.url(forgeParams(h.models, { mode: 'capflow', attempts: '2' })));
  await page.locator('mc-app[data-plans="settled"]:not([data-planning])').waitFor();
  await page.getByTestId('settings-toggle').click();
  for (const width of [1280, 360, 320]) {
    await page.setViewportSize({ width, height: 900 });
    const cut = await page.locator('mc-settings').evaluate((settings) => {
      const root = settings.shadowRoot;
      if (!root) throw new Error('no shadow root');
      const selects = [...root.querySelectorAll('select')];
      const found: string[] = [];
      for (const select of selects) {
        // The width the select would need to show its longest option whole: a copy left to size itself.
        const copy = select.cloneNode(true) as HTMLSelectElement;
        copy.style.cssText = 'position:absolute;visibility:hidden;width:auto;min-width:0;max-width:none';
        select.parentElement?.append(copy);
        const needed = copy.getBoundingClientRect().width;
        copy.remove();
        const has = select.getBoundingClientRect().width;
        if (needed > has + 0.5) {
          const longest = [...select.options].map((o) => o.text.trim()).sort((a, b) => b.length - a.length)[0];
          found.push(`${select.dataset.testid}: needs ${needed.toFixed(0)} px, has ${has.toFixed(0)} ("${longest}")`);
        }
      }
      return { count: selects.length, found };
    });
    expect(cut.count, 'selects checked').toBe(8);
    expect(cut.found, `cut selects at ${width} px`).toEqual([]);
  }
  await page.context().close();
});

test('pause stops the next item from starting; resume finishes the queue', async () => {
  const page = await freshPage(h);
  await page.goto(h.url(forgeParams(h.models, { mode: 'prompt' })));
  const names = colours.map((_, i) => `p${i + 1}.png`);
  await addFiles(
    page,
    colours.map((c, i) => pngFile(names[i] ?? '', c)),
  );
  await expect.poll(() => page.locator('li[data-id]').count()).toBe(3);
  const pause = page.getByTestId('pause-queue');
  await pause.click();
  expect((await pause.textContent())?.trim()).toBe('Resume');
  await expect.poll(() => page.getByTestId('counts').textContent()).toContain('paused');
  const statuses = () => Promise.all(names.map((n) => card(page, n).getAttribute('data-status')));
  // The item running when paused finishes; then nothing starts.
  await expect.poll(async () => (await statuses()).includes('running'), { timeout: 90_000 }).toBe(false);
  const held = await statuses();
  expect(held.filter((s) => s === 'queued').length).toBeGreaterThanOrEqual(2);
  await page.waitForTimeout(2500);
  expect(await statuses()).toEqual(held);

  await pause.click();
  expect((await pause.textContent())?.trim()).toBe('Pause');
  for (const name of names) await waitForStatus(page, name, 'done');
  expect(await page.getByTestId('counts').textContent()).not.toContain('paused');
  await page.context().close();
});

test('a touch device is not asked to drop files; "Add a folder" only where folders can be picked', async () => {
  const touch = { viewport: { width: 360, height: 740 }, hasTouch: true, isMobile: true, bypassCSP: true };
  const page = await freshPage(h, touch);
  await page.goto(h.url(forgeParams(h.models)));
  const empty = page.locator('section.empty');
  await expect.poll(() => empty.getByRole('heading').textContent()).toMatch(/Add images or videos/);
  expect(await empty.textContent()).not.toMatch(/drop/i);
  // Chromium can pick folders even when it emulates a phone: the button is there (in the menu).
  expect(await page.getByTestId('add-folder').count()).toBe(1);
  expect(await axeViolations(page)).toEqual([]);
  await page.context().close();

  // A browser without folder picking (most mobile ones): no button, no folder wording.
  const noFolders = await freshPage(h, touch);
  await noFolders.addInitScript(() => {
    delete (HTMLInputElement.prototype as { webkitdirectory?: boolean }).webkitdirectory;
  });
  await noFolders.goto(h.url(forgeParams(h.models)));
  await expect
    .poll(() => noFolders.locator('section.empty').getByRole('heading').textContent())
    .toMatch(/Add images or videos/);
  expect(await noFolders.getByTestId('add-folder').count()).toBe(0);
  expect(await noFolders.getByTestId('folder-input').count()).toBe(0);
  expect(await noFolders.locator('section.empty').textContent()).not.toMatch(/folder/i);
  await noFolders.context().close();

  // A desktop keeps its drop wording.
  const desktop = await freshPage(h);
  await desktop.goto(h.url(forgeParams(h.models)));
  await expect
    .poll(() => desktop.locator('section.empty').getByRole('heading').textContent())
    .toMatch(/Drop images, videos or folders here/);
  await desktop.context().close();
});

test(
  'screenshots at 1280 and 360 px, light and dark: empty, settings, working (paused)',
  { timeout: 300_000 },
  async () => {
    for (const theme of ['light', 'dark'] as const) {
      for (const width of [1280, 360]) {
        const page = await freshPage(h, { colorScheme: theme, viewport: { width, height: 800 } });
        await page.goto(h.url(forgeParams(h.models, { mode: 'capflow', attempts: '2' })));
        await expect.poll(async () => (await page.getByTestId('device').textContent())?.trim()).toMatch(/^Runs on /);
        await page.locator('mc-app[data-plans="settled"]:not([data-planning])').waitFor();
        await screenshot(page, `layout-${width}-${theme}-empty`);
        await page.getByTestId('settings-toggle').click();
        await screenshot(page, `layout-${width}-${theme}-settings`);
        expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
        await page.context().close();
        // A fresh page for the work: a model that never stops, paused with an item left.
        const work = await freshPage(h, { colorScheme: theme, viewport: { width, height: 800 } });
        await work.goto(h.url(forgeParams(h.models, ENDLESS)));
        await addFiles(work, [pngFile('red.png', [230, 20, 30]), pngFile('green.png', [10, 200, 40])]);
        // One of the two runs (never ends), the other waits.
        await expect
          .poll(() => work.locator('li[data-id][data-status="running"]').count(), { timeout: 90_000 })
          .toBe(1);
        await work.getByTestId('pause-queue').evaluate((b: HTMLButtonElement) => b.click());
        await expect.poll(() => work.getByTestId('counts').textContent()).toContain('paused');
        if (width === 360) await work.getByTestId('more-toggle').click();
        await screenshot(work, `layout-${width}-${theme}-working`);
        expect(await work.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
        await work.getByTestId('cancel-all').evaluate((b: HTMLButtonElement) => b.click());
        await work.context().close();
      }
    }
  },
);
