/**
 * What every e2e file starts: the forge's models on a local "hub", the
 * network guard, the built site on the preview server `npm start` uses, and
 * headless Chromium pointed at the guard. Also helpers to open the page on
 * the forge models, pick files, read downloads and save screenshots.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContextOptions, type Page, chromium } from 'playwright';
import { type PreviewServer, preview } from 'vite';
import { afterAll, beforeAll, expect } from 'vitest';
import type { SessionItem } from '../../src/session/item';
import { forgeAll } from '../fixtures/forge/models';
import { TINY_LLM, TINY_VLM } from '../fixtures/specs';
import { chromiumArgs, chromiumPath } from '../support/chromium';
import { type ModelServer, startModelServer } from '../support/model-server';
import { type NetworkGuard, startNetworkGuard } from '../support/network-guard';
import { solidPng } from '../support/png';
import { serveFolder } from '../support/serve-folder';

/** Where screenshots go (git-ignored), to be looked at by a person. */
export const SCREENSHOTS = join(process.cwd(), 'test-results', 'screenshots');

/** The running servers and browser of one e2e file. */
export interface Harness {
  readonly root: string;
  readonly models: ModelServer;
  readonly guard: NetworkGuard;
  readonly site: PreviewServer;
  readonly browser: Browser;
  /** The site's URL with these query parameters. */
  url(params?: Record<string, string>): string;
  close(): Promise<void>;
}

/** Starts everything; `close()` also asserts that no request left localhost. `args`: extra Chromium flags. */
export async function startHarness(args: readonly string[] = []): Promise<Harness> {
  const root = mkdtempSync(join(tmpdir(), 'mc-e2e-'));
  forgeAll(join(root, 'forge'), { dtypes: ['fp32', 'fp16', 'q8', 'q4', 'q4f16'] });
  const models = await startModelServer(root);
  const guard = await startNetworkGuard();
  const site = await preview({
    // Loads vite.config.ts on the fly (extensionless TypeScript imports), as the npm scripts do: no warnings.
    configLoader: 'runner',
    preview: { port: 0, host: '127.0.0.1' },
    logLevel: 'warn',
    // Models self-hosted next to the app, for the `local` source: <site>/models/<org>/<name>/…
    plugins: [serveFolder('/models/', root)],
  });
  const browser = await chromium.launch({
    executablePath: chromiumPath(),
    args: [...chromiumArgs(guard.port), ...args],
  });
  const base = site.resolvedUrls?.local[0];
  if (!base) throw new Error('preview server has no local URL');
  return {
    root,
    models,
    guard,
    site,
    browser,
    url: (params = {}) => {
      const query = new URLSearchParams(params).toString();
      return query ? `${base}?${query}` : base;
    },
    async close() {
      await browser.close();
      await site.close();
      await models.close();
      await guard.close();
      rmSync(root, { recursive: true, force: true });
      expect(guard.appRequests(), 'requests to non-localhost hosts').toEqual([]);
    },
  };
}

/** Starts the harness before the file's tests (handing it to `started`) and closes it after them. */
export function useHarness(started: (harness: Harness) => void, args: readonly string[] = []): void {
  let running: Harness | undefined;
  beforeAll(async () => {
    running = await startHarness(args);
    started(running);
  });
  afterAll(async () => {
    await running?.close();
  });
}

/** URL parameters that put every role on the forge's models from the local hub. */
export function forgeParams(models: ModelServer, extra: Record<string, string> = {}): Record<string, string> {
  return {
    host: models.url,
    vlm: TINY_VLM.repo,
    llm: TINY_LLM.repo,
    router: 'forge/tiny-clip-routed',
    revision: 'main',
    device: 'wasm',
    ...extra,
  };
}

/** Settings for a model that never stops writing (until cancelled): prompt mode, no token limit to speak of. */
export const ENDLESS = Object.freeze({ vlm: 'forge/tiny-smolvlm-endless', mode: 'prompt', maxTokens: '1000000' });

/** A fresh browser context (its own storage) and page. */
export async function freshPage(h: Harness, options: BrowserContextOptions = {}): Promise<Page> {
  const context = await h.browser.newContext(options);
  const page = await context.newPage();
  // MC_E2E_CONSOLE=1 prints the page's console, for debugging a failing test.
  if (process.env.MC_E2E_CONSOLE) page.on('console', (m) => console.log(`[page ${m.type()}] ${m.text()}`));
  return page;
}

