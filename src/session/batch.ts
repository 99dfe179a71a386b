/**
 * The batch: the user's items and the loop that captions them one at a
 * time through the captioner. It loads the models the current settings
 * need (once, with progress), follows each item through its stages,
 * persists every change to the session store, and keeps the user's other
 * work safe whatever one item does: a bad file fails alone, a failed model
 * load pauses the queue (items stay queued), cancel and retry are per item
 * or for all. UI-free: the page renders its state and calls its methods.
 */
import type { Captioner } from '../client/captioner';
import type { CapflowOptions, DomainId } from '../shared/record';
import { checkMedia } from '../media/sniff';
import type { DeviceRequest, LoadReport } from '../shared/api';
import { isCaptionerError } from '../shared/errors';
import { type CaptionEvent, writesCaption } from '../shared/events';
import type { Preset, PresetRequest } from '../shared/presets';
import type { VideoSampling } from '../shared/video-sampling';
import type { LoadableRole, RoleOverrides } from '../shared/roles';
import { contentHash } from './content-hash';
import { markDuplicates } from './duplicates';
import { type ItemError, type SessionItem, madeBy, withVersion } from './item';
import { captionLength } from './curate';
import { DUPLICATE_ERROR, stageOf } from './progress';
import type { SessionStorage } from './store';

/** What the current settings ask of the batch. */
export interface BatchConfig {
  readonly load: {
    readonly preset: PresetRequest | Preset;
    readonly overrides: RoleOverrides;
    readonly roles: readonly LoadableRole[];
    readonly device: DeviceRequest;
    /** The user confirmed a tier that does not fit this device (the settings' confirm step). */
    readonly allowTooSmall?: boolean;
  };
  readonly options: (pinned: DomainId | null) => CapflowOptions;
  /** How videos become frames (the user's changes to the defaults). */
  readonly video: Partial<VideoSampling>;
  /** Changes whenever the models to load change (their source included). */
  readonly key: string;
}

/** The models' state, as the page shows it. */
export type ModelState =
  | { readonly phase: 'idle' }
  | { readonly phase: 'loading'; readonly loaded: number; readonly total: number; readonly file: string }
  | { readonly phase: 'ready'; readonly report: LoadReport; readonly key: string }
  | { readonly phase: 'failed'; readonly error: ItemError };

/** What a running item is doing right now (not persisted). */
export interface LiveItem {
  readonly stage: string;
  /** Text streaming in from the caption-writing step. */
  readonly streamed: string;
  /** When the caption-writing step's first text came (ms, the batch's clock), for its speed. */
  readonly firstTokenAt?: number;
  /** The batch's clock when `streamed` last grew. */
  readonly lastTokenAt?: number;
  /** Text the running note step (an agent, the judge) has written so far: its progress. */
  readonly notes?: string;
}

/** A file handed to the batch with its path in the folder it came from. */
export interface IncomingFile {
  readonly file: File;
  readonly path: string;
}

/** What the batch needs. */
export interface BatchDeps {
  readonly captioner: () => Captioner;
  readonly store: SessionStorage;
  readonly config: () => BatchConfig;
  /** Called after every change of state (render). */
  readonly onChange: () => void;
  /** Short messages for screen readers ("cat.jpg: done"); `visible` ones are also shown on the page. */
  readonly announce: (message: string, visible?: boolean) => void;
  readonly now?: () => number;
  readonly newId?: () => string;
}

/** How many added files are checked and stored together. */
const ADD_GROUP = 50;

function errorOf(err: unknown): ItemError {
  return err instanceof Error ? { name: err.name, message: err.message } : { name: 'Error', message: String(err) };
}

