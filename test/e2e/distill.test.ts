/**
 * A distilled student where users put it: a model folder picked in the
 * page's "Import a model folder" (the cache panel's folder input, filed in
 * the weight cache, then the VLM) captions an image with no request to any
 * model host; and `<meta-captioner vlm=…>` on another site loads a hosted
 * copy (the hub's URL layout under the site's own static server) and
 * captions the same. The student is the committed one
 * (test/fixtures/distill/: a tiny SmolVLM trained and exported by distill/'s
 * recipe), with the image and prompt the recipe recorded tokens for. Those
 * tokens are compared in Node (test/cli/distill-check.test.ts), not here:
 * in browsers transformers.js resizes Idefics3's images with a canvas, in
 * Node with sharp, and the pixel values differ (docs/distill.md), and a randomly initialised student
 * answers a slightly different image with other tokens.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { singlePassPrompt } from '../../src/capflow/prompts';
import type { CaptionRecord } from '../../src/shared/record';
import { PRESETS } from '../../src/shared/presets';
import { type StaticServer, startStaticServer } from '../support/static-server';
import { STUDENT, STUDENT_FIXTURE, STUDENT_REFERENCE } from '../support/student-fixture';
import {
  type Harness,
  addFiles,
  card,
  freshPage,
  startHarness,
  storedItems,
  waitForStatus,
  waitForStored,
} from './harness';

const FIXTURE = STUDENT_FIXTURE;
const REFERENCE = STUDENT_REFERENCE;
const IMAGE = readFileSync(join(FIXTURE, REFERENCE.image));

let h: Harness;
let site: StaticServer;

beforeAll(async () => {
  expect(REFERENCE.prompt).toBe(singlePassPrompt('natural', 'English', 'detailed'));
  h = await startHarness();
  // Another site: the library build, a page with the element, and the student hosted in the hub's layout.
  const root = join(h.root, 'site');
  cpSync('dist-lib', join(root, 'vendor/mc'), { recursive: true, filter: (src) => !src.includes('/types') });
  cpSync(STUDENT, join(root, 'hub/distill/student/resolve/main'), { recursive: true });
  cpSync(join(FIXTURE, REFERENCE.image), join(root, 'images/reference.png'));
  site = await startStaticServer(root);
  writeFileSync(
    join(root, 'index.html'),
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>student</title>
      <script type="module" src="./vendor/mc/element.js"></script></head><body>
      <img id="reference" src="./images/reference.png" alt="">
      <meta-captioner for="reference" mode="single-pass" domain="natural" caption-style="detailed" preset="balanced"
        max-tokens="${REFERENCE.max_new_tokens}" model-host="${site.url}hub/" vlm="distill/student" device="wasm"
        auto></meta-captioner>
      </body></html>`,
  );
});

afterAll(async () => {
  await site?.close();
  await h?.close();
});

test('the page imports the student folder and captions with it, asking no model host; the element agrees', async () => {
  const page = await freshPage(h);
  // Single pass on a pinned domain: the VLM is the only model the caption needs. A Qwen3.5 tier: the
  // student is a SmolVLM, so its config, not the tier, decides its files (the tier's `_q4` ones do not exist).
  const settings = { preset: 'balanced', mode: 'single-pass', domain: 'natural', device: 'wasm' };
  await page.goto(h.url({ ...settings, host: h.models.url, maxTokens: String(REFERENCE.max_new_tokens) }));
  await page.getByText('Models on this device').click();
  await page.getByTestId('import-folder').setInputFiles(STUDENT);
  await expect
    .poll(() => page.getByTestId('announcer').textContent(), { timeout: 60_000 })
    .toContain('Imported imported/student; it is now the vision-language model.');
  await addFiles(page, [{ name: 'reference.png', mimeType: 'image/png', buffer: IMAGE }]);
  await waitForStatus(page, 'reference.png', 'done');
  await waitForStored(page, 'the caption', (items) => items[0]?.status === 'done');
  const [item] = await storedItems(page);
  const record = item?.record;
  expect(record?.trace.map((t) => [t.agent, t.model, t.tokens])).toEqual([
    ['single-pass', 'imported/student', REFERENCE.max_new_tokens],
  ]);
  expect(record?.runtime?.device).toBe('wasm');
  expect(record?.runtime?.dtypes['vlm']).toEqual(PRESETS.tiny.vlm.dtypes.wasm);
  const caption = await card(page, 'reference.png').getByTestId('caption').inputValue();
  expect(caption).toBe(record?.caption);
  expect(caption.trim()).not.toBe('');
  // The page's plans ask the host about the tiers' models (404 here); no file was served, no weights came from it.
  expect(h.models.requests.filter((r) => r.status !== 404)).toEqual([]);
  expect(h.models.requests.filter((r) => r.path.includes('/onnx/'))).toEqual([]);
  const listed = page.getByTestId('cached-models').locator('li');
  await expect.poll(() => listed.allTextContents()).toEqual([expect.stringContaining('imported/student')]);
  await page.context().close();

  // The element on another site, the same student hosted there: the same caption of the same image.
  const other = await freshPage(h);
  const done = new Promise<CaptionRecord>((resolve) =>
    other.exposeFunction('__done', (r: CaptionRecord) => resolve(r)),
  );
  await other.addInitScript(() =>
    document.addEventListener('caption-done', (e) =>
      (window as unknown as { __done: (r: unknown) => void }).__done((e as CustomEvent).detail),
    ),
  );
  await other.goto(`${site.url}index.html`);
  const hosted = await done;
  expect(hosted.trace.map((t) => [t.agent, t.model, t.tokens])).toEqual([
    ['single-pass', 'distill/student', REFERENCE.max_new_tokens],
  ]);
  expect(hosted.runtime?.device).toBe('wasm');
  expect(hosted.runtime?.dtypes['vlm']).toEqual(PRESETS.tiny.vlm.dtypes.wasm);
  expect(hosted.caption).toBe(caption);
  expect(await other.locator('#reference').getAttribute('alt')).toBe(caption);
  await other.context().close();
});
