/**
 * The page: a batch workbench. Files, folders and pasted images go into a
 * queue that the captioner works through in its worker; each item shows its
 * live stage, then its editable caption, domain, judge scores and trace.
 * The session (items, images, results, edits, settings) survives reloads in
 * its own IndexedDB database; exports and the download plan are a click
 * away. This element wires the parts together and lays them out.
 */
import { LitElement, html, nothing } from 'lit';
import { type Captioner, createCaptioner } from '../client/captioner';
import { Batch, type BatchConfig } from '../session/batch';
import { type SessionItem, finalCaption } from '../session/item';
import { countItems, etaMs, formatEta, statusText } from '../session/progress';
import { MemorySessionStore, SESSION_IMAGE_BUDGET, type SessionStorage, SessionStore } from '../session/store';
import { type DeviceInfo, describeDevice } from '../shared/device';
import { PRESETS, type PresetId } from '../shared/presets';
import { type PickedFile, filesFromClipboard, filesFromDrop, filesFromInput } from './file-intake';
import { errorMessage, formatBytes } from './format';
import { appStyles } from './mc-app.styles';
import type { McCachePanel } from './mc-cache-panel';
import './mc-cache-panel';
import './mc-export';
import { type ItemActionDetail } from './mc-item';
import './mc-item';
import type { ModelAction, PresetChoice } from './mc-model-status';
import './mc-model-status';
import { type PlanState, planLabel } from './mc-settings';
import './mc-settings';
import {
  type AppSettings,
  captionOptions,
  isPresetId,
  rolesFor,
  settingsFromUrl,
  settingsToUrl,
  urlHasSettings,
} from './settings';

type Panel = 'settings' | 'export' | null;

/** "3/5 done · 1 failed · 1 cancelled · about 1 min left". */
function countsText(c: ReturnType<typeof countItems>, eta: string): string {
  const parts = [
    `${c.done}/${c.total} done`,
    c.failed ? `${c.failed} failed` : '',
    c.cancelled ? `${c.cancelled} cancelled` : '',
    eta,
  ];
  return parts.filter(Boolean).join(' · ');
}

/** `<mc-app>`: the whole single-page app. */
export class McApp extends LitElement {
  static override styles = appStyles;

  static override properties = {
    device: { state: true },
    settings: { state: true },
    plans: { state: true },
    panel: { state: true },
    announcement: { state: true },
    notice: { state: true },
    dragging: { state: true },
    confirmClear: { state: true },
    batch: { state: true },
  };

  declare device: DeviceInfo | null;
  declare settings: AppSettings;
  declare plans: ReadonlyMap<PresetId, PlanState>;
  declare panel: Panel;
  declare announcement: string;
  declare notice: string;
  declare dragging: boolean;
  declare confirmClear: boolean;
  /** Null until the session store is open. */
  declare batch: Batch | null;

  private captioner: Captioner;
  private readonly thumbs = new Map<string, string>();
  private planRun = 0;
  /** Settles once the batch exists; files added before that wait for it. */
  private sessionReady: Promise<void> = Promise.resolve();
  private focusId: string | null = null;
  /** Items whose trace is open take the grid's full width. */
  private readonly wide = new Set<string>();

  constructor() {
    super();
    this.settings = settingsFromUrl(new URLSearchParams(location.search));
    this.device = null;
    this.plans = new Map();
    this.panel = null;
    this.announcement = '';
    this.notice = '';
    this.dragging = false;
    this.confirmClear = false;
    this.batch = null;
    this.captioner = this.newCaptioner();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('beforeunload', this.onBeforeUnload);
    window.addEventListener('paste', this.onPaste);
    this.captioner.probe().then(
      (info) => {
        this.device = info;
        void this.refreshPlans();
      },
      (err: unknown) => (this.notice = errorMessage(err)),
    );
    this.sessionReady = this.openSession();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('beforeunload', this.onBeforeUnload);
    window.removeEventListener('paste', this.onPaste);
    this.captioner.dispose();
    for (const url of this.thumbs.values()) URL.revokeObjectURL(url);
  }

  // ---- session and settings -------------------------------------------------------------------

  private newCaptioner(): Captioner {
    return createCaptioner({
      source: this.settings.source,
      onEvent: (e) => e.type === 'notice' && this.announce(e.message, true),
    });
  }