/** The batch controller. */
export class Batch {
  items: readonly SessionItem[] = [];
  models: ModelState = { phase: 'idle' };
  readonly live = new Map<string, LiveItem>();
  /** Wall-clock ms of items captioned in this page's life (for the ETA). */
  readonly measured: number[] = [];
  /** Images added in this page's life (restored ones are read back from the store on demand). */
  private readonly images = new Map<string, Blob>();
  private running: string | null = null;
  private pausedQueue = false;
  /** Items whose worker crashed under them once already (they are not retried again). */
  private readonly crashed = new Set<string>();
  /** Content hashes computed in this page's life, by item id (duplicates). */
  private readonly hashes = new Map<string, Promise<string>>();
  private loadAbort: AbortController | null = null;
  private readonly now: () => number;
  private readonly newId: () => string;

  constructor(private readonly deps: BatchDeps) {
    this.now = deps.now ?? (() => performance.now());
    this.newId = deps.newId ?? (() => crypto.randomUUID());
  }

  /** Restores a stored session; unfinished items go back to the queue and the queue starts. */
  restore(items: readonly SessionItem[]): void {
    this.items = items.map((i) => (i.status === 'running' ? { ...i, status: 'queued' } : i));
    this.changed();
    this.pump();
  }

  /** True while items wait or run (the page asks before it is left). */
  get busy(): boolean {
    return this.items.some((i) => i.status === 'queued' || i.status === 'running');
  }

  /** The image of an item: in memory when added in this page's life, else from the session store. */
  async image(item: SessionItem): Promise<Blob | undefined> {
    return this.images.get(item.id) ?? (item.blobKept ? this.deps.store.image(item.id) : undefined);
  }

  /**
   * Adds files: images are queued, anything else is refused with its own
   * message. Files are checked and stored in groups (one transaction each),
   * and the first group starts the queue, so a thousand files arrive without
   * freezing the page.
   */
  async add(files: readonly IncomingFile[]): Promise<void> {
    for (let start = 0; start < files.length; start += ADD_GROUP) {
      const group = files.slice(start, start + ADD_GROUP);
      const entries = await Promise.all(
        group.map(async ({ file, path }, i) => {
          const verdict = await checkMedia(file, file.name);
          const item: SessionItem = {
            id: this.newId(),
            name: file.name,
            path,
            type: file.type,
            ...(verdict.ok && verdict.media === 'video' ? { media: 'video' as const } : {}),
            size: file.size,
            addedAt: Date.now() + (this.items.length + i) / 1000,
            status: verdict.ok ? 'queued' : 'refused',
            error: verdict.ok ? null : { name: verdict.error.name, message: verdict.error.message },
            record: null,
            edited: null,
            pinnedDomain: null,
            blobKept: false,
          };
          if (!verdict.ok) this.deps.announce(verdict.error.message);
          return { item, image: verdict.ok ? file : null };
        }),
      );
      const duplicates = await markDuplicates(this.items, entries, (item) => this.hashOf(item));
      if (duplicates.length) {
        const names = duplicates.map((d) => `${d.item.name} (same as ${d.of.path})`).join(', ');
        this.deps.announce(
          `Already in this session, so skipped: ${names}. "Keep anyway" on a card captions it all the same.`,
          true,
        );
      }
      const stored = await this.deps.store.add(entries);
      stored.forEach((item, i) => {
        const image = entries[i]?.image;
        if (image) this.images.set(item.id, image);
      });
      this.items = [...this.items, ...stored];
      this.changed();
      this.pump();
    }
  }

  /** An item's content hash: stored, remembered, or computed from its file (empty when the file is gone). */
  private async hashOf(item: SessionItem): Promise<string> {
    if (item.hash) return item.hash;
    let hash = this.hashes.get(item.id);
    if (!hash) {
      hash = this.image(item).then((blob) => (blob ? contentHash(blob) : ''));
      this.hashes.set(item.id, hash);
    }
    return hash;
  }

  /** Queues a file that was skipped as a duplicate: the user wants it captioned all the same. */
  keepDuplicate(id: string): void {
    const item = this.find(id);
    if (item?.status !== 'refused' || item.error?.name !== DUPLICATE_ERROR) return;
    this.set(id, { status: 'queued', error: null, keptDuplicate: true });
    this.pump();
  }

