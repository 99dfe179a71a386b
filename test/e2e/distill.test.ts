/**
 * A distilled student where users put it: a model folder picked in the
 * page's "Import a model folder" (the cache panel's folder input, filed in
 * the weight cache, then the VLM) captions an image with no request to any
 * model host; and `<meta-captioner vlm=…>` on another site loads a hosted
 * copy (the hub's URL layout under the site's own static server) and
 * captions. The student is STUDENT below.
 */
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { CaptionRecord } from '../../src/shared/record';
import { TINY_VLM_CAPTIONS } from '../fixtures/specs';
import { solidPng } from '../support/png';
import { type StaticServer, startStaticServer } from '../support/static-server';
import { type Harness, addFiles, card, freshPage, pngFile, startHarness, waitForStatus } from './harness';

let h: Harness;
let site: StaticServer;
/** The student's folder (named as the import names the model). */
let student: string;

beforeAll(async () => {
  h = await startHarness();
  student = join(h.root, 'picked/student');
  cpSync(join(h.root, 'forge/tiny-smolvlm'), student, { recursive: true });
  // Another site: the library build, a page with the element, and the student hosted in the hub's layout.
  const root = join(h.root, 'site');
  cpSync('dist-lib', join(root, 'vendor/mc'), { recursive: true, filter: (src) => !src.includes('/types') });
  cpSync(student, join(root, 'hub/distill/student/resolve/main'), { recursive: true });
  mkdirSync(join(root, 'images'));
  writeFileSync(join(root, 'images/red.png'), solidPng(220, 20, 20));
  site = await startStaticServer(root);
  writeFileSync(
    join(root, 'index.html'),
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>student</title>
      <script type="module" src="./vendor/mc/element.js"></script></head><body>
      <img id="red" src="./images/red.png" alt="">
      <meta-captioner for="red" mode="single-pass" domain="natural" caption-style="detailed" preset="tiny"
        model-host="${site.url}hub/" vlm="distill/student" device="wasm" auto></meta-captioner>
      </body></html>`,
  );
});

afterAll(async () => {
  await site?.close();
  await h?.close();
});

test('the page imports the student folder and captions with it, asking no model host', async () => {
  const page = await freshPage(h);
  // Single pass on a pinned domain: the VLM is the only model the caption needs.
  await page.goto(
    h.url({ host: h.models.url, preset: 'tiny', mode: 'single-pass', domain: 'natural', device: 'wasm' }),
  );
  await page.getByText('Models on this device').click();
  await page.getByTestId('import-folder').setInputFiles(student);
  await expect
    .poll(() => page.getByTestId('announcer').textContent(), { timeout: 60_000 })
    .toContain('Imported imported/student; it is now the vision-language model.');
  await addFiles(page, [pngFile('red.png', [220, 20, 20])]);
  await waitForStatus(page, 'red.png', 'done');
  expect(await card(page, 'red.png').getByTestId('caption').inputValue()).toBe(TINY_VLM_CAPTIONS.red);
  // The page's plans ask the host about the tiers' models (404 here); no file was served, no weights came from it.
  expect(h.models.requests.filter((r) => r.status !== 404)).toEqual([]);
  expect(h.models.requests.filter((r) => r.path.includes('/onnx/'))).toEqual([]);
  const listed = page.getByTestId('cached-models').locator('li');
  await expect.poll(() => listed.allTextContents()).toEqual([expect.stringContaining('imported/student')]);
  await page.context().close();
});

test("the element's vlm attribute takes a hosted copy of the student", async () => {
  const page = await freshPage(h);
  const done = new Promise<CaptionRecord>((resolve) =>
    page.exposeFunction('__done', (record: CaptionRecord) => resolve(record)),
  );
  await page.addInitScript(() =>
    document.addEventListener('caption-done', (e) =>
      (window as unknown as { __done: (r: unknown) => void }).__done((e as CustomEvent).detail),
    ),
  );
  await page.goto(`${site.url}index.html`);
  const record = await done;
  expect(record.caption).toBe(TINY_VLM_CAPTIONS.red);
  expect(record.trace.map((t) => [t.agent, t.model])).toEqual([['single-pass', 'distill/student']]);
  expect(await page.locator('#red').getAttribute('alt')).toBe(TINY_VLM_CAPTIONS.red);
  await page.context().close();
});