  /** Opens the session store (or, when IndexedDB is unavailable, a memory one, said on the page) and restores it. */
  private async openSession(): Promise<void> {
    let store: SessionStorage;
    try {
      store = await SessionStore.open();
    } catch (err) {
      store = new MemorySessionStore();
      this.notice = `Your session cannot be kept on this device (${errorMessage(err)}): captions are lost on reload, so export them.`;
    }
    const restored = await store.restore().catch(() => ({ items: [], settings: null }));
    // A URL that names settings wins (a shared link); otherwise the settings of the last visit.
    if (!urlHasSettings(new URLSearchParams(location.search)) && typeof restored.settings === 'string') {
      this.applySettings(settingsFromUrl(new URLSearchParams(restored.settings)), false);
    }
    const batch = new Batch({
      captioner: () => this.captioner,
      store,
      config: () => this.batchConfig(),
      onChange: () => this.scheduleRender(),
      announce: (message) => this.announce(message),
    });
    this.batch = batch;
    for (const item of restored.items) void this.loadThumb(item);
    batch.restore(restored.items);
    if (restored.items.length) this.announce(`Restored ${restored.items.length} items from your last visit.`);
  }

  private batchConfig(): BatchConfig {
    const s = this.settings;
    const roles = rolesFor(s);
    const load = { preset: s.preset, overrides: s.overrides, roles, device: s.device };
    return {
      load,
      options: (pinned) => captionOptions(s, pinned),
      key: JSON.stringify([load, s.source]),
    };
  }

  private applySettings(next: AppSettings, persist = true): void {
    const sourceChanged = JSON.stringify(next.source) !== JSON.stringify(this.settings.source);
    this.settings = next;
    const query = settingsToUrl(next).toString();
    history.replaceState(null, '', query ? `?${query}` : location.pathname);
    if (sourceChanged) {
      // The source is fixed per worker: a new captioner, the running item goes back to the queue.
      this.batch?.interrupt();
      this.captioner.dispose();
      this.captioner = this.newCaptioner();
    }
    if (persist) void this.batch?.saveSettings(query);
    this.batch?.settingsChanged();
    void this.refreshPlans();
  }

  /** Plans every preset under the current mode and device (the menu shows each figure). */
  private async refreshPlans(): Promise<void> {
    if (!this.device) return;
    const run = ++this.planRun;
    const s = this.settings;
    const roles = rolesFor(s);
    const entries = await Promise.all(
      Object.values(PRESETS).map(async (p): Promise<[PresetId, PlanState]> => {
        const overrides = p.id === s.preset ? s.overrides : {};
        try {
          const plan = await this.captioner.plan({
            preset: p.id,
            overrides,
            roles,
            device: s.device,
            ocr: s.mode === 'capflow',
          });
          return [p.id, { kind: 'plan', plan }];
        } catch {
          return [p.id, { kind: 'pending' }];
        }
      }),
    );
    if (run === this.planRun) this.plans = new Map(entries);
  }

  private announce(message: string, visible = false): void {
    // Re-setting the same text would not be announced again; a trailing space changes it.
    this.announcement = this.announcement === message ? `${message} ` : message;
    if (visible) this.notice = message;
  }

  private lastModelsPhase = 'idle';

  override willUpdate(): void {
    // Once models are loaded, what is on this device changed: re-plan so the figures stay true.
    const phase = this.batch?.models.phase ?? 'idle';
    if (phase !== this.lastModelsPhase && phase === 'ready') void this.refreshPlans();
    this.lastModelsPhase = phase;
  }

  // ---- adding work ------------------------------------------------------------------------------

  private async addFiles(files: readonly PickedFile[]): Promise<void> {
    await this.sessionReady;
    if (!this.batch || files.length === 0) return;
    const before = new Set(this.batch.items.map((i) => i.id));
    await this.batch.add(files);
    for (const item of this.batch.items) if (!before.has(item.id)) void this.loadThumb(item);
  }

  private async loadThumb(item: SessionItem): Promise<void> {
    if (item.status === 'refused' || this.thumbs.has(item.id) || !this.batch) return;
    const blob = await this.batch.image(item);
    if (!blob) return;
    this.thumbs.set(item.id, URL.createObjectURL(blob));
    this.requestUpdate();
  }

  private readonly onPick = (event: Event): void => {
    const input = event.target;
    if (!(input instanceof HTMLInputElement) || !input.files) return;
    void this.addFiles(filesFromInput(input.files));
    input.value = '';
  };

