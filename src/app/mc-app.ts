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
import { countItems, etaMs, formatEta } from '../session/progress';
import { DEFAULT_VIEW, type ItemView, viewItems } from '../session/curate';
import { MemorySessionStore, SESSION_IMAGE_BUDGET, type SessionStorage, SessionStore } from '../session/store';
import { type DeviceInfo, describeDevice, describeDeviceDetail, deviceWord } from '../shared/device';
import { DEFAULT_PRESET_ID, PRESETS, type PresetId } from '../shared/presets';
import type { FitReport } from '../shared/api';
import type { PickedFile } from './file-intake';
import { errorMessage, formatBytes } from './format';
import { appStyles } from './mc-app.styles';
import type { McCachePanel } from './mc-cache-panel';
import './mc-cache-panel';
import './mc-export';
import { type ItemActionDetail } from './mc-item';
import './mc-queue';
import type { SelectDetail } from './mc-queue';
import './mc-curate';
import type { CurateAction, Layout } from './mc-curate';
import './mc-toolbar';
import { type BatchAction, type Panel, canPickFolders, isTouchOnly } from './mc-toolbar';
import type { ModelAction } from './mc-model-status';
import './mc-model-status';
import { planLabel } from './mc-plan';
import { type PlanState, cachedPresets, planPresets } from './preset-plans';
import { frameScheduler } from './frame-render';
import { PageIntake } from './page-intake';
import { Thumbnails } from './thumbnails';
import './mc-settings';
import {
  type AppSettings,
  captionOptions,
  videoSamplingOf,
  isPresetId,
  rolesFor,
  settingsFromUrl,
  urlSettingNotice,
  settingsToUrl,
  urlHasSettings,
} from './settings';

/** `text` ended as a sentence: a full stop, unless it already ends with an ellipsis. */
const sentence = (text: string) => (text.endsWith('…') ? text : `${text}.`);

/** `<mc-app>`: the whole single-page app. */
export class McApp extends LitElement {
  static override styles = appStyles;

  static override properties = {
    device: { state: true },
    settings: { state: true },
    plans: { state: true },
    fit: { state: true },
    panel: { state: true },
    announcement: { state: true },
    notice: { state: true },
    batch: { state: true },
    view: { state: true },
    layout: { state: true },
    selected: { state: true },
  };

  declare device: DeviceInfo | null;
  declare settings: AppSettings;
  declare plans: ReadonlyMap<PresetId, PlanState>;
  /** Which tiers fit this device and the one `auto` takes; null until the worker answers. */
  declare fit: FitReport | null;
  /** Tiers the user chose in the settings although they do not fit, after confirming (this visit only). */
  private readonly confirmedTiers = new Set<PresetId>();
  declare panel: Panel | null;
  declare announcement: string;
  declare notice: string;
  /** Null until the session store is open. */
  declare batch: Batch | null;
  /** Which items are shown, in what order. */
  declare view: ItemView;
  declare layout: Layout;
  /** Selected item ids. */
  declare selected: ReadonlySet<string>;

  private captioner: Captioner;
  private readonly scheduleRender = frameScheduler(this);
  private readonly intake = new PageIntake(this);
  private readonly thumbs = new Thumbnails(() => this.scheduleRender());
  private planRun = 0;
  /** Settles once the batch exists; files added before that wait for it. */
  private sessionReady: Promise<void> = Promise.resolve();

  constructor() {
    super();
    const params = new URLSearchParams(location.search);
    this.settings = settingsFromUrl(params);
    this.device = null;
    this.plans = new Map();
    this.fit = null;
    this.panel = null;
    this.announcement = '';
    // A mistyped link is said, never quietly replaced by the defaults.
    this.notice = urlSettingNotice(params);
    this.batch = null;
    this.view = DEFAULT_VIEW;
    this.layout = 'cards';
    this.selected = new Set();
    this.captioner = this.newCaptioner();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.captioner.probe().then(
      (info) => {
        this.device = info;
        void this.refreshPlans();
      },
      (err: unknown) => (this.notice = errorMessage(err)),
    );
    this.sessionReady = this.openSession();
    this.addEventListener('keydown', this.onKeydown);
  }

