/**
 * The element's advice, for every error the captioner names: the visitor's
 * words carry no class name and none of the workbench page's ways out; the
 * author's fix names an attribute the element has and, for an unreachable
 * host or a worker that cannot start, the URL that failed.
 */
import { expect, test } from 'vitest';
import { adviceFor, authorLine } from '../../src/element/advice';
import { ERROR_NAMES, ModelHostUnreachableError } from '../../src/shared/errors';

const CONTEXT = Object.freeze({
  modelHost: 'https://models.example.org/',
  workerUrl: 'https://site.example/vendor/mc/assets/captioner.worker.js',
});

test.each(ERROR_NAMES)('%s: plain words for the visitor, nothing only the workbench page offers', (name) => {
  const { visitor } = adviceFor({ name, message: '"kite.png" is a text file, not an image.' }, CONTEXT);
  expect(visitor).not.toMatch(/Error|settings|mirror|import|folder|model-host|assets-base/);
});

test('an unreachable host: the visitor is told to try later, the author to set model-host, with the host', () => {
  const error = new ModelHostUnreachableError('models.example.org', 'network error: Failed to fetch', 'org/model');
  expect(error.message).not.toMatch(/settings|import a model folder|preset/);
  const advice = adviceFor(error, CONTEXT);
  expect(advice.visitor).toMatch(/could not be downloaded\. Try again later\.$/);
  expect(advice.fix).toEqual({
    attribute: 'model-host',
    url: CONTEXT.modelHost,
    advice: expect.stringContaining('Set model-host'),
  });
  expect(authorLine(error, advice.fix)).toMatch(
    /^<meta-captioner>: ModelHostUnreachableError: Could not reach the model host models\.example\.org .*\nFix: set the model-host attribute\. .*\(Failed: https:\/\/models\.example\.org\/\)$/s,
  );
});

test('a worker that cannot start points the author at assets-base and the worker URL; an unknown error says little', () => {
  expect(adviceFor({ name: 'WorkerCrashedError', message: 'x' }, CONTEXT).fix).toMatchObject({
    attribute: 'assets-base',
    url: CONTEXT.workerUrl,
  });
  expect(adviceFor({ name: 'RangeError', message: 'frames must be 1–32' }, CONTEXT)).toEqual({
    visitor: 'Captioning failed.',
    fix: null,
  });
  // Errors about the visitor's own file are told in their own words, which name the file.
  expect(adviceFor({ name: 'ImageDecodeError', message: 'Could not decode "a.png".' }, CONTEXT).visitor).toBe(
    'Could not decode "a.png".',
  );
});
