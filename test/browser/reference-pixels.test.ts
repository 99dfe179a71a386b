/**
 * The Qwen3.5 image path in Chromium against the reference processor
 * (test/fixtures/real/reference/): here transformers.js would resize on a
 * canvas, ignoring the filter; the app's processor resizes as the reference
 * (src/models/qwen-resize.ts), so the same records hold as in Node.
 */
import { RawImage, env } from '@huggingface/transformers';
import { beforeAll, inject, test } from 'vitest';
import { loadProcessor, preprocessAsReference } from '../../src/models/vlm';
import pixels from '../fixtures/real/reference/pixel_values.json';
import { type PixelRecord, expectReferencePixels, referencePixelRecords } from '../support/reference-pixels';

const images = import.meta.glob<string>('../fixtures/real/reference/images/*.png', {
  query: '?url',
  import: 'default',
  eager: true,
});

beforeAll(() => {
  env.allowLocalModels = false;
  env.allowRemoteModels = true;
  env.useBrowserCache = false;
  env.remoteHost = inject('modelHost');
  env.remotePathTemplate = '{model}/resolve/{revision}/';
});

const records = referencePixelRecords(pixels as unknown as { results: PixelRecord[] });

test.each(records.map((r) => [r.image, r.setting, r] as const))('%s, %s', async (name, _setting, ref) => {
  const url = images[`../fixtures/real/reference/images/${name}`];
  if (!url) throw new Error(`no image ${name}`);
  const processor = await loadProcessor('forge/tiny-qwen3_5', { revision: 'main' });
  preprocessAsReference(processor, ref.max_pixels);
  const out = await processor.image_processor?.([await RawImage.read(url)]);
  if (!out) throw new Error('no image processor');
  expectReferencePixels(out, ref);
});