  override firstUpdated(): void {
    // The sticky toolbar must not cover what gets focus or is scrolled to: the page's scroll padding
    // follows its height (it wraps on narrow screens, and is not sticky on phones).
    const toolbar = this.renderRoot.querySelector('mc-toolbar');
    if (!toolbar) return;
    this.toolbarSize.observe(toolbar);
  }

  private readonly toolbarSize = new ResizeObserver(([entry]) => {
    const toolbar = entry?.target;
    const sticky = toolbar instanceof HTMLElement && getComputedStyle(toolbar).position === 'sticky';
    document.documentElement.style.scrollPaddingTop = sticky ? `${Math.ceil(toolbar.offsetHeight) + 8}px` : '';
  });

  /** Escape closes the open panel and puts focus back on the button that opened it. */
  private readonly onKeydown = (event: KeyboardEvent): void => {
    if (event.key !== 'Escape' || !this.panel || event.defaultPrevented) return;
    const panel = this.panel;
    this.panel = null;
    void this.updateComplete.then(() =>
      this.renderRoot
        .querySelector('mc-toolbar')
        ?.shadowRoot?.querySelector<HTMLElement>(`[data-testid="${panel}-toggle"]`)
        ?.focus(),
    );
  };

  override disconnectedCallback(): void {
    this.toolbarSize.disconnect();
    super.disconnectedCallback();
    this.captioner.dispose();
    this.thumbs.clear();
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
    const restored = await store.restore().catch((err: unknown) => {
      // Said, never an empty page: the stored session is left as it is, and new work is kept beside it.
      this.notice = `Your last session could not be restored (${errorMessage(err)}). It is still stored on this device; new work is kept beside it.`;
      return { items: [], settings: null };
    });
    // A URL that names settings wins (a shared link) and is remembered for the next visit, as
    // settings changed on the page are; otherwise the settings of the last visit.
    const fromUrl = urlHasSettings(new URLSearchParams(location.search));
    if (fromUrl) {
      await store.saveSettings(settingsToUrl(this.settings).toString()).catch((err: unknown) => {
        this.notice = `The settings of this link could not be kept for your next visit (${errorMessage(err)}).`;
      });
    } else if (typeof restored.settings === 'string') {
      this.applySettings(settingsFromUrl(new URLSearchParams(restored.settings)), false);
    }
    const batch = new Batch({
      captioner: () => this.captioner,
      store,
      config: () => this.batchConfig(),
      onChange: () => this.scheduleRender(),
      announce: (message, visible) => this.announce(message, visible),
    });
    this.batch = batch;
    for (const item of restored.items) void this.thumbs.load(batch, item);
    batch.restore(restored.items);
    if (restored.items.length) this.announce(`Restored ${restored.items.length} items from your last visit.`);
  }