  /** Cancels one item (waiting or running). */
  cancel(id: string): void {
    const item = this.find(id);
    if (!item || (item.status !== 'queued' && item.status !== 'running')) return;
    if (item.status === 'running') this.deps.captioner().cancel(id);
    this.set(id, { status: 'cancelled' });
    this.deps.announce(`${item.name}: cancelled`);
  }

  /** Cancels everything waiting or running, and a model load in progress. */
  cancelAll(): void {
    this.loadAbort?.abort();
    for (const item of this.items) this.cancel(item.id);
  }

  /** Queues a failed or cancelled item again. */
  retry(id: string): void {
    const item = this.find(id);
    if (item?.status !== 'failed' && item?.status !== 'cancelled') return;
    this.set(id, { status: 'queued', error: null });
    this.pump();
  }

  /** Queues every failed item again. */
  retryFailed(): void {
    for (const item of this.items) if (item.status === 'failed') this.set(item.id, { status: 'queued', error: null });
    this.pump();
  }

  /**
   * Captions items again under the current settings, each with a pinned
   * domain (null: let routing decide). What an item shows stays shown and
   * exported until the new caption arrives; a user's edit is never
   * replaced (the new caption is offered beside it).
   */
  rerun(ids: readonly string[], domain: DomainId | null): void {
    for (const id of ids) {
      const item = this.find(id);
      if (!item || item.status === 'queued' || item.status === 'running' || item.status === 'refused') continue;
      this.set(id, { status: 'queued', pinnedDomain: domain, error: null });
    }
    this.pump();
  }

  /** Keeps the user's edit of a caption (exported in place of the generated one). */
  edit(id: string, text: string): void {
    const item = this.find(id);
    if (!item?.record) return;
    this.set(id, { edited: text === item.record.caption ? null : text });
  }

  /**
   * Applies bulk edits the user previewed (find/replace, a prefix): each
   * becomes the item's edit, and an edit it replaces is kept as a version,
   * so every bulk change can be undone card by card.
   */
  applyEdits(edits: readonly { readonly id: string; readonly after: string }[]): void {
    for (const { id, after } of edits) {
      const item = this.find(id);
      if (!item?.record) continue;
      const versions =
        item.edited === null ? item.versions : withVersion(item, { kind: 'edited', text: item.edited, at: Date.now() });
      this.set(id, { edited: after === item.record.caption ? null : after, ...(versions ? { versions } : {}) });
    }
    this.deps.announce(`Changed ${edits.length} ${edits.length === 1 ? 'caption' : 'captions'}.`, true);
  }

  /** Shows the generated caption again; the edit is kept as a version. */
  revert(id: string): void {
    const item = this.find(id);
    if (item?.edited === null || item?.edited === undefined) return;
    this.set(id, { edited: null, versions: withVersion(item, { kind: 'edited', text: item.edited, at: Date.now() }) });
  }

  /** Shows an earlier version again (as the user's choice); what was shown stays among the versions. */
  useVersion(id: string, index: number): void {
    const item = this.find(id);
    const version = item?.versions?.[index];
    if (!item?.record || !version) return;
    const versions =
      item.edited === null ? item.versions : withVersion(item, { kind: 'edited', text: item.edited, at: Date.now() });
    this.set(id, { edited: version.text === item.record.caption ? null : version.text, versions });
  }

  /** Removes items (cancelling any that run). */
  async remove(ids: readonly string[]): Promise<void> {
    const gone = this.items.filter((i) => ids.includes(i.id));
    for (const item of gone) if (item.status === 'running') this.deps.captioner().cancel(item.id);
    this.items = this.items.filter((i) => !ids.includes(i.id));
    for (const item of gone) this.images.delete(item.id);
    this.changed();
    await this.deps.store.remove(gone);
  }

  /** Forgets the whole session. */
  async clear(): Promise<void> {
    this.cancelAll();
    this.items = [];
    this.images.clear();
    this.live.clear();
    this.changed();
    await this.deps.store.clear();
  }

  /** The models of the new settings load before the next item (the current item finishes first). */
  settingsChanged(): void {
    if (this.models.phase === 'failed') this.models = { phase: 'idle' };
    this.changed();
    this.pump();
  }

