/**
 * `<meta-captioner>` and the library as another site uses them: a copy of
 * the library build under an arbitrary path (/vendor/mc/) of a plain static
 * server on another port (no COOP/COEP), the examples served from there,
 * the forge's models from the local hub. Two elements fill two `alt`s with
 * one worker; errors, cancel, parts and the library example work.
 */
import { cpSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { type Server, createServer } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { CaptionRecord } from '../../src/shared/record';
import { CAPTION_STYLES } from '../../src/capflow/styles';
import type { MetaCaptioner } from '../../src/element/meta-captioner';
import { TINY_VLM, TINY_VLM_CAPTIONS } from '../fixtures/specs';
import { damagedPng } from '../support/png';
import { type StaticServer, startStaticServer } from '../support/static-server';
import { type Harness, axeViolations, freshPage, redBlueClip, screenshot, startHarness } from './harness';

let h: Harness;
let site: StaticServer;
let root: string;
/** The element attributes that point it at the forge's models. */
let forge: string;
/** A model host that accepts connections and drops them at once: a host the visitor's browser cannot reach. */
let refusing: Server;
/** Its URL, as a site's author would give it to model-host. */
let refusingUrl: string;

interface Seen {
  readonly type: string;
  readonly for: string | null;
  readonly detail: unknown;
}

/** Counts workers and records the elements' events, from before the page's own scripts run. */
async function instrument(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const w = window as unknown as { __workers: string[]; __events: Seen[] };
    w.__workers = [];
    w.__events = [];
    const Original = window.Worker;
    window.Worker = class extends Original {
      constructor(url: string | URL, options?: WorkerOptions) {
        super(url, options);
        w.__workers.push(String(url));
      }
    };
    for (const type of ['caption-progress', 'caption-token', 'caption-done', 'caption-error']) {
      document.addEventListener(type, (e) => {
        const target = e.target instanceof Element ? e.target : null;
        const detail = e instanceof CustomEvent && type !== 'caption-progress' ? e.detail : null;
        w.__events.push({ type, for: target?.getAttribute('for') ?? null, detail });
      });
    }
  });
}

const seen = (page: Page) => page.evaluate(() => (window as unknown as { __events: Seen[] }).__events);
const workers = (page: Page) => page.evaluate(() => (window as unknown as { __workers: string[] }).__workers);

beforeAll(async () => {
  h = await startHarness();
  refusing = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => refusing.listen(0, '127.0.0.1', resolve));
  const address = refusing.address();
  if (address === null || typeof address === 'string') throw new Error('the refusing host has no port');
  refusingUrl = `http://127.0.0.1:${address.port}/`;
  root = join(h.root, 'embedder');
  mkdirSync(root, { recursive: true });
  // The library build, as a site would vendor it (types are for bundlers, not served).
  cpSync('dist-lib', join(root, 'vendor/mc'), { recursive: true, filter: (src) => !src.includes('/types') });
  forge = `model-host="${h.models.url}" vlm="${TINY_VLM.repo}" router="forge/tiny-clip-routed" device="wasm"`;
  const embed = readFileSync('examples/embed/index.html', 'utf8');
  expect(embed.match(/preset="tiny"/g)).toHaveLength(2);
  cpSync('examples/embed/images', join(root, 'images'), { recursive: true });
  writeFileSync(join(root, 'index.html'), embed.replaceAll('preset="tiny"', `preset="tiny" ${forge}`));

  const library = readFileSync('examples/library/index.html', 'utf8');
  const models = "const models = { preset: 'tiny' };";
  const create = 'createCaptioner();';
  expect(library).toContain(models);
  expect(library).toContain(create);
  mkdirSync(join(root, 'library'));
  symlinkSync(join(root, 'vendor'), join(root, 'library/vendor'));
  // A second copy of the build under another path, as two scripts of one page might bring.
  symlinkSync(join(root, 'vendor/mc'), join(root, 'vendor/mc-copy'));
  cpSync('examples/library/kite.png', join(root, 'library/kite.png'));
  const libraryOn = (host: string) =>
    library
      .replace(
        models,
        `const models = { preset: 'tiny', device: 'wasm', overrides: { vlm: { kind: 'repo', repo: '${TINY_VLM.repo}' }, router: { kind: 'repo', repo: 'forge/tiny-clip-routed' } } };`,
      )
      .replace(
        create,
        `createCaptioner({ source: { kind: 'host', host: '${host}', pathTemplate: '{model}/resolve/{revision}/' } });`,
      );
  writeFileSync(join(root, 'library/index.html'), libraryOn(h.models.url));
  writeFileSync(join(root, 'library/unreachable.html'), libraryOn(refusingUrl));

  // A test page: a corrupt image next to a good one, and an element on a model that never stops.
  writeFileSync(join(root, 'images/broken.png'), damagedPng(readFileSync('examples/embed/images/kite.png')));
  writeFileSync(
    join(root, 'errors.html'),
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>errors</title>
      <script type="module" src="./vendor/mc/element.js"></script></head><body>
      <img id="broken" src="./images/broken.png" alt=""><meta-captioner for="broken" ${forge} auto></meta-captioner>
      <img id="lake" src="./images/lake.png"><meta-captioner for="lake" ${forge} auto></meta-captioner>
      <img id="typo" src="./images/lake.png" alt=""><meta-captioner for="typo" preset="huge" ${forge} auto></meta-captioner>
      <meta-captioner id="endless" src="./images/kite.png" mode="prompt" max-tokens="1000000" model-host="${h.models.url}" vlm="forge/tiny-smolvlm-endless" device="wasm"></meta-captioner>
      </body></html>`,
  );
  // A third-party page whose models cannot be downloaded: model-host points at a host that drops every connection.
  writeFileSync(
    join(root, 'unreachable.html'),
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>unreachable</title>
      <script type="module" src="./vendor/mc/element.js"></script></head><body>
      <img id="kite" src="./images/kite.png" alt=""><meta-captioner for="kite" preset="tiny" ${forge.replace(
        `model-host="${h.models.url}"`,
        `model-host="${refusingUrl}"`,
      )} auto></meta-captioner>
      </body></html>`,
  );
  site = await startStaticServer(root);
});

