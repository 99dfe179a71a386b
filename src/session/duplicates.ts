/**
 * Telling duplicates apart when files are added: a file whose bytes are
 * already in the session (or earlier in the same add) is skipped, named
 * with the item it repeats. Only files of equal size are ever hashed, so
 * a folder of different photos is not read twice for this.
 */
import { contentHash } from './content-hash';
import type { SessionItem } from './item';
import { DUPLICATE_ERROR } from './progress';

/** A file skipped as a duplicate, and the item it repeats. */
export interface Duplicate {
  readonly item: SessionItem;
  readonly of: SessionItem;
}

/**
 * Marks the files of `entries` whose bytes are already in the session
 * (or earlier in `entries`) as skipped duplicates, in place, and returns
 * them with the item they repeat. A duplicate keeps its file, so "Keep
 * anyway" can queue it. Only files of equal size are hashed; `hashOf`
 * gives the hash of an item already in the session.
 */
export async function markDuplicates(
  existing: readonly SessionItem[],
  entries: { item: SessionItem; image: Blob | null }[],
  hashOf: (item: SessionItem) => Promise<string>,
): Promise<Duplicate[]> {
  const found: Duplicate[] = [];
  // Files seen so far by size; those of a size met twice are hashed, once each, into `byHash`.
  const bySize = new Map<number, SessionItem[]>();
  const byHash = new Map<string, SessionItem>();
  const hashed = new Set<string>();
  // Files of this add are not in the batch yet: their bytes are here.
  const incoming = new Map(entries.map((e) => [e.item.id, e.image]));
  for (const item of existing) {
    if (item.status === 'refused' && item.error?.name !== DUPLICATE_ERROR) continue;
    bySize.set(item.size, [...(bySize.get(item.size) ?? []), item]);
  }
  for (const entry of entries) {
    if (!entry.image) continue;
    const twins = bySize.get(entry.item.size) ?? [];
    bySize.set(entry.item.size, [...twins, entry.item]);
    if (twins.length === 0) continue;
    for (const twin of twins) {
      if (hashed.has(twin.id)) continue;
      hashed.add(twin.id);
      const blob = incoming.get(twin.id);
      const hash = blob ? await contentHash(blob) : await hashOf(twin);
      if (hash && !byHash.has(hash)) byHash.set(hash, twin);
    }
    const hash = await contentHash(entry.image);
    const original = byHash.get(hash);
    entry.item = original
      ? {
          ...entry.item,
          hash,
          status: 'refused',
          error: { name: DUPLICATE_ERROR, message: `The same file as "${original.path}" is already here: skipped.` },
        }
      : { ...entry.item, hash };
    hashed.add(entry.item.id);
    if (original) found.push({ item: entry.item, of: original });
    else byHash.set(hash, entry.item);
  }
  return found;
}
