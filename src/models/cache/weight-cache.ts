/**
 * The IndexedDB weight cache: the only place model files are stored. It
 * implements the small cache interface transformers.js calls
 * (`match`/`put`/`delete`, via `env.customCache`) and the management the
 * UI needs (list per model, delete, clear).
 *
 * Integrity rules:
 * - a file is written as chunks of a new generation first, each with its
 *   SHA-256; its manifest comes last, in its own transaction, and only
 *   then are the old generation's chunks removed. A write cut short never
 *   counts as cached, and a failed re-store keeps the good copy;
 * - writes to one URL run one after another;
 * - on read each chunk's size and hash are checked as it streams out; a
 *   bad chunk drops the file (and the model's "complete" mark) and fails
 *   the read with an {@link IntegrityError}, so the loader downloads it again;
 * - bodies are streamed into chunks, never held whole twice;
 * - records carry the format version; a format change drops the old stores.
 */
import { type DBSchema, type IDBPDatabase, openDB } from 'idb';
import type { CachedModel } from '../../shared/cached-model';
import { QuotaExceededError } from '../../shared/errors';
import { checkedChunks, sha256Hex } from './checked-read';
import { CHUNK_BYTES, chunksOf } from './chunking';
import type { SessionGate } from './session-gate';

/** Bump when the stored layout changes: the upgrade drops everything older. */
export const CACHE_FORMAT = 2;
const DB_NAME = 'metacaptioner-weights';

/** One stored file's manifest. */
interface FileRecord {
  readonly url: string;
  /** The folder URL of the model the file belongs to. */
  readonly model: string;
  readonly size: number;
  /** SHA-256 of each chunk, hex, in order. */
  readonly hashes: readonly string[];
  /** Which write the chunks belong to (`[url#generation, index]` keys). */
  readonly generation: string;
  readonly contentType: string;
  readonly storedAt: number;
  readonly format: number;
}

/** One model (a repo at a revision from one source): complete once a load succeeded with every file stored. */
interface ModelRecord {
  readonly key: string;
  readonly repo: string;
  readonly revision: string;
  readonly complete: boolean;
  readonly lastUsed: number;
}

interface WeightDb extends DBSchema {
  chunks: { key: [string, number]; value: Blob };
  files: { key: string; value: FileRecord; indexes: { model: string } };
  models: { key: string; value: ModelRecord };
}

/**
 * Storage quota access, injected so tests can simulate a nearly full disk.
 * (`persist()` exists only in windows, so the client page asks for it.)
 */
export interface StorageAccess {
  estimate(): Promise<{ quota?: number; usage?: number }>;
  persisted(): Promise<boolean>;
}

/** What the cache tells its owner while a load runs. */
export interface CacheListener {
  hit(url: string, bytes: number): void;
  /** A file could not be stored (e.g. quota): the model works, but will download again next time. */
  storeFailed(url: string, error: Error): void;
  /** A stored file failed its check on read and was dropped. */
  damaged(url: string): void;
}

/** Options; defaults suit production. */
export interface WeightCacheOptions {
  readonly storage: StorageAccess;
  readonly chunkBytes?: number;
  /** Free space kept in reserve so the browser never evicts us for filling the disk to the byte. */
  readonly reserveBytes?: number;
  /** Told when a `put` ends, stored or not (see DownloadTracker). */
  readonly onPutEnd?: (url: string) => void;
  /** The database name (tests use their own). */
  readonly dbName?: string;
  /** Orders the reads of a load's ONNX files by session (see SessionGate). */
  readonly sessionGate?: SessionGate;
}

/** A stored file failed its check on read; it was dropped and will download again. */
export class IntegrityError extends Error {
  override readonly name = 'IntegrityError';
  constructor(
    readonly url: string,
    detail: string,
  ) {
    super(`The cached copy of ${url} was damaged (${detail}); it was removed and will download again.`);
  }
}

