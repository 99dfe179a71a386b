/**
 * Curating a dataset: what a filter, a search and a sort show; caption
 * lengths; find/replace (plain text is literal, a regex uses its groups, a
 * bad regex is named) and a prefix, planned before anything changes.
 */
import { expect, test } from 'vitest';
import {
  countedTokens,
  DEFAULT_VIEW,
  PatternError,
  captionLength,
  planPrefix,
  planReplace,
  viewItems,
} from '../../src/session/curate';
import type { SessionItem } from '../../src/session/item';
import type { CaptionRecord } from '../../src/shared/record';

function rec(caption: string, domain: 'natural' | 'ui', scores: (number | null)[] | null): CaptionRecord {
  return {
    version: 3,
    caption,
    mode: 'capflow',
    style: 'detailed',
    language: 'English',
    domain: { id: domain, label: domain, confidence: 1, decidedBy: 'zero-shot', top: [] },
    timestamps: null,
    trace: [],
    judge: scores
      ? {
          scores: Object.fromEntries(scores.map((s, i) => [`d${i}`, s])),
          topOnAll: scores.every((s) => s === 3),
          attempts: [],
          kept: 1,
          minScore: {},
          accepted: scores.every((s) => s === 3),
        }
      : null,
    totalMs: 1,
    runtime: null,
  };
}

function item(id: string, path: string, patch: Partial<SessionItem> = {}): SessionItem {
  return {
    id,
    name: path.split('/').at(-1) ?? path,
    path,
    type: 'image/png',
    size: 1,
    addedAt: 0,
    status: 'done',
    error: null,
    record: null,
    edited: null,
    pinnedDomain: null,
    blobKept: true,
    ...patch,
  };
}

const items = [
  item('1', 'b/dog.png', { record: rec('A brown dog on grass.', 'natural', [3, 3]) }),
  item('2', 'a/settings.png', { record: rec('A settings screen with a blue toggle.', 'ui', [2, 3]) }),
  item('3', 'c/cat10.png', { record: rec('A cat.', 'natural', null), edited: 'A grey cat asleep on a sofa.' }),
  item('4', 'c/cat9.png', { status: 'queued' }),
  item('5', 'notes.png', { status: 'refused', error: { name: 'UnsupportedFileError', message: 'text' } }),
  item('6', 'copy.png', { status: 'refused', error: { name: 'DuplicateFileError', message: 'same' } }),
];
const ids = (list: readonly SessionItem[]) => list.map((i) => i.id);

test('filters, search and sorts', () => {
  expect(ids(viewItems(items, DEFAULT_VIEW))).toEqual(['1', '2', '3', '4', '5', '6']);
  const view = (patch: Partial<typeof DEFAULT_VIEW>) => ids(viewItems(items, { ...DEFAULT_VIEW, ...patch }));
  expect(view({ status: 'done' })).toEqual(['1', '2', '3']);
  expect(view({ status: 'waiting' })).toEqual(['4']);
  expect(view({ status: 'edited' })).toEqual(['3']);
  expect(view({ status: 'not-accepted' })).toEqual(['2']);
  expect(view({ status: 'refused' })).toEqual(['5', '6']);
  expect(view({ domain: 'natural' })).toEqual(['1', '3']);
  // Search reads paths and the caption shown (the edit), every word, any case.
  expect(view({ search: 'GREY sofa' })).toEqual(['3']);
  expect(view({ search: 'a/' })).toEqual(['2']);
  expect(view({ search: 'cat' })).toEqual(['3', '4']);
  // Names sort numerically; lengths and scores put missing ones at an end; ties keep the order added.
  expect(view({ sort: 'name' })).toEqual(['2', '1', '4', '3', '6', '5']);
  expect(view({ sort: 'length', status: 'done' })).toEqual(['1', '3', '2']);
  expect(view({ sort: 'score' })).toEqual(['2', '1', '3', '4', '5', '6']);
});

test('caption lengths count characters, words and about how many tokens', () => {
  expect(captionLength('')).toEqual({ chars: 0, words: 0, tokens: 0 });
  expect(captionLength('A red square.')).toEqual({ chars: 13, words: 3, tokens: 4 });
  // A long word is several tokens; an emoji is one character.
  expect(captionLength('Photosynthesising 🌿')).toEqual({ chars: 19, words: 2, tokens: 4 });
});

test("a caption the model wrote as it stands has the model's own token count; an edit has none", () => {
  const step = (agent: string, output: string, tokens: number) =>
    ({ agent, role: 'vlm', model: 'm', prompt: 'p', output, tokens, ms: 1 }) as const;
  const trace = [
    step('natural-perception', 'Notes.', 3),
    step('summary', ' A red square. ', 5),
    step('judge-1', '3 3', 4),
  ];
  expect(countedTokens(trace, 'A red square.')).toBe(5);
  expect(countedTokens(trace, 'A red square, edited.')).toBeNull();
  // A step that reported no tokens (an engine that does not count) is no count.
  expect(countedTokens([step('summary', 'A red square.', 0)], 'A red square.')).toBeNull();
});

test('find/replace is planned first: literal text, regex groups, case, and a bad pattern named', () => {
  const plain = planReplace(items, { find: 'a', replace: '$1', regex: false, matchCase: true });
  expect(plain.find((e) => e.id === '1')).toEqual({
    id: '1',
    path: 'b/dog.png',
    before: 'A brown dog on grass.',
    after: 'A brown dog on gr$1ss.',
  });
  // Items without a caption are left out; the edit is what is replaced, not the generated text.
  expect(ids(plain.map((e) => items.find((i) => i.id === e.id)!))).toEqual(['1', '2', '3']);
  expect(
    planReplace(items, { find: 'A (\\w+)', replace: 'The $1', regex: true, matchCase: true }).map((e) => e.after),
  ).toEqual(['The brown dog on grass.', 'The settings screen with a blue toggle.', 'The grey cat asleep on a sofa.']);
  expect(planReplace(items, { find: 'toggle', replace: 'switch', regex: false, matchCase: false })).toHaveLength(1);
  expect(planReplace(items, { find: 'TOGGLE', replace: 'switch', regex: false, matchCase: true })).toHaveLength(0);
  expect(planReplace(items, { find: '', replace: 'x', regex: false, matchCase: false })).toEqual([]);
  expect(() => planReplace(items, { find: '(unclosed', replace: '', regex: true, matchCase: false })).toThrow(
    PatternError,
  );
  expect(() => planReplace(items, { find: '(unclosed', replace: '', regex: true, matchCase: false })).toThrow(
    /^"\(unclosed" is not a valid regular expression: /,
  );
});

test('a prefix is added once, joined by a comma unless it ends with its own separator', () => {
  const once = planPrefix(items, 'ohwx');
  expect(once.map((e) => e.after)).toEqual([
    'ohwx, A brown dog on grass.',
    'ohwx, A settings screen with a blue toggle.',
    'ohwx, A grey cat asleep on a sofa.',
  ]);
  const done = items.map((i) => (i.id === '1' ? { ...i, edited: 'ohwx, A brown dog on grass.' } : i));
  expect(planPrefix(done, 'ohwx').map((e) => e.id)).toEqual(['2', '3']);
  expect(planPrefix(items, 'photo of ').at(0)?.after).toBe('photo of A brown dog on grass.');
  expect(planPrefix(items, '   ')).toEqual([]);
});