afterAll(async () => {
  await new Promise((resolve) => refusing?.close(resolve));
  await site?.close();
  await h?.close();
});

test('the example page: two elements fill two alts with the exact captions, one worker, tokens before done', async () => {
  const page = await freshPage(h);
  await instrument(page);
  const response = await page.goto(`${site.url}index.html`);
  expect(await response?.allHeaders()).not.toHaveProperty('cross-origin-embedder-policy');
  await expect.poll(() => page.locator('#kite').getAttribute('alt'), { timeout: 90_000 }).toBe(TINY_VLM_CAPTIONS.red);
  await expect.poll(() => page.locator('#lake').getAttribute('alt'), { timeout: 90_000 }).toBe(TINY_VLM_CAPTIONS.blue);

  expect(await workers(page)).toHaveLength(1);
  const events = await seen(page);
  for (const id of ['kite', 'lake']) {
    const mine = events.filter((e) => e.for === id);
    const done = mine.findIndex((e) => e.type === 'caption-done');
    const firstToken = mine.findIndex((e) => e.type === 'caption-token');
    expect(firstToken, `${id}: a token arrives before caption-done`).toBeGreaterThanOrEqual(0);
    expect(firstToken).toBeLessThan(done);
    const record = mine[done]?.detail as CaptionRecord;
    // The alt-text style was asked for: the model saw its instruction.
    expect(record.style).toBe('alt');
    expect(record.trace.find((t) => t.agent === 'single-pass')?.prompt).toContain(CAPTION_STYLES.alt.instruction);
    expect(record.runtime?.device).toBe('wasm');
  }
  expect(events.filter((e) => e.type === 'caption-error')).toEqual([]);

  // Styled from the page through ::part(caption); the status says where it ran and why single-threaded.
  const kite = page.locator('meta-captioner[for="kite"]');
  expect(await kite.locator('[part="caption"]').evaluate((el) => getComputedStyle(el).fontStyle)).toBe('italic');
  expect(await kite.locator('[part="status"]').textContent()).toMatch(
    /^Done on the CPU \(WASM, single thread: this page is not cross-origin isolated\) in [\d.]+ s\.$/,
  );
  // A second copy of the module finds the element defined and leaves it.
  // (A string: vitest would rewrite a dynamic import inside a function passed to the page.)
  const defined = await page.evaluate(`(async () => {
    const first = customElements.get('meta-captioner');
    await import('./vendor/mc-copy/element.js');
    return customElements.get('meta-captioner') === first;
  })()`);
  expect(defined).toBe(true);
  expect(await axeViolations(page)).toEqual([]);
  await screenshot(page, 'element-light');
  await page.emulateMedia({ colorScheme: 'dark' });
  expect(await axeViolations(page)).toEqual([]);
  await screenshot(page, 'element-dark');
  await page.context().close();
});

