/** Runs in Chromium before every browser test file: no request may leave localhost. */
import { afterAll, expect } from 'vitest';
import { commands } from 'vitest/browser';

afterAll(async () => {
  expect(await commands.takeOutsideRequests(), 'requests to non-localhost hosts').toEqual([]);
});