/** A PNG of one colour, as Playwright's file payload. */
export function pngFile(name: string, [r, g, b]: readonly [number, number, number]) {
  return { name, mimeType: 'image/png', buffer: solidPng(r, g, b) };
}

/** Picks files through the page's hidden file input. */
export async function addFiles(page: Page, files: Parameters<Page['setInputFiles']>[1]): Promise<void> {
  await page.getByTestId('file-input').setInputFiles(files);
}

/** The card of one file. */
export function card(page: Page, name: string) {
  return page.locator('li[data-id]').filter({ has: page.getByRole('heading', { name, exact: true }) });
}

/** The data-testid of the element that has focus, through shadow roots. */
export function focusedTestId(page: Page): Promise<string | null> {
  return page.evaluate(() => {
    let el: Element | null = document.activeElement;
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
    return el?.getAttribute('data-testid') ?? null;
  });
}

/**
 * Clicks an item in a card's "More" menu (the trace, the details, the
 * earlier versions, Revert, Remove), opening the menu first: a test goes
 * the way a user does.
 */
export async function cardMenu(page: Page, name: string, testId: string): Promise<void> {
  const item = card(page, name);
  await item.getByTestId('item-menu').click();
  await item.locator('#item-menu').getByTestId(testId).click();
}

/**
 * A card's error as "Name message": the message is what the card shows, the
 * name is kept under its Details (never in the sentence a user reads).
 */
export async function itemError(page: Page, name: string): Promise<string> {
  const error = card(page, name).getByTestId('item-error');
  const [errorName, message] = await Promise.all([
    error.getByTestId('error-name').textContent(),
    error.getByTestId('error-message').textContent(),
  ]);
  return `${errorName?.trim()} ${message?.trim()}`;
}

/** Waits for a card's status badge to read `status`. */
export async function waitForStatus(page: Page, name: string, status: string, timeout = 90_000): Promise<void> {
  await expect
    .poll(() => card(page, name).getAttribute('data-status'), { timeout, message: `${name} should become ${status}` })
    .toBe(status);
}

/** A record of the page's session database ('items' or 'meta'), as stored: what a reload would restore. */
function storedRecords<T>(page: Page, store: 'items' | 'meta'): Promise<T[]> {
  return page.evaluate(
    (name) =>
      new Promise<T[]>((resolve, reject) => {
        const open = indexedDB.open('metacaptioner-session');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const request = open.result.transaction(name).objectStore(name).getAll();
          request.onsuccess = () => resolve(request.result as T[]);
          request.onerror = () => reject(request.error);
          request.transaction?.addEventListener('complete', () => open.result.close());
        };
      }),
    store,
  );
}

/** Every item of the session, as stored. */
export function storedItems(page: Page): Promise<SessionItem[]> {
  return storedRecords<SessionItem>(page, 'items');
}

/**
 * Waits until the stored session satisfies `check`: a test that reloads or
 * leaves the page after a change waits for the write itself, not for time.
 */
export async function waitForStored(
  page: Page,
  what: string,
  check: (items: readonly SessionItem[], meta: readonly unknown[]) => boolean,
): Promise<void> {
  await expect
    .poll(async () => check(await storedItems(page), await storedRecords(page, 'meta')), {
      timeout: 30_000,
      message: `the session store should have ${what}`,
    })
    .toBe(true);
}

/** Clicks a button that starts a download and returns the file's text. */
export async function downloadText(page: Page, testId: string): Promise<{ name: string; bytes: Buffer }> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testId).click()]);
  const path = await download.path();
  return { name: download.suggestedFilename(), bytes: readFileSync(path) };
}

/** Saves a full-page screenshot under test-results/screenshots/. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  // From the top, so the sticky toolbar sits where a person first sees it.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[] }[];
}

/** Runs axe on the whole page (shadow roots included) and returns violations of impact moderate or worse. */
export async function axeViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: axePath });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document): Promise<{ violations: AxeViolation[] }> } }).axe;
    return (await axe.run(document)).violations;
  });
  return violations
    .filter((v) => v.impact !== 'minor' && v.impact !== null)
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${JSON.stringify(v.nodes.map((n) => n.target))}`);
}

/**
 * About two seconds of a canvas, red then blue, as Chromium's MediaRecorder writes it (VP8 WebM, no duration
 * in its header). Committed rather than recorded during a test: a recording follows wall time, so on a busy
 * machine its frames and the moment of the cut come out differently. How it was made: record-clip.mjs beside it.
 */
export function redBlueClip(): Buffer {
  return readFileSync(fileURLToPath(new URL('../fixtures/videos/red-blue-clip.webm', import.meta.url)));
}
