/**
 * The session store: the user's batch (items, their images, results, edits)
 * and the page's settings, in an IndexedDB database of its own (never the
 * weight cache), so a reload or a crashed tab loses nothing. Images are kept
 * up to a stated budget; past it an item keeps its result but not its
 * pixels, and says so.
 */
import { type DBSchema, type IDBPDatabase, openDB } from 'idb';
import type { SessionItem } from './item';

/** The images a session keeps, in bytes (stated on the page). */
export const SESSION_IMAGE_BUDGET = 500_000_000;

const DB_NAME = 'metacaptioner-session';
/** Bump on an incompatible change of the stored item shape (the upgrade then starts afresh). */
const DB_VERSION = 1;

interface SessionDb extends DBSchema {
  items: { key: string; value: SessionItem };
  blobs: { key: string; value: Blob };
  meta: { key: string; value: unknown };
}

/** What the batch needs from wherever the session is kept. */
export interface SessionStorage {
  readonly budget: number;
  restore(): Promise<RestoredSession>;
  add(entries: readonly NewItem[]): Promise<SessionItem[]>;
  image(id: string): Promise<Blob | undefined>;
  save(item: SessionItem): Promise<void>;
  remove(items: readonly SessionItem[]): Promise<void>;
  saveSettings(settings: unknown): Promise<void>;
  clear(): Promise<void>;
}

/** An item to store and its image (null for a refused file). */
export interface NewItem {
  readonly item: SessionItem;
  readonly image: Blob | null;
}

/** Everything a reload restores. */
export interface RestoredSession {
  readonly items: SessionItem[];
  readonly settings: unknown;
}

/** The session database. */
export class SessionStore implements SessionStorage {
  private keptBytes = 0;

  private constructor(
    private readonly db: IDBPDatabase<SessionDb>,
    /** Image budget in bytes (tests pass a small one). */
    readonly budget: number,
  ) {}

  /** Opens (or creates) the session database. */
  static async open(budget = SESSION_IMAGE_BUDGET, name = DB_NAME): Promise<SessionStore> {
    const db = await openDB<SessionDb>(name, DB_VERSION, {
      upgrade(database) {
        for (const store of Array.from(database.objectStoreNames)) database.deleteObjectStore(store);
        database.createObjectStore('items', { keyPath: 'id' });
        database.createObjectStore('blobs');
        database.createObjectStore('meta');
      },
    });
    return new SessionStore(db, budget);
  }

  /** The stored items in the order they were added, and the saved settings (null when none). */
  async restore(): Promise<RestoredSession> {
    const items = (await this.db.getAll('items')).sort((a, b) => a.addedAt - b.addedAt || a.id.localeCompare(b.id));
    this.keptBytes = items.reduce((sum, i) => sum + (i.blobKept ? i.size : 0), 0);
    return { items, settings: (await this.db.get('meta', 'settings')) ?? null };
  }

  /** Bytes of images kept so far. */
  get imageBytes(): number {
    return this.keptBytes;
  }

  /**
   * Stores new items and, while the budget allows, their images, in one
   * transaction (an item never exists without the image it claims to keep).
   * Returns the items as stored (`blobKept` decided here).
   */
  async add(entries: readonly NewItem[]): Promise<SessionItem[]> {
    let kept = this.keptBytes;
    const stored = entries.map(({ item, image }) => {
      const keep = image !== null && kept + image.size <= this.budget;
      if (keep) kept += item.size;
      return { item: { ...item, blobKept: keep }, image: keep ? image : null };
    });
    const tx = this.db.transaction(['items', 'blobs'], 'readwrite');
    await Promise.all(
      stored.flatMap(({ item, image }) => [
        tx.objectStore('items').put(item),
        image ? tx.objectStore('blobs').put(image, item.id) : undefined,
      ]),
    );
    await tx.done;
    this.keptBytes = kept;
    return stored.map((s) => s.item);
  }

  /** The kept image of an item. */
  image(id: string): Promise<Blob | undefined> {
    return this.db.get('blobs', id);
  }

  /** Saves an item's new state. */
  async save(item: SessionItem): Promise<void> {
    await this.db.put('items', item);
  }

  /** Removes items and their images. */
  async remove(items: readonly SessionItem[]): Promise<void> {
    const tx = this.db.transaction(['items', 'blobs'], 'readwrite');
    await Promise.all(
      items.flatMap((i) => [tx.objectStore('items').delete(i.id), tx.objectStore('blobs').delete(i.id)]),
    );
    await tx.done;
    this.keptBytes -= items.reduce((sum, i) => sum + (i.blobKept ? i.size : 0), 0);
  }

  /** Saves the page's settings. */
  async saveSettings(settings: unknown): Promise<void> {
    await this.db.put('meta', settings, 'settings');
  }

  /** Forgets every item and image (settings stay). */
  async clear(): Promise<void> {
    const tx = this.db.transaction(['items', 'blobs'], 'readwrite');
    await Promise.all([tx.objectStore('items').clear(), tx.objectStore('blobs').clear()]);
    await tx.done;
    this.keptBytes = 0;
  }

  /** Closes the connection. */
  close(): void {
    this.db.close();
  }
}

/**
 * The stand-in when IndexedDB cannot be opened (some private modes, a
 * blocked or full profile): the batch works the same, nothing survives a
 * reload, and the page says so.
 */
export class MemorySessionStore implements SessionStorage {
  private readonly images = new Map<string, Blob>();
  readonly budget = SESSION_IMAGE_BUDGET;

  async restore(): Promise<RestoredSession> {
    return { items: [], settings: null };
  }

  async add(entries: readonly NewItem[]): Promise<SessionItem[]> {
    return entries.map(({ item, image }) => {
      if (image) this.images.set(item.id, image);
      return { ...item, blobKept: image !== null };
    });
  }

  async image(id: string): Promise<Blob | undefined> {
    return this.images.get(id);
  }

  async save(): Promise<void> {}

  async remove(items: readonly SessionItem[]): Promise<void> {
    for (const item of items) this.images.delete(item.id);
  }

  async saveSettings(): Promise<void> {}

  async clear(): Promise<void> {
    this.images.clear();
  }
}
