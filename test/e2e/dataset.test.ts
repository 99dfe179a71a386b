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
  cardMenu,
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
  expect(await meadow.getByTestId('made-by').textContent()).toBe('Single pass · detailed');
  expect(await meadow.getByTestId('made-by').getAttribute('title')).toMatch(
    /^Written by Single pass · detailed · tiny-smolvlm/,
  );
  // The model's caption has the model's own token count; an edit an estimate, said with "≈".
  expect(await meadow.getByTestId('length').textContent()).toMatch(/^\d+ characters · \d+ tokens$/);
  const edited = 'A green meadow, in my own words.';
  await meadow.getByTestId('caption').fill(edited);
  await meadow.getByTestId('caption').blur();
  await waitForStored(page, 'the edit', (items) => items.some((i) => i.edited === edited));
  await expect.poll(() => meadow.getByTestId('length').textContent()).toBe('32 characters · ≈ 9 tokens');

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
  expect(await meadow.getByTestId('edited').textContent()).toBe('Your edit');
  expect(await meadow.getByTestId('edited').getAttribute('title')).toMatch(
    /^Your edit is the caption: kept and exported/,
  );
  await screenshot(page, 'dataset-edit-kept');
  // The user takes the generated caption: the edit is kept as a version and can come back.
  // The re-run wrote the caption it had before (the forge's answer): the card offers to revert, in its menu.
  await cardMenu(page, 'meadow.png', 'revert');
  await expect.poll(() => meadow.getByTestId('caption').inputValue()).toBe(TINY_VLM_CAPTIONS.green);
  await cardMenu(page, 'meadow.png', 'versions-toggle');
  expect(await meadow.getByTestId('version').first().textContent()).toContain(edited);
  await screenshot(page, 'dataset-versions');
  await meadow.getByRole('button', { name: 'Use this version as the caption of meadow.png' }).first().click();
  await expect.poll(() => meadow.getByTestId('caption').inputValue()).toBe(edited);
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
  await expect
    .poll(() => page.getByTestId('counts').textContent())
    .toBe('2 of 4 done · 1 refused · 1 duplicate skipped');
  await expect.poll(() => page.getByTestId('notice').textContent()).toMatch(/scarlet.png \(same as red.png\)/);
  // The sentence a user reads has no class name; the name is under Details.
  const shown = await card(page, 'notes.png').getByTestId('item-error').innerText();
  expect(shown).toMatch(/"notes.png" is a text file, not an image\./);
  expect(shown).not.toMatch(/[A-Z][a-z]+Error/);
  await screenshot(page, 'dataset-duplicate');
  await copy.getByTestId('keep-duplicate').click();
  await waitForStatus(page, 'scarlet.png', 'done');
  await expect.poll(() => page.getByTestId('counts').textContent()).toBe('3 of 4 done · 1 refused');
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
  await expect.poll(() => page.locator('#export-panel').isVisible()).toBe(true);
  await page.keyboard.press('Escape');
  await expect.poll(() => page.locator('#export-panel').isVisible()).toBe(false);
  await expect.poll(() => page.getByTestId('export-toggle').evaluate((b) => b.matches(':focus'))).toBe(true);
  await page.getByTestId('cancel-all').click();
  await page.context().close();
});

