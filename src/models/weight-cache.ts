/**
 * The IndexedDB weight cache: the only place model files are stored. It
 * implements the small cache interface transformers.js calls
 * (`match`/`put`/`delete`, via `env.customCache`) and the management the
 * UI needs (list per model, delete, clear).
 *
 * Integrity rules:
 * - a file is stored as chunks first, then its manifest record in its own
 *   transaction: a file without a manifest does not exist, so a write cut
 *   short (tab closed, crash) never counts as cached; orphan chunks are
 *   swept when the cache opens;
 * - sizes are verified on every read; a mismatch deletes the entry;
 * - records carry the format version; a format change upgrades the
 *   database by dropping the old stores, so stale data is never served.
 */
import { type DBSchema, type IDBPDatabase, openDB } from 'idb';
import type { CachedModel } from '../shared/cached-model';
import { QuotaExceededError } from '../shared/errors';
import { CHUNK_BYTES, chunkMismatch, chunkRanges } from './chunking';

/** Bump when the stored layout changes: the upgrade drops everything older. */
export const CACHE_FORMAT = 1;
const DB_NAME = 'metacaptioner-weights';

/** One stored file's manifest. */
interface FileRecord {
  readonly url: string;
  /** The folder URL of the model the file belongs to. */
  readonly model: string;
  readonly size: number;
  readonly chunks: number;
  /** SHA-256 of downloaded files; null for imported files (never read whole into memory). */
  readonly sha256: string | null;
  readonly contentType: string;
  readonly storedAt: number;
  readonly format: number;
}

/** One model (a repo at a revision from one source): complete once a load succeeded. */
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
}

/** Options; defaults suit production. */
export interface WeightCacheOptions {
  readonly storage: StorageAccess;
  readonly chunkBytes?: number;
  /** Free space kept in reserve so the browser never evicts us for filling the disk to the byte. */
  readonly reserveBytes?: number;
  /** Told when a `put` ends, stored or not (see DownloadTracker). */
  readonly onPutEnd?: (url: string) => void;
}

/** Free bytes the browser grants this origin, per `navigator.storage.estimate()`. */
export async function availableBytes(storage: StorageAccess): Promise<number> {
  const { quota, usage } = await storage.estimate();
  return Math.max(0, (quota ?? 0) - (usage ?? 0));
}