/** Free bytes the browser grants this origin, per `navigator.storage.estimate()`. */
export async function availableBytes(storage: StorageAccess): Promise<number> {
  const { quota, usage } = await storage.estimate();
  return Math.max(0, (quota ?? 0) - (usage ?? 0));
}

/** The folder of a file URL. */
function folderOf(url: string): string {
  return url.slice(0, url.lastIndexOf('/') + 1);
}

let generationCounter = 0;

/** The weight cache over one IndexedDB database. */
export class WeightCache {
  private readonly tracked = new Map<string, { repo: string; revision: string }>();
  private listener: CacheListener | null = null;
  /** The last write of each URL: the next one starts after it. */
  private readonly writes = new Map<string, Promise<void>>();

  private constructor(
    private readonly db: IDBPDatabase<WeightDb>,
    private readonly options: WeightCacheOptions,
  ) {}

  /** Opens (creating or upgrading) the database and sweeps chunks left by interrupted writes. */
  static async open(options: WeightCacheOptions): Promise<WeightCache> {
    const db = await openDB<WeightDb>(options.dbName ?? DB_NAME, CACHE_FORMAT, {
      upgrade(database) {
        for (const name of Array.from(database.objectStoreNames)) database.deleteObjectStore(name);
        database.createObjectStore('chunks');
        database.createObjectStore('files', { keyPath: 'url' }).createIndex('model', 'model');
        database.createObjectStore('models', { keyPath: 'key' });
      },
    });
    const cache = new WeightCache(db, options);
    await cache.sweepOrphans();
    return cache;
  }

  /** Closes the database connection (tests reopen it to check persistence). */
  close(): void {
    this.db.close();
  }

  /** Routes cache hits and store failures to `listener` (one load at a time). */
  listen(listener: CacheListener | null): void {
    this.listener = listener;
  }

  /**
   * Files whose URL starts with `folder` belong to this model from now on, and it was used now. The write
   * is bookkeeping: when storage is full it fails, and this resolves false instead of throwing, since a
   * model that is already complete loads from reads alone.
   */
  async track(folder: string, repo: string, revision: string): Promise<boolean> {
    this.tracked.set(folder, { repo, revision });
    const existing = await this.db.get('models', folder);
    return this.bookkeeping(() =>
      this.db.put('models', {
        key: folder,
        repo,
        revision,
        complete: existing?.complete ?? false,
        lastUsed: Date.now(),
      }),
    );
  }

  /**
   * Marks a model complete: every file it needs is stored (the loader calls it after a load that stored them
   * all). Nothing is written for a model already marked; false when storage is full (the next load checks again).
   */
  async markComplete(folder: string): Promise<boolean> {
    const record = await this.db.get('models', folder);
    if (!record || record.complete) return true;
    return this.bookkeeping(() => this.db.put('models', { ...record, complete: true, lastUsed: Date.now() }));
  }

  /** Runs a bookkeeping write; false when the browser's storage is full. */
  private async bookkeeping(write: () => Promise<unknown>): Promise<boolean> {
    try {
      await write();
      return true;
    } catch (err) {
      if (err instanceof DOMException && err.name === 'QuotaExceededError') return false;
      throw err;
    }
  }

  /** Is this model folder completely cached? */
  async isComplete(folder: string): Promise<boolean> {
    return (await this.db.get('models', folder))?.complete === true;
  }

  /** The size of a stored file from its manifest alone (no chunk is read), or null when not stored. */
  async storedSize(url: string): Promise<number | null> {
    const record = await this.db.get('files', url);
    return record && record.format === CACHE_FORMAT ? record.size : null;
  }

  /** The stored files of one model folder (manifests only). */
  async storedFiles(folder: string): Promise<{ url: string; size: number }[]> {
    const files = await this.db.getAllFromIndex('files', 'model', folder);
    return files.map((f) => ({ url: f.url, size: f.size }));
  }

