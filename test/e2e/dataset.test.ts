/**
 * The page for dataset work, problem by problem as issue 25 found them:
 * a re-run never throws away an edit (and the caption stays visible and
 * exported while the re-run waits on an unreachable host); settings from a
 * link are remembered; duplicates are caught by content; every file added
 * is counted; errors read as sentences, not class names; the keyboard keeps
 * its place after Cancel and Remove, the sticky toolbar never covers the
 * focused card, and Escape closes a panel.
 */
import type { Page } from 'playwright';
import { expect, test } from 'vitest';
import { TINY_VLM_CAPTIONS } from '../fixtures/specs';
import {
  ENDLESS,
  type Harness,
  addFiles,
  axeViolations,
  card,
  downloadText,
  forgeParams,
  freshPage,
  pngFile,
  screenshot,
  storedItems,
  useHarness,
  waitForStatus,
  waitForStored,
} from './harness';

let h: Harness;
useHarness((started) => (h = started));

/** The JSONL export's records. */
async function exportedJsonl(page: Page): Promise<{ file: string; caption: string; generated: string | null }[]> {
  const { bytes } = await downloadText(page, 'export-jsonl');
  return bytes
    .toString('utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

/** The element that has focus, through shadow roots: its tag, data-id and label. */
function focused(page: Page): Promise<string> {
  return page.evaluate(() => {
    let el: Element | null = document.activeElement;
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
    return el ? `${el.tagName.toLowerCase()} ${el.getAttribute('aria-label') ?? ''}`.trim() : 'none';
  });
}

test('a re-run never throws away an edit: shown and exported while it waits, the new caption offered beside it', async () => {
  // axe is injected as a script at the end, which the site's CSP would refuse.
  const page = await freshPage(h, { bypassCSP: true });
  await page.goto(h.url(forgeParams(h.models)));
  await addFiles(page, [pngFile('meadow.png', [40, 180, 60])]);
  await waitForStatus(page, 'meadow.png', 'done');
  const meadow = card(page, 'meadow.png');
  expect(await meadow.getByTestId('made-by').textContent()).toMatch(/Written by Single pass · detailed · tiny-smolvlm/);
  const edited = 'A green meadow, in my own words.';
  await meadow.getByTestId('caption').fill(edited);
  await meadow.getByTestId('caption').blur();
  await waitForStored(page, 'the edit', (items) => items.some((i) => i.edited === edited));

  // The host goes away (a link to a host that refuses), and the user re-captions: the load fails, the
  // item waits, and its caption — the edit — stays on the card and in the exports.
  await page.goto(h.url(forgeParams(h.models, { host: 'http://127.0.0.1:9' })));
  await meadow.getByTestId('recaption').click();
  await page.getByTestId('model-error').waitFor({ timeout: 60_000 });
  expect(await meadow.getAttribute('data-status')).toBe('queued');
  expect(await meadow.getByTestId('caption').inputValue()).toBe(edited);
  await page.getByTestId('export-toggle').click();
  expect(await page.getByTestId('export-scope').textContent()).toContain('All 1 finished captions.');
  expect(await exportedJsonl(page)).toMatchObject([
    { file: 'meadow.png', caption: edited, generated: TINY_VLM_CAPTIONS.green },
  ]);

  // Back on a host that answers: the re-run finishes, the edit is still the caption.
  await page.goto(h.url(forgeParams(h.models, { style: 'short' })));
  await waitForStatus(page, 'meadow.png', 'done');
  await expect.poll(() => meadow.getByTestId('caption').inputValue()).toBe(edited);
  expect(await meadow.getByTestId('made-by').textContent()).toMatch(/^\s*Your edit \(kept and exported\)\./);
  await screenshot(page, 'dataset-edit-kept');
  // The user takes the generated caption: the edit is kept as a version and can come back.
  await meadow.getByTestId('revert').click();
  expect(await meadow.getByTestId('caption').inputValue()).toBe(TINY_VLM_CAPTIONS.green);
  await meadow.getByText(/^Earlier versions/).click();
  expect(await meadow.getByTestId('version').first().textContent()).toContain(edited);
  await screenshot(page, 'dataset-versions');
  await meadow.getByRole('button', { name: 'Use this version as the caption of meadow.png' }).first().click();
  expect(await meadow.getByTestId('caption').inputValue()).toBe(edited);
  await waitForStored(page, 'the chosen version', (items) => items.some((i) => i.edited === edited));
  expect((await storedItems(page))[0]?.versions?.map((v) => v.kind)).toEqual(['edited']);
  expect(await axeViolations(page)).toEqual([]);
  await page.context().close();
});

test('settings from a link are remembered for the next plain visit', async () => {
  const page = await freshPage(h);
  await page.goto(h.url(forgeParams(h.models, { mode: 'capflow', style: 'short' })));
  await waitForStored(page, 'the link settings', (_, meta) =>
    meta.some((m) => typeof m === 'string' && m.includes('mode=capflow') && m.includes('style=short')),
  );
  await page.goto(h.url());
  await page.getByTestId('settings-toggle').click();
  await expect.poll(() => page.getByLabel('CapFlow').isChecked()).toBe(true);
  expect(await page.getByTestId('style').inputValue()).toBe('short');
  expect(new URL(page.url()).searchParams.get('host')).toBe(h.models.url);
  await page.context().close();
});

test('duplicates are caught by content, every file is counted, errors are sentences', async () => {
  const page = await freshPage(h);
  await page.goto(h.url(forgeParams(h.models)));
  const red = pngFile('red.png', [230, 20, 30]);
  await addFiles(page, [
    red,
    { ...red, name: 'scarlet.png' },
    pngFile('green.png', [10, 200, 40]),
    { name: 'notes.png', mimeType: 'image/png', buffer: Buffer.from('not an image at all\n') },
  ]);
  await waitForStatus(page, 'red.png', 'done');
  await waitForStatus(page, 'green.png', 'done');
  const copy = card(page, 'scarlet.png');
  expect(await copy.getByTestId('status').textContent()).toMatch(/skipped: duplicate/);
  expect(await copy.getByTestId('error-message').textContent()).toBe(
    'The same file as "red.png" is already here: skipped.',
  );
  expect(await page.getByTestId('counts').textContent()).toBe('2 of 4 done · 1 refused · 1 duplicate skipped');
  await expect.poll(() => page.getByTestId('notice').textContent()).toMatch(/scarlet.png \(same as red.png\)/);
  // The sentence a user reads has no class name; the name is under Details.
  const shown = await card(page, 'notes.png').getByTestId('item-error').innerText();
  expect(shown).toMatch(/"notes.png" is a text file, not an image\./);
  expect(shown).not.toMatch(/[A-Z][a-z]+Error/);
  await screenshot(page, 'dataset-duplicate');
  await copy.getByTestId('keep-duplicate').click();
  await waitForStatus(page, 'scarlet.png', 'done');
  expect(await page.getByTestId('counts').textContent()).toBe('3 of 4 done · 1 refused');
  await page.context().close();
});

test('keyboard: focus goes to the next item after Cancel and Remove, the toolbar never covers it, Escape closes a panel', async () => {
  const page = await freshPage(h);
  await page.setViewportSize({ width: 1280, height: 600 });
  await page.goto(h.url(forgeParams(h.models, ENDLESS)));
  const names = ['a.png', 'b.png', 'c.png', 'd.png', 'e.png', 'f.png', 'g.png', 'h.png'];
  await addFiles(
    page,
    names.map((n, i) => pngFile(n, [20 * i, 200 - 20 * i, 90])),
  );
  await waitForStatus(page, 'a.png', 'running', 60_000);
  await card(page, 'a.png').getByTestId('cancel').focus();
  await page.keyboard.press('Enter');
  await expect.poll(() => focused(page)).toBe('li b.png, queued');
  await card(page, 'b.png').getByTestId('remove').focus();
  await page.keyboard.press('Enter');
  await expect.poll(() => focused(page)).toMatch(/^li c\.png, /);
  await expect.poll(() => page.locator('li[data-id]').count()).toBe(7);

  // A card scrolled under the sticky toolbar and then focused comes out below it.
  await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
  await page.keyboard.press('Home');
  await expect.poll(() => focused(page)).toMatch(/^li a\.png, /);
  const [cardTop, toolbarBottom] = await page.evaluate(() => {
    const app = document.querySelector('mc-app')?.shadowRoot;
    const li = app?.querySelector('mc-queue')?.shadowRoot?.querySelector('li[data-id]');
    const toolbar = app?.querySelector('mc-toolbar');
    return [li?.getBoundingClientRect().top ?? -1, toolbar?.getBoundingClientRect().bottom ?? 1e9];
  });
  expect(cardTop).toBeGreaterThanOrEqual(toolbarBottom);

  // Escape closes the export panel and gives focus back to its button.
  await page.getByTestId('export-toggle').click();
  expect(await page.locator('#export-panel').isVisible()).toBe(true);
  await page.keyboard.press('Escape');
  await expect.poll(() => page.locator('#export-panel').isVisible()).toBe(false);
  expect(await focused(page)).toBe('button');
  expect(await page.getByTestId('export-toggle').evaluate((b) => b.matches(':focus'))).toBe(true);
  await page.getByTestId('cancel-all').click();
  await page.context().close();
});
