/**
 * Models on the built site: the download figure shown before anything is
 * fetched equals the bytes the model server then serves; an unreachable
 * host gets a plain message with the ways out, keeps the queue, and a retry
 * recovers; models self-hosted next to the app load; the cache panel lists
 * and deletes them; and the network guard really catches a request.
 */
import { expect, test } from 'vitest';
import { TINY_VLM, TINY_VLM_CAPTIONS } from '../fixtures/specs';
import { type Harness, addFiles, card, forgeParams, freshPage, pngFile, useHarness, waitForStatus } from './harness';

let h: Harness;
useHarness((started) => (h = started));

// The balanced tier on WebGPU, which is SwiftShader here (a CPU emulating a GPU): minutes on two busy cores.
test(
  'the page shows the device; the size shown before download equals the bytes the model server serves',
  { timeout: 360_000 },
  async () => {
    const page = await freshPage(h);
    const response = await page.goto(h.url(forgeParams(h.models, { mode: 'capflow', device: 'webgpu' })));
    // Cross-origin isolation (threaded WASM) needs these; Playwright's Chromium flags keep
    // site isolation off, so `crossOriginIsolated` itself stays false here.
    expect(await response?.allHeaders()).toMatchObject({
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-embedder-policy': 'require-corp',
    });
    await expect
      .poll(async () => (await page.getByTestId('device').textContent())?.trim())
      .toMatch(/^Runs on the .*software emulation/);
    // The technical form is the line's tooltip.
    expect(await page.getByTestId('device').getAttribute('title')).toMatch(/^WebGPU: .*no shader-f16/);
    await page.getByTestId('settings-toggle').click();
    const cells = page.getByTestId('plan').locator('li[data-role]');
    await expect.poll(() => cells.count(), { timeout: 30_000 }).toBe(4);
    const perRole = Object.fromEntries(
      await cells.evaluateAll((rows) =>
        rows.map((r) => [
          r.getAttribute('data-role'),
          Number(r.querySelector('[data-bytes]')?.getAttribute('data-bytes')),
        ]),
      ),
    );
    const modelBytes = perRole.vlm + perRole.llm + perRole.router;
    expect(modelBytes).toBeGreaterThan(0);
    // The menu shows the same figure (the models plus the bundled OCR, all still to download).
    const total = Number(await page.getByTestId('plan-total').getAttribute('data-bytes'));
    expect(total).toBe(modelBytes + perRole.ocr);
    expect(await page.getByTestId('preset-hint').textContent()).toContain('to download');

    // Planning reads file sizes from the host: let it finish before counting what the caption downloads.
    await page.locator('mc-app[data-plans="settled"]:not([data-planning])').waitFor();
    h.models.requests.length = 0;
    await addFiles(page, [pngFile('red.png', [230, 20, 30])]);
    await waitForStatus(page, 'red.png', 'done', 300_000);
    const served = h.models.requests.filter((r) => r.status === 200);
    expect(served.reduce((sum, r) => sum + r.bytes, 0)).toBe(modelBytes);
    // WebGPU without shader-f16, balanced tier, the forge's SmolVLM-family model in the VLM role: the plan of its
    // own family (fp32 tower and embeddings, q4 decoder; the tier's Qwen3.5 plan is q4 for every session, files a
    // SmolVLM export does not have), never an f16 file.
    const names = served.map((r) => r.path.split('/').pop());
    expect(names).toEqual(
      expect.arrayContaining(['vision_encoder.onnx', 'embed_tokens.onnx', 'decoder_model_merged_q4.onnx']),
    );
    expect(names.filter((n) => n?.startsWith('vision_encoder_') || n?.startsWith('embed_tokens_'))).toEqual([]);
    expect(names.filter((n) => n?.includes('f16'))).toEqual([]);
    // Now the models are on this device, and the plan says so (OCR loads only for domains that read text).
    const downloads = () =>
      cells.evaluateAll((rows) =>
        rows.map((r) => [
          r.getAttribute('data-role'),
          Number(r.querySelector('[data-bytes]')?.getAttribute('data-bytes')),
        ]),
      );
    await expect.poll(downloads, { timeout: 30_000 }).toEqual([
      ['vlm', 0],
      ['llm', 0],
      ['router', 0],
      ['ocr', perRole.ocr],
    ]);
    await page.context().close();
  },
);