  /**
   * True for a JSON file of a complete model that is not stored: the model
   * loaded without it, so it is an optional file the repo does not have.
   * transformers.js asks for such files on every load; answering them
   * locally keeps a cached model loadable with no network at all.
   */
  async isKnownAbsent(url: string): Promise<boolean> {
    if (!url.endsWith('.json')) return false;
    return (await this.isComplete(this.modelOf(url))) && (await this.storedSize(url)) === null;
  }

  // ---- transformers.js cache interface -------------------------------------------------------

  /**
   * The stored file as a Response whose body streams the chunks, each
   * checked (size and SHA-256) as it goes; undefined when not stored. A
   * caller that reads only the headers (transformers.js does, to learn
   * sizes) pays for no chunk.
   */
  async match(url: string): Promise<Response | undefined> {
    await this.writes.get(url);
    const record = await this.db.get('files', url);
    if (!record || record.format !== CACHE_FORMAT) return undefined;
    this.listener?.hit(url, record.size);
    const key = `${url}#${record.generation}`;
    const body = checkedChunks(record.hashes, {
      // A session's files wait for the session before it (see SessionGate).
      before: () => this.options.sessionGate?.enter(url),
      chunk: (index) => this.db.get('chunks', [key, index]),
      bad: async (problem) => {
        // Drop the file unless a newer copy replaced it while this one was being read.
        if ((await this.db.get('files', url))?.generation === record.generation) await this.delete(url);
        this.listener?.damaged(url);
        this.options.sessionGate?.unreadable(url);
        return new IntegrityError(url, problem);
      },
    });
    return new Response(body, {
      headers: { 'content-length': String(record.size), 'content-type': record.contentType },
    });
  }

  /** Stores a complete response body, streamed into chunks; a failure keeps any earlier copy. */
  put(url: string, response: Response): Promise<void> {
    const size = Number(response.headers.get('content-length') ?? Number.NaN);
    const type = response.headers.get('content-type') ?? 'application/octet-stream';
    const body = response.body ?? new Blob([]).stream();
    return this.serialised(url, async () => {
      try {
        await this.store(url, body, Number.isFinite(size) ? size : null, type);
      } catch (err) {
        // transformers.js logs and swallows put errors; tell the owner so the model is not marked complete.
        const error = err instanceof Error ? err : new Error(String(err));
        this.listener?.storeFailed(url, error);
        throw error;
      } finally {
        this.options.onPutEnd?.(url);
      }
    });
  }

  /** Stores a file from disk (an imported model) without reading it whole into memory. */
  putBlob(url: string, blob: Blob): Promise<void> {
    return this.serialised(url, () =>
      this.store(url, blob.stream(), blob.size, blob.type || 'application/octet-stream'),
    );
  }

  /** Removes one file (manifest first, so it stops counting at once); its model is no longer complete. */
  async delete(url: string): Promise<boolean> {
    const record = await this.db.get('files', url);
    await this.db.delete('files', url);
    if (record) await this.deleteChunks(`${url}#${record.generation}`);
    const model = await this.db.get('models', record?.model ?? this.modelOf(url));
    if (model?.complete) await this.db.put('models', { ...model, complete: false });
    return record !== undefined;
  }

  // ---- management ---------------------------------------------------------------------------

  /** Every model with any stored file (registered or not), with sizes. */
  async list(): Promise<CachedModel[]> {
    const models = new Map((await this.db.getAll('models')).map((m) => [m.key, m]));
    const sizes = new Map<string, { files: number; bytes: number }>();
    for (const file of await this.db.getAll('files')) {
      const entry = sizes.get(file.model) ?? { files: 0, bytes: 0 };
      sizes.set(file.model, { files: entry.files + 1, bytes: entry.bytes + file.size });
    }
    const result: CachedModel[] = [];
    for (const key of new Set([...models.keys(), ...sizes.keys()])) {
      const model = models.get(key);
      const size = sizes.get(key) ?? { files: 0, bytes: 0 };
      if (size.files === 0 && !model?.complete) continue;
      result.push({
        key,
        // A folder no load ever registered still shows, named by its URL, so it can be deleted.
        repo: model?.repo ?? key,
        revision: model?.revision ?? '',
        complete: model?.complete ?? false,
        files: size.files,
        bytes: size.bytes,
        lastUsed: model?.lastUsed ?? 0,
      });
    }
    return result.sort((a, b) => b.lastUsed - a.lastUsed);
  }

