/**
 * CapFlow made visible on the built site: the routed domain with its
 * confidence and how it was decided, every step of that domain's workflow
 * in the trace with its output, the judge's scores, device and dtypes; and
 * pinning another domain re-runs the item with that domain's agents.
 */
import type { Page } from 'playwright';
import { expect, test } from 'vitest';
import { DOMAINS } from '../../src/capflow/spec';
import { tinyLlmAnswer } from '../fixtures/forge/oracle';
import { colourRouting } from '../fixtures/forge/router-markers';
import { TINY_VLM_CAPTIONS } from '../fixtures/specs';
import {
  type Harness,
  addFiles,
  card,
  cardMenu,
  forgeParams,
  freshPage,
  pngFile,
  screenshot,
  storedItems,
  useHarness,
  waitForStatus,
} from './harness';

let h: Harness;
useHarness((started) => (h = started));

/** The agents listed in an item's trace, in order. */
function traceSteps(page: Page, name: string): Promise<(string | null)[]> {
  return card(page, name)
    .locator('mc-trace li[data-agent]')
    .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-agent')));
}

function traceCell(page: Page, name: string, agent: string, label: string): Promise<string | null> {
  return card(page, name).locator(`mc-trace li[data-agent="${agent}"] [data-label="${label}"] pre`).textContent();
}

test('the trace lists every step of the routed domain; pinning another domain re-runs the item with its agents', async () => {
  const [routed] = colourRouting().domains;
  const page = await freshPage(h);
  await page.goto(h.url(forgeParams(h.models, { mode: 'capflow' })));
  await addFiles(page, [pngFile('red.png', [230, 20, 30])]);
  // While it runs, the card names the stage it is in.
  await expect
    .poll(() => card(page, 'red.png').getByTestId('status').textContent(), { timeout: 60_000 })
    .toMatch(/working/);
  await waitForStatus(page, 'red.png', 'done');

  const item = card(page, 'red.png');
  // Plain words on the card, the technical form in its tooltip.
  expect(await item.getByTestId('domain').textContent()).toMatch(
    new RegExp(`^${escape(DOMAINS[routed].label)}, 100% sure$`),
  );
  expect(await item.getByTestId('domain').getAttribute('title')).toBe(
    `Picked by the image classifier (domain ${routed} 100% · decided by zero-shot)`,
  );
  await cardMenu(page, 'red.png', 'trace-toggle');
  await screenshot(page, 'results-trace-open');
  const agents = DOMAINS[routed].agents;
  // The colour fixture's judge answers a letter chain: it is asked once more, and its scores stay unknown.
  expect(await traceSteps(page, 'red.png')).toEqual(['router', ...agents, 'summary', 'judge-1', 'judge-1-again']);
  const notes: (string | null)[] = [];
  for (const agent of agents.filter((a) => a !== 'ocr')) {
    notes.push(await traceCell(page, 'red.png', agent, 'Output'));
  }
  expect(notes.every((n) => n === TINY_VLM_CAPTIONS.red)).toBe(true);
  const summaryPrompt = await traceCell(page, 'red.png', 'summary', 'Prompt');
  const caption = await item.getByTestId('caption').inputValue();
  expect(caption).toBe(tinyLlmAnswer(summaryPrompt ?? ''));
  expect(notes, 'the caption is the summary’s, not any agent’s note').not.toContain(caption);
  expect(await item.getByTestId('verdict').textContent()).toMatch(/its answer could not be read/);
  // Nothing to list then: the five dimensions it was asked for are in the record, each unknown.
  expect(await item.getByTestId('scores').count()).toBe(0);
  const [stored] = await storedItems(page);
  expect(stored?.record?.judge?.scores).toEqual({
    'factual accuracy': null,
    completeness: null,
    'reasoning rigor': null,
    'core intent': null,
    professionalism: null,
  });
  expect(await item.getByTestId('runtime').textContent()).toBe('ran on the CPU');
  // The forge's VLM is of the SmolVLM family: its own plan (q8 on WASM), not the balanced tier's Qwen3.5 one.
  expect(await item.getByTestId('runtime').getAttribute('title')).toBe('wasm · vlm q8 · llm q8 · router q8');

  // Pin another domain: the item runs again with exactly that domain's agents, no routing.
  const pinned = Object.keys(DOMAINS).find(
    (d) => d !== routed && d !== 'video' && d !== 'natural',
  ) as keyof typeof DOMAINS;
  // The card is half as tall as it was (465 px at 360 px wide, then 310): the caption beside the thumbnail, the
  // facts in one line, the judge's verdict and scores in one run of text, the secondary actions in a menu.
  await cardMenu(page, 'red.png', 'trace-toggle');
  await page.setViewportSize({ width: 360, height: 800 });
  expect(await item.evaluate((el) => el.getBoundingClientRect().height)).toBeLessThanOrEqual(240);
  // The menu by keyboard: the arrow opens it on its first control, Escape shuts it with focus back on its button.
  const menu = item.getByTestId('item-menu');
  await menu.focus();
  await page.keyboard.press('ArrowDown');
  await expect.poll(() => item.getByTestId('pin-domain').evaluate((s) => s.matches(':focus'))).toBe(true);
  await page.keyboard.press('Escape');
  await expect.poll(() => item.getByTestId('pin-domain').isVisible()).toBe(false);
  await expect.poll(() => menu.evaluate((b) => b.matches(':focus'))).toBe(true);
  expect(await menu.getAttribute('aria-expanded')).toBe('false');
  // "Re-caption as" is in the card's menu.
  await menu.click();
  await item.getByTestId('pin-domain').selectOption(pinned);
  // The card is still 'done' from the first run until the new one starts: wait for the pinned domain first.
  await expect
    .poll(() => item.getByTestId('domain').textContent(), { timeout: 90_000 })
    .toMatch(new RegExp(`${escape(DOMAINS[pinned].label)} · you chose it`));
  await waitForStatus(page, 'red.png', 'done');
  await cardMenu(page, 'red.png', 'trace-toggle');
  expect(await traceSteps(page, 'red.png')).toEqual([...DOMAINS[pinned].agents, 'summary', 'judge-1', 'judge-1-again']);
  await page.context().close();
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\&]/g, '\\$&');
}