  private batchConfig(): BatchConfig {
    const s = this.settings;
    const roles = rolesFor(s);
    // `auto` goes to the library as it is: it asks the worker which tier fits when the models load.
    const tier = this.tier();
    const load = {
      preset: s.preset,
      overrides: s.overrides,
      roles,
      device: s.device,
      ...(s.preset !== 'auto' && this.confirmedTiers.has(tier) && { allowTooSmall: true }),
    };
    return {
      load,
      options: (pinned) => captionOptions(s, pinned),
      video: videoSamplingOf(s),
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

  /** The tier the settings mean: the chosen one, or the one `auto` takes on this device (balanced until known). */
  private tier(): PresetId {
    const s = this.settings;
    if (s.preset !== 'auto') return s.preset;
    // With a VLM of one's own, `auto` is the default tier (the library does the same).
    return s.overrides.vlm ? DEFAULT_PRESET_ID : (this.fit?.auto.tier ?? DEFAULT_PRESET_ID);
  }

  /** Plans every preset under the current mode and device (the menu shows each figure). */
  private async refreshPlans(): Promise<void> {
    // The settings of the last visit come first: planning the defaults would probe a host nobody chose.
    await this.sessionReady;
    if (!this.device) return;
    const run = ++this.planRun;
    // Marked on the host so a test (or an embedder) can wait for the probes to end before going offline.
    this.toggleAttribute('data-planning', true);
    const fit = await this.captioner.fit(this.settings.device).catch(() => null);
    const autoTier = this.settings.overrides.vlm ? DEFAULT_PRESET_ID : (fit?.auto.tier ?? DEFAULT_PRESET_ID);
    const plans = await planPresets(this.captioner, this.settings, autoTier);
    if (run !== this.planRun) return;
    this.fit = fit;
    this.plans = plans;
    this.toggleAttribute('data-planning', false);
    this.setAttribute('data-plans', 'settled');
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

  /** True while work waits or runs. */
  get busy(): boolean {
    return this.batch?.busy ?? false;
  }

  // ---- adding work ------------------------------------------------------------------------------

  /** Adds files to the batch (once the session is open). */
  async addFiles(files: readonly PickedFile[]): Promise<void> {
    await this.sessionReady;
    if (!this.batch || files.length === 0) return;
    const batch = this.batch;
    const before = new Set(batch.items.map((i) => i.id));
    await batch.add(files);
    for (const item of batch.items) if (!before.has(item.id)) void this.thumbs.load(batch, item);
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
        return batch.rerun([id], action.domain);
      case 'revert':
        return batch.revert(id);
      case 'use-version':
        return batch.useVersion(id, action.index);
      case 'keep-duplicate':
        return batch.keepDuplicate(id);
      case 'edit':
        return batch.edit(id, action.text);
      case 'remove':
        return this.removeItems([id]);
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

  private removeItems(ids: readonly string[]): void {
    for (const id of ids) this.thumbs.drop(id);
    this.selected = new Set([...this.selected].filter((id) => !ids.includes(id)));
    void this.batch?.remove(ids);
  }

  private readonly onSelect = (event: CustomEvent<SelectDetail>): void => {
    const next = new Set(this.selected);
    for (const id of event.detail.ids) {
      if (event.detail.selected) next.add(id);
      else next.delete(id);
    }
    this.selected = next;
  };

  private readonly onCurate = (event: CustomEvent<CurateAction>): void => {
    const batch = this.batch;
    if (!batch) return;
    const shown = viewItems(batch.items, this.view);
    const chosen = shown.filter((i) => this.selected.has(i.id)).map((i) => i.id);
    const action = event.detail;
    switch (action.kind) {
      case 'select-all':
        this.selected = new Set([...this.selected, ...shown.map((i) => i.id)]);
        return;
      case 'clear-selection':
        this.selected = new Set();
        return;
      case 'recaption':
        batch.rerun(chosen, null);
        this.announce(`Re-captioning ${chosen.length} items with the current settings.`, true);
        return;
      case 'remove':
        return this.removeItems(chosen);
      case 'apply-edits':
        return batch.applyEdits(action.edits);
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
        <p class="device" data-testid="device" title=${this.device ? describeDeviceDetail(this.device) : nothing}>
          ${this.device ? describeDevice(this.device, this.settings.device) : 'Checking this device…'}
        </p>
      </header>
      <main
        @dragover=${this.intake.onDragOver}
        @dragleave=${this.intake.onDragLeave}
        @drop=${this.intake.onDrop}
        class=${this.intake.dragging ? 'dragging' : ''}
      >
        ${this.renderToolbar(items)}
        <mc-model-status
          .models=${batch?.models ?? { phase: 'idle' }}
          .cachedPresets=${cachedPresets(this.plans, this.tier())}
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
            .fit=${this.fit}
            @settings-change=${(e: CustomEvent<AppSettings>) => this.applySettings(e.detail)}
            @tier-confirmed=${(e: CustomEvent<PresetId>) => this.confirmedTiers.add(e.detail)}
          ></mc-settings>
        </section>
        <section id="export-panel" class="panel" aria-label="Export" ?hidden=${this.panel !== 'export'}>
          <mc-export .items=${items} .image=${batch ? (item: SessionItem) => batch.image(item) : null}></mc-export>
        </section>
        ${items.length ? this.renderGrid(items) : this.renderEmpty()}
      </main>
      <footer>
        <p class="muted">
          Your images, videos, captions and edits stay in this browser (files up to
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
    return html`<mc-toolbar
      .counts=${counts}
      .eta=${formatEta(etaMs(this.batch?.measured ?? [], counts.pending))}
      .panel=${this.panel}
      .items=${items.length}
      .paused=${this.batch?.paused ?? false}
      @files-picked=${(e: CustomEvent<PickedFile[]>) => void this.addFiles(e.detail)}
      @panel-toggle=${(e: CustomEvent<Panel | null>) => (this.panel = e.detail)}
      @batch-action=${this.onBatchAction}
    ></mc-toolbar>`;
  }

  private readonly onBatchAction = (event: CustomEvent<BatchAction>): void => {
    const action = event.detail;
    if (action === 'cancel-all') this.batch?.cancelAll();
    else if (action === 'retry-failed') this.batch?.retryFailed();
    else if (action === 'pause' || action === 'resume') this.batch?.setPaused(action === 'pause');
    else void this.clearSession();
  };

  private readonly clearSession = async (): Promise<void> => {
    this.thumbs.clear();
    await this.batch?.clear();
    this.announce('The session was cleared.');
  };

  private renderEmpty() {
    const state = this.plans.get(this.tier());
    const plan = state?.kind === 'plan' ? state.plan : null;
    // Nothing is dropped on a phone, and most mobile browsers cannot pick a folder: said only where it works.
    const touch = isTouchOnly();
    const folders = canPickFolders();
    return html`<section class="empty" aria-labelledby="empty-title">
      <h2 id="empty-title">
        ${touch ? 'Add images or videos' : `Drop images, videos${folders ? ' or folders' : ''} here`}
      </h2>
      <p>
        ${touch ? 'Use Add files above.' : '…or add them with the buttons above, or paste an image.'} PNG, JPEG, WebP,
        GIF, AVIF and BMP images; MP4, MOV and WebM/MKV videos (their frames are sampled on this device).
      </p>
      <p class="muted" data-testid="plan-summary">
        ${PRESETS[this.tier()].label} models:
        ${sentence(`${planLabel(state)}${plan ? ` (on ${deviceWord(plan.device)})` : ''}`)}
        <button class="linkish" @click=${() => (this.panel = 'settings')}>See the details</button>
      </p>
    </section>`;
  }

  private renderGrid(items: readonly SessionItem[]) {
    const shown = viewItems(items, this.view);
    return html`<mc-curate
        .items=${items}
        .shown=${shown}
        .selected=${this.selected}
        .view=${this.view}
        .layout=${this.layout}
        @view-change=${(e: CustomEvent<ItemView>) => (this.view = e.detail)}
        @layout-change=${(e: CustomEvent<Layout>) => (this.layout = e.detail)}
        @curate-action=${this.onCurate}
      ></mc-curate>
      <mc-queue
        .items=${shown}
        .live=${new Map(this.batch?.live)}
        .thumbs=${this.thumbs.snapshot()}
        .selected=${this.selected}
        .layout=${this.layout}
        @item-action=${this.onItemAction}
        @select-items=${this.onSelect}
      ></mc-queue>`;
  }
}

if (!customElements.get('mc-app')) customElements.define('mc-app', McApp);

declare global {
  interface HTMLElementTagNameMap {
    'mc-app': McApp;
  }
}