  /** Puts the running item back at the head of the queue and stops its job (e.g. the model source changes). */
  interrupt(): void {
    const id = this.running;
    if (!id) return;
    this.set(id, { status: 'queued' });
    this.deps.captioner().cancel(id);
  }

  /** The session's image budget in bytes. */
  get budget(): number {
    return this.deps.store.budget;
  }

  /** Keeps the page's settings (in their URL form) with the session. */
  saveSettings(query: string): Promise<void> {
    return this.deps.store.saveSettings(query);
  }

  /** True while the queue is paused: the running item finishes, no other starts. */
  get paused(): boolean {
    return this.pausedQueue;
  }

  /** Pauses the queue (the running item finishes) or resumes it. */
  setPaused(paused: boolean): void {
    this.pausedQueue = paused;
    this.deps.announce(paused ? 'Paused: the item running now finishes, no other starts.' : 'Resumed.');
    this.changed();
    this.pump();
  }

  /** Tries again after a failed model load. */
  resume(): void {
    this.models = { phase: 'idle' };
    this.changed();
    this.pump();
  }

  private find(id: string): SessionItem | undefined {
    return this.items.find((i) => i.id === id);
  }

  private set(id: string, patch: Partial<SessionItem>): SessionItem | undefined {
    let updated: SessionItem | undefined;
    this.items = this.items.map((i) => (i.id === id ? (updated = { ...i, ...patch }) : i));
    if (patch.status && patch.status !== 'running') this.live.delete(id);
    if (updated) void this.deps.store.save(updated).catch((err: unknown) => this.deps.announce(errorOf(err).message));
    this.changed();
    return updated;
  }

  private changed(): void {
    this.deps.onChange();
  }

  /** Starts the next queued item unless one runs or the models failed to load. */
  private pump(): void {
    if (this.running || this.pausedQueue || this.models.phase === 'failed' || this.models.phase === 'loading') return;
    const next = this.items.find((i) => i.status === 'queued');
    if (!next) return;
    this.running = next.id;
    void this.run(next).finally(() => {
      this.running = null;
      this.pump();
    });
  }

  private async run(item: SessionItem): Promise<void> {
    const config = this.deps.config();
    this.set(item.id, { status: 'running' });
    this.live.set(item.id, { stage: 'loading models', streamed: '' });
    if (!(await this.ensureModels(config))) {
      // The queue pauses; the item waits (or stays cancelled if the user cancelled it meanwhile).
      if (this.find(item.id)?.status === 'running') this.set(item.id, { status: 'queued' });
      return;
    }
    if (this.find(item.id)?.status !== 'running') return;
    const image = await this.image(item);
    if (!image) {
      this.fail(item, {
        name: 'ImageNotKeptError',
        message: `The file "${item.name}" was not kept with the session (over the storage budget); add it again.`,
      });
      return;
    }
    this.live.set(item.id, { stage: 'starting', streamed: '' });
    const started = this.now();
    try {
      const record = await this.deps.captioner().capflow({
        jobId: item.id,
        ...(item.media === 'video' ? { video: image, videoSampling: config.video } : { image }),
        name: item.path,
        options: config.options(item.pinnedDomain),
        // The OCR tool runs where the user asked the models to run.
        ocrDevice: config.load.device,
        onEvent: (e) => this.onEvent(item.id, e),
      });
      this.measured.push(this.now() - started);
      // The caption it replaces is kept as a version; the user's edit, if any, stays what is shown.
      const before = this.find(item.id) ?? item;
      const versions =
        before.record && before.record.caption !== record.caption
          ? withVersion(before, {
              kind: 'generated',
              text: before.record.caption,
              at: Date.now(),
              madeBy: madeBy(before.record),
            })
          : before.versions;
      this.set(item.id, { status: 'done', record, error: null, ...(versions ? { versions } : {}) });
      this.deps.announce(
        before.edited !== null
          ? `${item.name}: done. Your edit is still the caption; the new one is offered beside it.`
          : `${item.name}: done`,
        before.edited !== null,
      );
    } catch (err) {
      if (isCaptionerError(err, 'CancelledError')) return; // already marked by cancel()
      if (isCaptionerError(err, 'WorkerCrashedError') && !this.crashed.has(item.id)) {
        // The worker died under this item (out of memory, a crash): the captioner starts a new one
        // and reloads the models; the item gets one more try, then fails with the reason.
        this.crashed.add(item.id);
        this.models = { phase: 'idle' };
        this.set(item.id, { status: 'queued' });
        this.deps.announce(`${item.name}: the captioning worker stopped; trying once more.`, true);
        return;
      }
      this.fail(item, errorOf(err));
    }
  }