async function sha256Hex(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The weight cache over one IndexedDB database. */
export class WeightCache {
  private readonly tracked = new Map<string, { repo: string; revision: string }>();
  private listener: CacheListener | null = null;

  private constructor(
    private readonly db: IDBPDatabase<WeightDb>,
    private readonly options: WeightCacheOptions,
  ) {}

  /** Opens (creating or upgrading) the database and sweeps chunks left by interrupted writes. */
  static async open(options: WeightCacheOptions): Promise<WeightCache> {
    const db = await openDB<WeightDb>(DB_NAME, CACHE_FORMAT, {
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

  /** Files whose URL starts with `folder` belong to this model from now on. */
  async track(folder: string, repo: string, revision: string): Promise<void> {
    this.tracked.set(folder, { repo, revision });
    const existing = await this.db.get('models', folder);
    await this.db.put('models', {
      key: folder,
      repo,
      revision,
      complete: existing?.complete ?? false,
      lastUsed: Date.now(),
    });
  }

  /** Marks a model complete: every file it needs is stored (called after a successful load). */
  async markComplete(folder: string): Promise<void> {
    const record = await this.db.get('models', folder);
    if (record) await this.db.put('models', { ...record, complete: true, lastUsed: Date.now() });
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
    const folder = this.modelOf(url);
    return (await this.isComplete(folder)) && (await this.storedSize(url)) === null;
  }

  // ---- transformers.js cache interface -------------------------------------------------------

  /** The stored file as a Response, or undefined (missing, half-written or corrupt). */
  async match(url: string): Promise<Response | undefined> {
    const record = await this.db.get('files', url);
    if (!record || record.format !== CACHE_FORMAT) return undefined;
    const range = IDBKeyRange.bound([url, 0], [url, record.chunks - 1]);
    const chunks = await this.db.getAll('chunks', range);
    const mismatch = chunkMismatch(
      record.size,
      record.chunks,
      chunks.map((c) => c.size),
    );
    if (mismatch) {
      await this.delete(url);
      return undefined;
    }
    this.listener?.hit(url, record.size);
    return new Response(new Blob(chunks, { type: record.contentType }), {
      headers: { 'content-length': String(record.size), 'content-type': record.contentType },
    });
  }

  /** Stores a complete response body: chunks first, manifest last. */
  async put(url: string, response: Response): Promise<void> {
    try {
      const bytes = new Uint8Array(await response.arrayBuffer());
      const type = response.headers.get('content-type') ?? 'application/octet-stream';
      await this.store(url, new Blob([bytes], { type }), await sha256Hex(bytes));
    } catch (err) {
      // transformers.js logs and swallows put errors; tell the owner so the user learns why.
      const error = err instanceof Error ? err : new Error(String(err));
      this.listener?.storeFailed(url, error);
      throw error;
    } finally {
      this.options.onPutEnd?.(url);
    }
  }

  /** Removes one file (manifest first, so it stops counting at once). */
  async delete(url: string): Promise<boolean> {
    const existed = (await this.db.get('files', url)) !== undefined;
    await this.db.delete('files', url);
    await this.db.delete('chunks', IDBKeyRange.bound([url, 0], [url, Number.MAX_SAFE_INTEGER]));
    return existed;
  }

  // ---- management ---------------------------------------------------------------------------

  /** Every model with any stored file, with sizes. */
  async list(): Promise<CachedModel[]> {
    const models = await this.db.getAll('models');
    const result: CachedModel[] = [];
    for (const model of models) {
      const files = await this.db.getAllFromIndex('files', 'model', model.key);
      if (files.length === 0 && !model.complete) continue;
      result.push({
        key: model.key,
        repo: model.repo,
        revision: model.revision,
        complete: model.complete,
        files: files.length,
        bytes: files.reduce((sum, f) => sum + f.size, 0),
        lastUsed: model.lastUsed,
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
    return best || url.slice(0, url.lastIndexOf('/') + 1);
  }

  /** Stores a file from disk (an imported model) without reading it whole into memory. */
  async putBlob(url: string, blob: Blob): Promise<void> {
    await this.store(url, blob, null);
  }

  private async store(url: string, blob: Blob, sha256: string | null): Promise<void> {
    const available = await availableBytes(this.options.storage);
    const needed = blob.size + (this.options.reserveBytes ?? 0);
    if (needed > available) throw new QuotaExceededError(url.split('/').pop() ?? url, blob.size, available);

    const ranges = chunkRanges(blob.size, this.options.chunkBytes ?? CHUNK_BYTES);
    await this.delete(url);
    const chunkTx = this.db.transaction('chunks', 'readwrite');
    await Promise.all(ranges.map((r) => chunkTx.store.put(blob.slice(r.start, r.end), [url, r.index])));
    await chunkTx.done;
    // The manifest goes last, in its own transaction: until it commits the file does not exist.
    await this.db.put('files', {
      url,
      model: this.modelOf(url),
      size: blob.size,
      chunks: ranges.length,
      sha256,
      contentType: blob.type || 'application/octet-stream',
      storedAt: Date.now(),
      format: CACHE_FORMAT,
    });
  }

  private async sweepOrphans(): Promise<void> {
    const known = new Set(await this.db.getAllKeys('files'));
    const orphans = new Set<string>();
    for (const [url] of await this.db.getAllKeys('chunks')) if (!known.has(url)) orphans.add(url);
    for (const url of orphans) await this.delete(url);
  }
}
