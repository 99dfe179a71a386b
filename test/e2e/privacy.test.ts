/**
 * Privacy and security on the built site: during a whole batch every
 * request goes to the page's origin or the configured model host and none
 * carries image bytes; the CSP is sent and enforced (no inline script, no
 * string evaluation allowed); the shipped code has no eval or new Function; hostile names and
 * captions are shown as text; a model host that is not http(s) gets no
 * request and the plan says where models come from before any download.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import {
  type Harness,
  addFiles,
  card,
  forgeParams,
  freshPage,
  pngFile,
  useHarness,
  waitForStatus,
  waitForStored,
} from './harness';

let h: Harness;
useHarness((started) => (h = started));

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

test('a whole batch talks only to the page and the model host, and sends no image anywhere', async () => {
  const page = await freshPage(h);
  const seen: { url: string; method: string; body: string | null }[] = [];
  page.context().on('request', (r) => seen.push({ url: r.url(), method: r.method(), body: r.postData() }));
  // The document workflow runs the OCR tool too (its model comes from the page's origin).
  await page.goto(h.url(forgeParams(h.models, { mode: 'capflow', domain: 'infographic-document' })));
  await addFiles(page, [
    pngFile('a.png', [230, 20, 30]),
    pngFile('b.png', [10, 200, 40]),
    pngFile('c.png', [20, 30, 220]),
  ]);
  for (const name of ['a.png', 'b.png', 'c.png']) await waitForStatus(page, name, 'done');
  const network = seen.filter((r) => !r.url.startsWith('blob:') && !r.url.startsWith('data:'));
  const origins = new Set(network.map((r) => new URL(r.url).origin));
  const site = new URL(h.url()).origin;
  const models = new URL(h.models.url).origin;
  expect([...origins].sort()).toEqual([site, models].sort());
  expect(network.filter((r) => r.method !== 'GET' || r.body !== null)).toEqual([]);
  expect(
    network.some((r) => r.url.endsWith('/ocr/det.onnx')),
    'the OCR model came from the page',
  ).toBe(true);
  await page.context().close();
});

test('the CSP is sent (header and meta tag) and enforced: an injected inline script does not run', async () => {
  const page = await freshPage(h);
  const response = await page.goto(h.url(forgeParams(h.models)));
  const headers = (await response?.allHeaders()) ?? {};
  expect(headers['content-security-policy']).toMatch(/script-src 'self' 'wasm-unsafe-eval';.*frame-ancestors 'none'/);
  expect(headers['content-security-policy']).not.toMatch(/ 'unsafe-eval'| 'unsafe-inline'/);
  expect(await page.locator('meta[http-equiv="Content-Security-Policy"]').count()).toBe(1);
  const outcome = await page.evaluate(async () => {
    const violation = new Promise<string>((resolve) =>
      document.addEventListener('securitypolicyviolation', (e) => resolve(e.effectiveDirective), { once: true }),
    );
    const script = document.createElement('script');
    script.textContent = 'window.__inline = true';
    document.body.append(script);
    return { ran: (window as unknown as { __inline?: boolean }).__inline === true, directive: await violation };
  });
  expect(outcome).toEqual({ ran: false, directive: 'script-src-elem' });
  await page.context().close();
});

test('the shipped code evaluates no strings: no eval or new Function in dist/ or dist-lib/', () => {
  // The one exception is vendored: the ONNX runtime's Emscripten factory (ort-wasm-*.mjs) holds an
  // embind helper built with new Function; the CSP above would stop it, and the e2e runs on WebGPU
  // and WASM under that CSP pass, so it is never reached.
  const shipped = [...files('dist'), ...files('dist-lib')].filter(
    (f) => /\.(m?js)$/.test(f) && !/ort-wasm-simd-threaded/.test(f) && !f.includes('/types/'),
  );
  expect(shipped.length).toBeGreaterThan(3);
  const offenders = shipped.filter((f) => /\beval\s*\(|new Function\s*\(/.test(readFileSync(f, 'utf8')));
  expect(offenders).toEqual([]);
});

test('a hostile file name and a caption full of markup are shown as text; nothing runs', async () => {
  const page = await freshPage(h);
  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await page.goto(h.url(forgeParams(h.models)));
  const name = '<img src=x onerror=alert(1)>.png';
  await addFiles(page, [pngFile(name, [230, 20, 30])]);
  await waitForStatus(page, name, 'done');
  const markup = '<script>alert(2)</script><img src=x onerror=alert(3)>';
  await card(page, name).getByTestId('caption').fill(markup);
  await card(page, name).getByTestId('caption').blur();
  await waitForStored(page, 'the edit', (items) => items.some((i) => i.edited === markup));
  await page.reload();
  await expect.poll(() => card(page, name).getByTestId('caption').inputValue()).toBe(markup);
  expect(await card(page, name).getByRole('heading').textContent()).toBe(name);
  await page.getByTestId('export-toggle').click();
  expect(dialogs).toEqual([]);
  expect(await page.locator('mc-item img[src="x"]').count()).toBe(0);
  await page.context().close();
});

test('a model host that is not http(s) gets no request, and the plan shows where models come from', async () => {
  const page = await freshPage(h);
  await page.goto(h.url(forgeParams(h.models)));
  await page.getByTestId('settings-toggle').click();
  await expect
    .poll(() => page.getByTestId('plan-host').first().textContent())
    .toBe(`from ${new URL(h.models.url).host}`);
  await page.goto(h.url({ ...forgeParams(h.models), host: 'javascript:alert(1)//' }));
  await page.getByTestId('settings-toggle').click();
  await expect.poll(() => page.getByTestId('plan').textContent()).toMatch(/Sizes could not be checked/);
  await addFiles(page, [pngFile('red.png', [230, 20, 30])]);
  await expect.poll(() => page.getByTestId('model-error').textContent()).toMatch(/must be an http\(s\) URL/);
  await page.context().close();
});