  private fail(item: SessionItem, error: ItemError): void {
    this.set(item.id, { status: 'failed', error });
    this.deps.announce(`${item.name}: failed. ${error.message}`);
  }

  private onEvent(id: string, event: CaptionEvent): void {
    const live = this.live.get(id);
    if (!live) return;
    if (event.type === 'agent-start') {
      this.live.set(
        id,
        writesCaption(event.agent)
          ? { stage: stageOf(event.agent), streamed: '' }
          : { ...live, stage: stageOf(event.agent), notes: '' },
      );
    } else if (event.type === 'token' && writesCaption(event.agent)) {
      this.live.set(id, {
        ...live,
        streamed: live.streamed + event.text,
        firstTokenAt: live.firstTokenAt ?? this.now(),
        lastTokenAt: this.now(),
      });
    } else if (event.type === 'token' && event.agent) {
      // A note step writes no caption: how much it has written so far is its progress.
      const notes = (live.notes ?? '') + event.text;
      const written = captionLength(notes).tokens;
      this.live.set(id, { ...live, notes, stage: `${stageOf(event.agent)} (≈ ${written} tokens written)` });
    } else if (event.type === 'video-frames') {
      const stage =
        event.phase === 'scanning'
          ? `finding scene changes (${Math.round((100 * event.done) / event.total)}%)`
          : `reading frames (${event.done} of ${event.total})`;
      this.live.set(id, { ...live, stage });
    } else if (event.type === 'step-progress') {
      this.live.set(id, { ...live, stage: `${stageOf(event.agent)} (${event.done} of ${event.total} ${event.unit})` });
    } else if (event.type === 'notice') {
      this.deps.announce(event.message, true);
    } else if (event.type === 'device-fallback') {
      // The models now run elsewhere: every display of the device follows.
      if (this.models.phase === 'ready') {
        this.models = { ...this.models, report: { ...this.models.report, device: event.to } };
      }
    } else return;
    this.changed();
  }

  /** Loads the models `config` needs unless they are loaded; false when the load failed or was cancelled. */
  private async ensureModels(config: BatchConfig): Promise<boolean> {
    if (this.models.phase === 'ready' && this.models.key === config.key) return true;
    this.loadAbort = new AbortController();
    this.models = { phase: 'loading', loaded: 0, total: 0, file: '' };
    this.changed();
    try {
      const report = await this.deps.captioner().load({
        ...config.load,
        signal: this.loadAbort.signal,
        onEvent: (e) => {
          if (e.type === 'download')
            this.models = { phase: 'loading', loaded: e.loadedAll, total: e.totalAll, file: e.file };
          else if (e.type === 'cached' && this.models.phase === 'loading')
            this.models = { ...this.models, file: e.file };
          // Said where the user looks: e.g. `auto` passing over a software WebGPU adapter.
          else if (e.type === 'notice') return this.deps.announce(e.message, true);
          else return;
          this.changed();
        },
      });
      this.models = { phase: 'ready', report, key: config.key };
      return true;
    } catch (err) {
      this.models = isCaptionerError(err, 'CancelledError')
        ? { phase: 'idle' }
        : { phase: 'failed', error: errorOf(err) };
      if (this.models.phase === 'failed') this.deps.announce(this.models.error.message);
      return false;
    } finally {
      this.loadAbort = null;
      this.changed();
    }
  }
}