  /** Deletes one model's files and record. */
  async deleteModel(key: string): Promise<void> {
    const files = await this.db.getAllKeysFromIndex('files', 'model', key);
    for (const url of files) await this.delete(url);
    await this.db.delete('models', key);
  }

  /** Deletes everything. */
  async clear(): Promise<void> {
    await Promise.all([...this.writes.values()].map((w) => w.catch(() => {})));
    const tx = this.db.transaction(['chunks', 'files', 'models'], 'readwrite');
    await Promise.all([
      tx.objectStore('chunks').clear(),
      tx.objectStore('files').clear(),
      tx.objectStore('models').clear(),
    ]);
    await tx.done;
  }

  private modelOf(url: string): string {
    let best = '';
    for (const folder of this.tracked.keys()) if (url.startsWith(folder) && folder.length > best.length) best = folder;
    return best || folderOf(url);
  }

  /** Runs `write` after any earlier write of the same URL. */
  private serialised(url: string, write: () => Promise<void>): Promise<void> {
    const previous = this.writes.get(url) ?? Promise.resolve();
    const next = previous.catch(() => {}).then(write);
    const settled = next.catch(() => {});
    this.writes.set(url, settled);
    void settled.then(() => this.writes.get(url) === settled && this.writes.delete(url));
    return next;
  }

  /** Streams `body` into chunks of a new generation, then swaps the manifest, then drops the old chunks. */
  private async store(url: string, body: ReadableStream<Uint8Array>, size: number | null, type: string): Promise<void> {
    if (size !== null) {
      const available = await availableBytes(this.options.storage);
      const needed = size + (this.options.reserveBytes ?? 0);
      if (needed > available) throw new QuotaExceededError(url.split('/').pop() ?? url, size, available);
    }
    const generation = `${Date.now().toString(36)}-${++generationCounter}`;
    const key = `${url}#${generation}`;
    const hashes: string[] = [];
    let total = 0;
    try {
      for await (const bytes of chunksOf(body, this.options.chunkBytes ?? CHUNK_BYTES)) {
        hashes.push(await sha256Hex(bytes));
        await this.db.put('chunks', new Blob([bytes]), [key, hashes.length - 1]);
        total += bytes.length;
      }
      if (size !== null && total !== size) throw new Error(`received ${total} of ${size} bytes`);
      const previous = await this.db.get('files', url);
      // The manifest goes last, in its own transaction: until it commits the new copy does not exist.
      await this.db.put('files', {
        url,
        model: this.modelOf(url),
        size: total,
        hashes,
        generation,
        contentType: type,
        storedAt: Date.now(),
        format: CACHE_FORMAT,
      });
      if (previous) await this.deleteChunks(`${url}#${previous.generation}`);
    } catch (err) {
      await this.deleteChunks(key); // the good copy, if any, is untouched
      if (!(err instanceof DOMException && err.name === 'QuotaExceededError')) throw err;
      // The browser's storage filled up mid-file, though its estimate said it would fit: say how much was needed.
      throw new QuotaExceededError(url.split('/').pop() ?? url, size ?? total, null);
    }
  }

  private async deleteChunks(key: string): Promise<void> {
    await this.db.delete('chunks', IDBKeyRange.bound([key, 0], [key, Number.MAX_SAFE_INTEGER]));
  }

  private async sweepOrphans(): Promise<void> {
    const live = new Set((await this.db.getAll('files')).map((f) => `${f.url}#${f.generation}`));
    const orphans = new Set<string>();
    for (const [key] of await this.db.getAllKeys('chunks')) if (!live.has(key)) orphans.add(key);
    for (const key of orphans) await this.deleteChunks(key);
  }
}