  private readonly onDrop = (event: DragEvent): void => {
    event.preventDefault();
    this.dragging = false;
    if (event.dataTransfer) void filesFromDrop(event.dataTransfer).then((files) => this.addFiles(files));
  };

  private readonly onDragOver = (event: DragEvent): void => {
    if (!event.dataTransfer?.types.includes('Files')) return;
    event.preventDefault();
    this.dragging = true;
  };

  private readonly onPaste = (event: ClipboardEvent): void => {
    const target = event.composedPath()[0];
    // Pasting text into a caption or a setting is editing, not adding work.
    if (target instanceof HTMLTextAreaElement || target instanceof HTMLInputElement) return;
    if (event.clipboardData?.files.length) {
      event.preventDefault();
      void this.addFiles(filesFromClipboard(event.clipboardData));
    }
  };

  private readonly onBeforeUnload = (event: BeforeUnloadEvent): void => {
    if (!this.batch?.busy) return;
    // Work in progress is kept, but what is running would start over: ask first.
    event.preventDefault();
    event.returnValue = '';
  };

  private pick(kind: 'files' | 'folder'): void {
    this.renderRoot.querySelector<HTMLInputElement>(`input[data-pick="${kind}"]`)?.click();
  }

  // ---- item and model actions -------------------------------------------------------------------

  private readonly onItemAction = (event: CustomEvent<ItemActionDetail>): void => {
    const batch = this.batch;
    const { id, action } = event.detail;
    if (!batch) return;
    switch (action.kind) {
      case 'cancel':
        return batch.cancel(id);
      case 'retry':
        return batch.retry(id);
      case 'rerun':
        return batch.rerun(id, action.domain);
      case 'edit':
        return batch.edit(id, action.text);
      case 'remove': {
        const url = this.thumbs.get(id);
        if (url) URL.revokeObjectURL(url);
        this.thumbs.delete(id);
        void batch.remove([id]);
        return;
      }
      case 'copy': {
        const item = batch.items.find((i) => i.id === id);
        const text = item ? finalCaption(item) : null;
        if (text !== null && item)
          void navigator.clipboard.writeText(text).then(
            () => this.announce(`Copied the caption of ${item.name}.`, true),
            (err: unknown) => this.announce(`Could not copy: ${errorMessage(err)}`, true),
          );
        return;
      }
    }
  };

  private readonly onModelAction = (event: CustomEvent<ModelAction>): void => {
    const action = event.detail;
    switch (action.kind) {
      case 'retry':
        return this.batch?.resume();
      case 'mirror':
        this.panel = 'settings';
        return void this.updateComplete.then(() =>
          this.renderRoot
            .querySelector('mc-settings')
            ?.shadowRoot?.querySelector<HTMLInputElement>('[data-testid="use-mirror"]')
            ?.focus(),
        );
      case 'import':
      case 'storage': {
        const panel = this.renderRoot.querySelector<McCachePanel>('mc-cache-panel');
        panel?.open(action.kind === 'import');
        return;
      }
      case 'preset':
        if (isPresetId(action.id)) this.applySettings({ ...this.settings, preset: action.id, overrides: {} });
        this.batch?.resume();
        return;
    }
  };

  private readonly onImported = (event: CustomEvent<string>): void => {
    this.applySettings({
      ...this.settings,
      overrides: { ...this.settings.overrides, vlm: { kind: 'imported', repo: event.detail } },
    });
    this.announce(`Imported ${event.detail}; it is now the vision-language model.`, true);
    this.batch?.resume();
  };

  /** Presets whose every file is on this device (offered when the host cannot be reached). */
  private cachedPresets(): PresetChoice[] {
    return Object.values(PRESETS).flatMap((p) => {
      const state = this.plans.get(p.id);
      const cached =
        state?.kind === 'plan' &&
        state.plan.roles.every((r) => r.sharedWith || (r.files.length > 0 && r.files.every((f) => f.cached)));
      return cached && p.id !== this.settings.preset ? [{ id: p.id, label: p.label }] : [];
    });
  }

  private renderQueued = false;