test('a corrupt image and an unknown preset get named caption-errors while the other element succeeds; cancel() rejects, the next caption works', async () => {
  const page = await freshPage(h);
  await instrument(page);
  await page.goto(`${site.url}errors.html`);
  await expect.poll(() => page.locator('#lake').getAttribute('alt'), { timeout: 90_000 }).toBe(TINY_VLM_CAPTIONS.blue);
  await expect
    .poll(async () =>
      (await seen(page))
        .filter((e) => e.type === 'caption-error')
        .map((e) => [e.for, e.detail])
        .sort(),
    )
    .toEqual([
      ['broken', { name: 'ImageDecodeError', message: expect.stringContaining('"broken.png"'), fix: null }],
      [
        'typo',
        {
          name: 'ModelLoadError',
          message: '"huge" is not a preset: use auto, tiny, balanced, quality.',
          fix: expect.objectContaining({ attribute: 'preset', url: null }),
        },
      ],
    ]);
  expect(await page.locator('#broken').getAttribute('alt')).toBe('');
  // The visitor reads what is wrong with the file, without the error's class name.
  const shown = await page.locator('meta-captioner[for="broken"] [part="error"]').textContent();
  expect(shown).toMatch(/^Could not decode "broken\.png" as a PNG/);
  expect(shown).not.toContain('Error');

  const outcome = await page.evaluate(async () => {
    const el = document.getElementById('endless') as MetaCaptioner;
    const tokens = new Promise((resolve) => el.addEventListener('caption-token', resolve, { once: true }));
    const first = el.caption().then(
      () => 'resolved',
      (err: Error) => err.name,
    );
    await tokens;
    el.cancel();
    const cancelled = await first;
    el.maxTokens = 5;
    const next = await el.caption();
    return { cancelled, next: next.caption, status: el.shadowRoot?.querySelector('[part="status"]')?.textContent };
  });
  expect(outcome).toEqual({ cancelled: 'CancelledError', next: 'RSTUV', status: expect.stringMatching(/^Done/) });
  await page.emulateMedia({ colorScheme: 'dark' });
  await screenshot(page, 'element-errors-light-page-dark-os');
  await page.context().close();
});

