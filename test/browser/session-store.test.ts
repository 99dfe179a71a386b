/**
 * The session store in real IndexedDB: what a reload restores (in order,
 * with results and settings), the image budget (past it the result is
 * kept, the pixels are not), removal and clearing.
 */
import { afterEach, expect, test } from 'vitest';
import type { SessionItem } from '../../src/session/item';
import { SessionStore } from '../../src/session/store';

const open: SessionStore[] = [];
let dbCounter = 0;

async function store(budget: number, name: string): Promise<SessionStore> {
  const s = await SessionStore.open(budget, name);
  open.push(s);
  return s;
}

afterEach(() => {
  for (const s of open.splice(0)) s.close();
});

function item(id: string, size: number, addedAt: number): SessionItem {
  return {
    id,
    name: `${id}.png`,
    path: `${id}.png`,
    type: 'image/png',
    size,
    addedAt,
    status: 'queued',
    error: null,
    record: null,
    edited: null,
    pinnedDomain: null,
    blobKept: false,
  };
}

test('a reload restores items in the order they were added, their images, edits and the settings', async () => {
  const name = `mc-session-test-${++dbCounter}`;
  const first = await store(1000, name);
  await first.add([{ item: item('b', 3, 2), image: new Blob(['bbb']) }]);
  await first.add([{ item: item('a', 2, 1), image: new Blob(['aa']) }]);
  const [stored] = (await first.restore()).items;
  await first.save({ ...(stored as SessionItem), status: 'done', edited: 'my words' });
  await first.saveSettings('mode=capflow');
  first.close();

  const second = await store(1000, name);
  const restored = await second.restore();
  expect(restored.items.map((i) => [i.id, i.status, i.edited, i.blobKept])).toEqual([
    ['a', 'done', 'my words', true],
    ['b', 'queued', null, true],
  ]);
  expect(restored.settings).toBe('mode=capflow');
  expect(await (await second.image('b'))?.text()).toBe('bbb');
  expect(second.imageBytes).toBe(5);
});

test('past the image budget an item keeps its place and result but not its pixels; removing frees room', async () => {
  const s = await store(5, `mc-session-test-${++dbCounter}`);
  // One transaction for both: the budget is shared out in order.
  const [kept, over] = await s.add([
    { item: item('one', 4, 1), image: new Blob(['1111']) },
    { item: item('two', 4, 2), image: new Blob(['2222']) },
  ]);
  expect([kept?.blobKept, over?.blobKept]).toEqual([true, false]);
  expect(await s.image('two')).toBeUndefined();
  if (kept) await s.remove([kept]);
  expect(s.imageBytes).toBe(0);
  const [again] = await s.add([{ item: item('three', 4, 3), image: new Blob(['3333']) }]);
  expect(again?.blobKept).toBe(true);
  await s.clear();
  expect((await s.restore()).items).toEqual([]);
  expect(s.imageBytes).toBe(0);
});
