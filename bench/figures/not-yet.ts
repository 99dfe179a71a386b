/**
 * The figures this bench does not measure yet, each with the reason, so
 * the table never leaves one out silently.
 */
import { test } from 'vitest';
import { missingRow } from '../rows';
import { record } from '../support';

test('figures not measured yet', async () => {
  await record(
    missingRow('4 OCR vs tesseract.js', 'not measured yet: tesseract.js and its English data are not installed'),
    missingRow('7 video sampling', 'not built: there is no video sampler yet (issue 13)'),
  );
});