test('for a <video>: its frames are sampled on the device, its aria-label filled, the trace names the frame the model saw', async () => {
  const page = await freshPage(h);
  await instrument(page);
  await page.goto(`${site.url}index.html`);
  // A second of red, then one of blue, recorded by Chromium.
  writeFileSync(join(root, 'clip.webm'), redBlueClip());
  writeFileSync(
    join(root, 'video.html'),
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>video</title>
      <script type="module" src="./vendor/mc/element.js"></script></head><body><main><h1>A clip</h1>
      <video id="clip" controls muted><source src="./clip.webm" type="video/webm"></video>
      <meta-captioner for="clip" preset="tiny" frames="4" ${forge} auto></meta-captioner>
      <meta-captioner id="too-many" src="./clip.webm" preset="tiny" frames="99" ${forge}></meta-captioner>
      </main></body></html>`,
  );
  await page.goto(`${site.url}video.html`);
  await expect
    .poll(() => page.locator('#clip').getAttribute('aria-label'), { timeout: 90_000 })
    .toBe(TINY_VLM_CAPTIONS.red);
  const record = (await seen(page)).find((e) => e.type === 'caption-done')?.detail as CaptionRecord;
  expect(record.domain?.id).toBe('video');
  expect(record.timestamps).toHaveLength(4);
  // The tiny tier's VLM takes one frame a prompt: the single pass saw the middle of the four.
  const step = record.trace.find((t) => t.agent === 'single-pass');
  expect(step?.frames).toEqual([record.timestamps?.[1]]);
  const element = page.locator('meta-captioner[for="clip"]');
  await element.locator('summary').click();
  expect(await element.locator('[part="trace"]').textContent()).toMatch(/saw the frame at 0\.\d s/);
  const refused = await page.evaluate(async () => {
    const el = document.getElementById('too-many') as MetaCaptioner;
    return el.caption().then(
      () => null,
      (err: Error) => `${err.name}: ${err.message}`,
    );
  });
  expect(refused).toBe('RangeError: The video setting frames must be 1–32, a whole number; got 99.');
  expect(await axeViolations(page)).toEqual([]);
  await screenshot(page, 'element-video-light');
  await page.emulateMedia({ colorScheme: 'dark' });
  await screenshot(page, 'element-video-dark');
  await page.context().close();
});

test('the library example captions an image with createCaptioner() from the vendored build', async () => {
  const page = await freshPage(h);
  await page.goto(`${site.url}library/`);
  await expect.poll(() => page.locator('#caption').textContent(), { timeout: 90_000 }).toBe(TINY_VLM_CAPTIONS.red);
  await page.context().close();
});

test('models that cannot be downloaded: the visitor reads plain words; the site author gets model-host in the console and the event', async () => {
  const page = await freshPage(h);
  await instrument(page);
  const logged: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') logged.push(m.text());
  });
  await page.goto(`${site.url}unreachable.html`);
  const element = page.locator('meta-captioner[for="kite"]');
  await expect.poll(() => element.locator('[part="error"]').count(), { timeout: 60_000 }).toBe(1);
  const shown = await element.locator('[part="error"]').textContent();
  expect(shown).toBe(
    'Captions are not available right now: the captioning models could not be downloaded. Try again later.',
  );
  // Nothing a visitor of someone else's site cannot act on, and no class name.
  expect(shown).not.toMatch(/Error|setting|mirror|import|folder|preset|model-host/i);
  expect(await element.locator('[part="status"]').textContent()).toBe('Failed.');
  expect(await page.locator('#kite').getAttribute('alt')).toBe('');

  const errors = (await seen(page)).filter((e) => e.type === 'caption-error');
  expect(errors).toEqual([
    {
      type: 'caption-error',
      for: 'kite',
      detail: {
        name: 'ModelHostUnreachableError',
        message: expect.stringMatching(/^Could not reach the model host 127\.0\.0\.1:\d+ to download /),
        fix: { attribute: 'model-host', url: refusingUrl, advice: expect.stringContaining('Set model-host to a host') },
      },
    },
  ]);
  // The shared error's message promises no way out that only the workbench page has.
  expect(JSON.stringify(errors)).not.toMatch(/in the settings|import a model folder|pick a preset/);
  // The author's console names the error, the attribute to set and the URL that failed.
  const line = logged.find((l) => l.includes('ModelHostUnreachableError'));
  expect(line).toContain('<meta-captioner>');
  expect(line).toContain('Fix: set the model-host attribute.');
  expect(line).toContain(`(Failed: ${refusingUrl})`);
  await screenshot(page, 'element-unreachable-host');
  await page.context().close();
});

test('the library example with its model host unreachable: a plain message, not "working…" forever', async () => {
  const page = await freshPage(h);
  const uncaught: string[] = [];
  page.on('pageerror', (err) => uncaught.push(`${err.name}: ${err.message}`));
  await page.goto(`${site.url}library/unreachable.html`);
  const caption = page.locator('#caption');
  await expect
    .poll(() => caption.textContent(), { timeout: 60_000 })
    .toMatch(/^No caption: Could not reach the model host 127\.0\.0\.1:\d+ to download .*\. The device may be offline/);
  expect(uncaught).toEqual([]);
  await page.context().close();
});

test('the element module imports without a DOM (server-side rendering) and defines nothing it cannot', async () => {
  const before = Object.keys(globalThis);
  const module = (await import(pathToFileURL(join(process.cwd(), 'dist-lib/element.js')).href)) as Record<
    string,
    unknown
  >;
  expect(Object.keys(module).sort()).toEqual(['MetaCaptioner', 'TAG_NAME']);
  expect(typeof module.MetaCaptioner).toBe('function');
  // No window, document or worker appeared; Lit only adds its custom-elements registry stand-in.
  const added = Object.keys(globalThis).filter((k) => !before.includes(k));
  expect(added.filter((k) => ['window', 'document', 'Worker', 'navigator'].includes(k))).toEqual([]);
});
