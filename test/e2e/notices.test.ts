/**
 * Fallbacks are said on the page, never quiet: a link with settings the
 * page does not understand and a session that cannot be read back each
 * show a notice in plain words (a plan that fails: test/browser/plan-states.test.ts).
 */
import { expect, test } from 'vitest';
import { type Harness, forgeParams, freshPage, screenshot, useHarness } from './harness';

let h: Harness;
useHarness((started) => (h = started));

test('a mistyped link names each setting it could not use', async () => {
  const page = await freshPage(h, { viewport: { width: 320, height: 640 }, colorScheme: 'dark' });
  await page.goto(h.url(forgeParams(h.models, { preset: 'balancd', frames: '7' })));
  await expect
    .poll(() => page.getByTestId('notice').textContent())
    .toMatch(
      /defaults are used for these: preset "balancd" is not tiny, balanced or quality; frames "7" is not 4, 8, 12 or 16/,
    );
  await screenshot(page, 'notice-link-320-dark');
});

test('a session that cannot be read back is said, and the page still works', async () => {
  const page = await freshPage(h);
  // The session store's reads fail, as with a damaged database.
  await page.addInitScript(() => {
    const getAll = IDBObjectStore.prototype.getAll;
    IDBObjectStore.prototype.getAll = function (...args) {
      if (this.name === 'items') throw new DOMException('The stored items could not be read.', 'DataError');
      return getAll.apply(this, args);
    };
  });
  await page.goto(h.url(forgeParams(h.models)));
  await expect
    .poll(() => page.getByTestId('notice').textContent())
    .toMatch(/Your last session could not be restored \(.*The stored items could not be read\.\)\. It is still stored/);
});
