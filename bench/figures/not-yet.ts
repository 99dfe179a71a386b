/**
 * The figures this bench does not measure yet, each with the reason, so
 * the table never leaves one out silently.
 */
import { test } from 'vitest';
import { noteRow } from '../rows';
import { record } from '../support';

test('figures not measured yet', async () => {
  await record(noteRow('7 video sampling', 'not built: there is no video sampler yet (issue 13)'));
});