test('an unreachable model host: a plain message with the ways out, the queue kept, and retry recovers', async () => {
  const page = await freshPage(h);
  h.models.faults.offline = true;
  try {
    await page.goto(h.url(forgeParams(h.models)));
    await addFiles(page, [pngFile('red.png', [230, 20, 30])]);
    const alert = page.getByTestId('model-error');
    await expect.poll(() => alert.textContent(), { timeout: 60_000 }).toMatch(/The model host cannot be reached\./);
    expect(await alert.textContent()).toMatch(
      new RegExp(`Could not reach the model host 127\\.0\\.0\\.1:\\d+ to download ${TINY_VLM.repo} \\(HTTP 503\\)`),
    );
    // The page's own ways out are named by the page; the error itself promises none (the element has other ones).
    expect(await alert.textContent()).toContain('Retry when connected, use a mirror, import a model folder');
    for (const name of ['Retry', 'Use a mirror…', 'Import a model folder…']) {
      expect(await alert.getByRole('button', { name }).count()).toBe(1);
    }
    expect(await card(page, 'red.png').getAttribute('data-status')).toBe('queued');
    // "Use a mirror…" opens the settings at the mirror choice.
    await alert.getByRole('button', { name: 'Use a mirror…' }).click();
    await expect
      .poll(() =>
        page.getByTestId('use-mirror').evaluate((el) => el === (el.getRootNode() as ShadowRoot).activeElement),
      )
      .toBe(true);
  } finally {
    h.models.faults.offline = false;
  }
  await page.getByTestId('model-error').getByRole('button', { name: 'Retry' }).click();
  await waitForStatus(page, 'red.png', 'done');
  expect(await card(page, 'red.png').getByTestId('caption').inputValue()).toBe(TINY_VLM_CAPTIONS.red);
  await page.context().close();
});

test('models self-hosted next to the app load through the local source; the cache panel lists and deletes them', async () => {
  const page = await freshPage(h);
  await page.goto(h.url({ local: '/models/', vlm: TINY_VLM.repo, mode: 'prompt', device: 'wasm' }));
  await addFiles(page, [pngFile('blue.png', [20, 30, 220])]);
  await waitForStatus(page, 'blue.png', 'done');
  expect(await card(page, 'blue.png').getByTestId('caption').inputValue()).toBe(TINY_VLM_CAPTIONS.blue);
  expect(await page.getByTestId('ready').textContent()).toContain('running on the CPU');
  expect(await page.getByTestId('ready').getAttribute('title')).toContain('wasm');

  await page.getByText('Models on this device').click();
  const listed = page.getByTestId('cached-models').locator('li');
  await expect.poll(() => listed.allTextContents()).toEqual([expect.stringContaining(TINY_VLM.repo)]);
  await listed.getByRole('button', { name: `Delete ${TINY_VLM.repo}` }).click();
  await expect.poll(() => listed.count()).toBe(0);
  await page.context().close();
});

test('the network guard really records and refuses requests that leave localhost', async () => {
  const page = await freshPage(h);
  await page.goto(h.url(forgeParams(h.models)));
  const outcome = await page.evaluate(() =>
    fetch('https://cdn.jsdelivr.net/npm/onnxruntime-web/package.json').then(
      (r) => `status ${r.status}`,
      (e: unknown) => `failed: ${String(e)}`,
    ),
  );
  expect(outcome).toMatch(/^failed/);
  expect(h.guard.takeAppRequests()).toEqual(['cdn.jsdelivr.net:443']);
  await page.context().close();
});