  /**
   * Renders at most once per frame: a small model streams thousands of
   * tokens a second, and a render per token would leave the page behind
   * the worker (a cancel would then take effect on screen seconds late).
   */
  private scheduleRender(): void {
    if (this.renderQueued) return;
    this.renderQueued = true;
    requestAnimationFrame(() => {
      this.renderQueued = false;
      this.requestUpdate();
    });
  }

  private toggleWide(id: string, open: boolean): void {
    if (open) this.wide.add(id);
    else this.wide.delete(id);
    this.requestUpdate();
  }

  // ---- keyboard navigation of the items -------------------------------------------------------------

  private readonly onGridKey = (event: KeyboardEvent): void => {
    const items = this.batch?.items ?? [];
    const cards = [...this.renderRoot.querySelectorAll<HTMLElement>('li[data-id]')];
    const current = cards.findIndex((c) => c === event.target);
    if (current < 0 || items.length === 0) return;
    const columns = Math.max(1, Math.round((cards[0]?.parentElement?.clientWidth ?? 1) / (cards[0]?.clientWidth || 1)));
    const moves: Record<string, number> = {
      ArrowRight: 1,
      ArrowLeft: -1,
      ArrowDown: columns,
      ArrowUp: -columns,
      Home: -current,
      End: cards.length - 1 - current,
    };
    const move = moves[event.key];
    if (move === undefined) return;
    event.preventDefault();
    const next = cards[Math.min(cards.length - 1, Math.max(0, current + move))];
    this.focusId = next?.dataset.id ?? null;
    this.requestUpdate();
    next?.focus();
  };

  // ---- rendering ----------------------------------------------------------------------------------

  override render() {
    const batch = this.batch;
    const items = batch?.items ?? [];
    return html`
      <header class="masthead">
        <div class="brand">
          <img src="${import.meta.env.BASE_URL}icon.svg" alt="" width="40" height="40" />
          <div>
            <h1>MetaCaptioner</h1>
            <p class="tagline">Rich captions made on your own device. Nothing you add is uploaded.</p>
          </div>
        </div>
        <p class="device" data-testid="device">
          ${this.device ? describeDevice(this.device) : 'Checking this device…'}
        </p>
      </header>
      <main
        @dragover=${this.onDragOver}
        @dragleave=${(e: DragEvent) => e.relatedTarget === null && (this.dragging = false)}
        @drop=${this.onDrop}
        class=${this.dragging ? 'dragging' : ''}
      >
        ${this.renderToolbar(items)}
        <mc-model-status
          .models=${batch?.models ?? { phase: 'idle' }}
          .cachedPresets=${this.cachedPresets()}
          @model-action=${this.onModelAction}
        ></mc-model-status>
        ${
          this.notice
            ? html`<p class="notice" data-testid="notice">
                ${this.notice}
                <button class="quiet" aria-label="Dismiss the notice" @click=${() => (this.notice = '')}>✕</button>
              </p>`
            : nothing
        }
        <section id="settings-panel" class="panel" aria-label="Settings" ?hidden=${this.panel !== 'settings'}>
          <mc-settings
            .settings=${this.settings}
            .plans=${this.plans}
            @settings-change=${(e: CustomEvent<AppSettings>) => this.applySettings(e.detail)}
          ></mc-settings>
        </section>
        <section id="export-panel" class="panel" aria-label="Export" ?hidden=${this.panel !== 'export'}>
          <mc-export .items=${items}></mc-export>
        </section>
        ${items.length ? this.renderGrid(items) : this.renderEmpty()}
      </main>
      <footer>
        <p class="muted">
          Your images, captions and edits stay in this browser (images up to
          ${formatBytes(batch?.budget ?? SESSION_IMAGE_BUDGET)} per session). Models are downloaded once and kept on
          this device.
        </p>
        <mc-cache-panel .captioner=${this.captioner} @model-imported=${this.onImported}></mc-cache-panel>
      </footer>
      <div class="visually-hidden" role="status" aria-live="polite" data-testid="announcer">${this.announcement}</div>
    `;
  }