test('curating: select with click, shift-click and Ctrl+A, find/replace and a prefix previewed then applied, list layout, re-caption selected', async () => {
  const page = await freshPage(h, { bypassCSP: true });
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(h.url(forgeParams(h.models)));
  const colours: [string, [number, number, number]][] = [
    ['1-red.png', [230, 20, 30]],
    ['2-green.png', [10, 200, 40]],
    ['3-blue.png', [20, 30, 220]],
    ['4-red.png', [220, 30, 20]],
    ['5-green.png', [20, 190, 50]],
  ];
  await addFiles(
    page,
    colours.map(([n, c]) => pngFile(n, c)),
  );
  for (const [name] of colours) await waitForStatus(page, name, 'done');
  const selection = () => page.getByTestId('selection').textContent();

  // Click, then shift-click: a range.
  await card(page, '1-red.png').getByTestId('select').click();
  await card(page, '3-blue.png')
    .getByTestId('select')
    .click({ modifiers: ['Shift'] });
  await expect.poll(selection).toMatch(/5 of 5 shown · 3 selected/);
  // Space on a focused card toggles it; Ctrl+A selects everything shown.
  await card(page, '2-green.png').focus();
  await page.keyboard.press('Space');
  await expect.poll(selection).toMatch(/2 selected/);
  await page.keyboard.press('Control+a');
  await expect.poll(selection).toMatch(/5 selected/);
  await page.getByTestId('clear-selection').click();

  // Search narrows what is shown; the bulk tools then work on what is shown.
  await page.getByTestId('search').fill('-red');
  await expect.poll(selection).toMatch(/^\s*2 of 5 shown/);
  await page.getByTestId('tool-replace').click();
  await page.getByTestId('find').fill('^(\\w+)');
  await page.getByTestId('replace').fill('[$1]');
  // Taken literally, "^(\w+)" is in no caption.
  await expect
    .poll(() => page.getByTestId('preview-summary').textContent())
    .toMatch(/No caption of the 2 shown changes/);
  await page.getByLabel('Regular expression').check();
  await expect
    .poll(() => page.getByTestId('preview-summary').textContent())
    .toMatch(/2 of the 2 shown captions change/);
  await screenshot(page, 'dataset-find-replace-preview');
  await page.getByTestId('apply-edits').click();
  const redCaption = TINY_VLM_CAPTIONS.red.replace(/^(\w+)/u, '[$1]');
  await expect.poll(() => card(page, '4-red.png').getByTestId('caption').inputValue()).toBe(redCaption);
  expect(await card(page, '1-red.png').getByTestId('caption').inputValue()).toBe(redCaption);

  // A trigger word for everything: clear the search, select all, add the prefix.
  await page.getByTestId('search').fill('');
  await page.getByTestId('select-all').click();
  await page.getByTestId('tool-prefix').click();
  await page.getByTestId('prefix').fill('ohwx');
  await expect
    .poll(() => page.getByTestId('preview-summary').textContent())
    .toMatch(/5 of the 5 selected captions change/);
  await page.getByTestId('apply-edits').click();
  await expect
    .poll(() => card(page, '2-green.png').getByTestId('caption').inputValue())
    .toBe(`ohwx, ${TINY_VLM_CAPTIONS.green}`);
  expect(await card(page, '1-red.png').getByTestId('caption').inputValue()).toBe(`ohwx, ${redCaption}`);
  // Every bulk change is a version the card can go back to.
  await cardMenu(page, '1-red.png', 'versions-toggle');
  expect(await card(page, '1-red.png').getByTestId('version').allTextContents()).toEqual([
    expect.stringContaining(redCaption),
  ]);
  await screenshot(page, 'dataset-selection');

  // The list layout: compact rows and a large preview of the focused item beside them.
  await page.getByTestId('layout-list').click();
  await card(page, '3-blue.png').click();
  await expect.poll(() => page.getByTestId('preview-pane').getAttribute('aria-label')).toBe('Preview of 3-blue.png');
  expect(await page.getByTestId('preview-pane').getByTestId('caption').inputValue()).toBe(
    `ohwx, ${TINY_VLM_CAPTIONS.blue}`,
  );
  const rowHeight = await card(page, '2-green.png').evaluate((li) => li.getBoundingClientRect().height);
  expect(rowHeight).toBeLessThan(90);
  await screenshot(page, 'dataset-list-1280');
  expect(await axeViolations(page)).toEqual([]);

  // Re-caption the selection with the current settings: the edits stay, every item runs again.
  await page.getByTestId('recaption-selected').click();
  for (const [name] of colours) await waitForStatus(page, name, 'done');
  expect(await card(page, '2-green.png').getByTestId('caption-line').textContent()).toContain('ohwx, ');
  await page.setViewportSize({ width: 360, height: 800 });
  await screenshot(page, 'dataset-list-360');
  await page.context().close();
});

test('dark mode at 360 px: the curate bar and cards', async () => {
  const page = await freshPage(h, { colorScheme: 'dark', viewport: { width: 360, height: 800 } });
  await page.goto(h.url(forgeParams(h.models)));
  await addFiles(page, [pngFile('red.png', [230, 20, 30]), pngFile('blue.png', [20, 30, 220])]);
  await waitForStatus(page, 'red.png', 'done');
  await waitForStatus(page, 'blue.png', 'done');
  await card(page, 'red.png').getByTestId('select').click();
  await page.getByTestId('tool-replace').click();
  await page.getByTestId('find').fill('a');
  await screenshot(page, 'dataset-360-dark');
  const cardHeight = await card(page, 'blue.png').evaluate((li) => li.getBoundingClientRect().height);
  console.log(`card height at 360 px: ${Math.round(cardHeight)} px`);
  // Two-line captions: shorter than the 300-character card of cards.test.ts (at most 220 px at 360 px).
  expect(cardHeight).toBeLessThanOrEqual(180);
  await page.context().close();
});

test('the working item is kept in view while the user watches, and left alone once they scroll away', async () => {
  const page = await freshPage(h, { viewport: { width: 360, height: 360 } });
  // A model that writes until its budget: each item takes a moment, then the next starts.
  await page.goto(h.url(forgeParams(h.models, { ...ENDLESS, maxTokens: '60' })));
  await addFiles(
    page,
    ['a.png', 'b.png', 'c.png', 'd.png'].map((n, i) => pngFile(n, [40 * i, 90, 200 - 40 * i])),
  );
  const inView = (name: string) =>
    card(page, name).evaluate((li) => {
      const r = li.getBoundingClientRect();
      return r.top < window.innerHeight && r.bottom > 0;
    });
  // An item is seen by its state, not caught mid-run: under load one can start and finish between two looks.
  const started = (name: string) =>
    expect
      .poll(() => card(page, name).getAttribute('data-status'), { timeout: 60_000, message: `${name} should start` })
      .not.toBe('queued');
  const workingInView = () =>
    page
      .locator('li[data-id][data-status="running"]')
      .evaluateAll((lis) =>
        lis.some((li) => li.getBoundingClientRect().top < window.innerHeight && li.getBoundingClientRect().bottom > 0),
      );
  await waitForStatus(page, 'a.png', 'running', 60_000);
  await card(page, 'a.png').evaluate((li) => li.scrollIntoView({ block: 'end' }));
  expect(await inView('b.png')).toBe(false);
  await started('b.png');
  // The item at work (b, or the one after it by now) is brought into view.
  await expect.poll(workingInView).toBe(true);
  // The user scrolls back to the top to read a's caption: c starting does not pull the page away.
  await page.evaluate(() => window.scrollTo(0, 0));
  await started('c.png');
  await waitForStatus(page, 'b.png', 'done', 60_000);
  expect(await page.evaluate(() => window.scrollY)).toBe(0);
  await page.context().close();
});