  private renderToolbar(items: readonly SessionItem[]) {
    const counts = countItems(items);
    const finished = counts.done + counts.failed + counts.cancelled;
    const eta = formatEta(etaMs(this.batch?.measured ?? [], counts.pending));
    const toggle = (panel: Exclude<Panel, null>) => (this.panel = this.panel === panel ? null : panel);
    return html`<div class="toolbar">
      <div class="group">
        <button class="primary" data-testid="add-files" @click=${() => this.pick('files')}>Add images</button>
        <button data-testid="add-folder" @click=${() => this.pick('folder')}>Add a folder</button>
        <input
          type="file"
          hidden
          multiple
          accept="image/*"
          data-pick="files"
          data-testid="file-input"
          @change=${this.onPick}
        />
        <input
          type="file"
          hidden
          multiple
          webkitdirectory
          data-pick="folder"
          data-testid="folder-input"
          @change=${this.onPick}
        />
        <button
          aria-expanded=${this.panel === 'settings'}
          aria-controls="settings-panel"
          data-testid="settings-toggle"
          @click=${() => toggle('settings')}
        >
          Settings
        </button>
        <button
          aria-expanded=${this.panel === 'export'}
          aria-controls="export-panel"
          data-testid="export-toggle"
          @click=${() => toggle('export')}
        >
          Export
        </button>
      </div>
      ${
        counts.total
          ? html`<div class="overall">
                <progress
                  max=${counts.total}
                  value=${finished}
                  aria-label="Batch progress"
                  aria-valuetext="${counts.done} of ${counts.total} done, ${counts.failed} failed"
                ></progress>
                <span data-testid="counts">${countsText(counts, eta)}</span>
              </div>
              <div class="group">
                <button
                  data-testid="cancel-all"
                  ?disabled=${counts.pending === 0}
                  @click=${() => this.batch?.cancelAll()}
                >
                  Cancel all
                </button>
                <button
                  data-testid="retry-failed"
                  ?disabled=${counts.failed === 0}
                  @click=${() => this.batch?.retryFailed()}
                >
                  Retry failed
                </button>
                ${
                  this.confirmClear
                    ? html`<button class="danger" data-testid="confirm-clear" @click=${this.clearSession}>
                          Clear ${items.length} items
                        </button>
                        <button @click=${() => (this.confirmClear = false)}>Keep</button>`
                    : html`<button class="quiet" data-testid="clear-session" @click=${() => (this.confirmClear = true)}>
                        Clear session
                      </button>`
                }
              </div>`
          : nothing
      }
    </div>`;
  }

  private readonly clearSession = async (): Promise<void> => {
    this.confirmClear = false;
    for (const url of this.thumbs.values()) URL.revokeObjectURL(url);
    this.thumbs.clear();
    await this.batch?.clear();
    this.announce('The session was cleared.');
  };

  private renderEmpty() {
    const state = this.plans.get(this.settings.preset);
    const plan = state?.kind === 'plan' ? state.plan : null;
    return html`<section class="empty" aria-labelledby="empty-title">
      <h2 id="empty-title">Drop images or folders here</h2>
      <p>…or add them with the buttons above, or paste an image. PNG, JPEG, WebP, GIF, AVIF and BMP.</p>
      <p class="muted" data-testid="plan-summary">
        ${PRESETS[this.settings.preset].label} models: ${planLabel(plan)}${plan ? ` (on ${plan.device})` : ''}.
        <button class="linkish" @click=${() => (this.panel = 'settings')}>See the details</button>
      </p>
    </section>`;
  }

  private renderGrid(items: readonly SessionItem[]) {
    const batch = this.batch;
    const focusId = items.some((i) => i.id === this.focusId) ? this.focusId : (items[0]?.id ?? null);
    return html`<h2 class="visually-hidden">Images in this session</h2>
      <ol class="grid" aria-label="Images in this session" @keydown=${this.onGridKey} @item-action=${this.onItemAction}>
        ${items.map(
          (item) =>
            html`<li
              aria-label="${item.name}, ${statusText(item)}"
              data-id=${item.id}
              data-status=${item.status}
              class=${this.wide.has(item.id) ? 'wide' : ''}
              tabindex=${item.id === focusId ? 0 : -1}
              @focus=${() => (this.focusId = item.id)}
              @trace-toggle=${(e: CustomEvent<boolean>) => this.toggleWide(item.id, e.detail)}
            >
              <mc-item
                .item=${item}
                .live=${batch?.live.get(item.id)}
                .thumb=${this.thumbs.get(item.id) ?? ''}
              ></mc-item>
            </li>`,
        )}
      </ol>`;
  }
}

if (!customElements.get('mc-app')) customElements.define('mc-app', McApp);

declare global {
  interface HTMLElementTagNameMap {
    'mc-app': McApp;
  }
}
