/**
 * The page: shows the device found, loads a model with visible progress,
 * and captions the images the user drops or picks, streaming each caption
 * into an editable field. All work happens in the captioner worker.
 */
import { LitElement, html, nothing } from 'lit';
import { type Captioner, createCaptioner } from '../client/captioner';
import type { LoadReport } from '../shared/api';
import { type DeviceInfo, describeDevice } from '../shared/device';
import type { CaptionEvent } from '../shared/events';
import { isCaptionerError } from '../shared/errors';
import { PRESETS, type PresetId, presetBytes } from '../shared/presets';
import { errorMessage, formatBytes } from './format';
import { appStyles } from './mc-app.styles';
import './mc-cache-panel';
import { type AppSettings, settingsFromUrl, settingsToUrl } from './settings';

/** One picked image and what became of it. */
interface Item {
  readonly id: number;
  readonly file: File;
  readonly url: string;
  status: 'queued' | 'captioning' | 'done' | 'error' | 'cancelled';
  jobId: string;
  caption: string;
  detail: string;
}

type LoadState =
  | { readonly phase: 'idle' }
  | { readonly phase: 'loading'; readonly loaded: number; readonly total: number; readonly file: string }
  | { readonly phase: 'ready'; readonly report: LoadReport }
  | { readonly phase: 'failed' };

/** `<mc-app>`: the whole single-page app. */
export class McApp extends LitElement {
  static override styles = appStyles;

  static override properties = {
    device: { state: true },
    load: { state: true },
    items: { state: true },
    error: { state: true },
    notice: { state: true },
  };

  declare device: DeviceInfo | null;
  declare load: LoadState;
  declare items: readonly Item[];
  declare error: string;
  declare notice: string;

  private settings: AppSettings = settingsFromUrl(new URLSearchParams(location.search));
  private loadAbort: AbortController | null = null;
  private readonly captioner: Captioner = createCaptioner({
    source: this.settings.source,
    onEvent: (e) => e.type === 'notice' && (this.notice = e.message),
  });
  private nextId = 1;
  private queue: Promise<void> = Promise.resolve();

  constructor() {
    super();
    this.device = null;
    this.load = { phase: 'idle' };
    this.items = [];
    this.error = '';
    this.notice = '';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.captioner.probe().then(
      (info) => (this.device = info),
      (err: unknown) => (this.error = errorMessage(err)),
    );
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.captioner.dispose();
  }

  /** The VLM these settings load (the preset's, or the user's override). */
  private vlmLabel(): string {
    const override = this.settings.overrides.vlm;
    return override ? override.repo : PRESETS[this.settings.preset].vlm.repo;
  }

  private async loadModel(): Promise<void> {
    this.error = '';
    this.loadAbort = new AbortController();
    this.load = { phase: 'loading', loaded: 0, total: 0, file: '' };
    const onEvent = (e: CaptionEvent) => {
      if (e.type === 'download') this.load = { phase: 'loading', loaded: e.loadedAll, total: e.totalAll, file: e.file };
      if (e.type === 'cached' && this.load.phase === 'loading')
        this.load = { ...this.load, file: `${e.file} (cached)` };
    };
    try {
      const { preset, overrides, device } = this.settings;
      const roles = this.settings.mode === 'capflow' ? (['vlm', 'llm', 'router'] as const) : (['vlm'] as const);
      const report = await this.captioner.load({
        preset,
        overrides,
        roles,
        device,
        onEvent,
        signal: this.loadAbort.signal,
      });
      this.load = { phase: 'ready', report };
    } catch (err) {
      this.load = { phase: 'failed' };
      if (!isCaptionerError(err, 'CancelledError')) this.error = errorMessage(err);
    } finally {
      this.loadAbort = null;
    }
  }

  private readonly onImported = (event: CustomEvent<string>): void => {
    this.settings = {
      ...this.settings,
      overrides: { ...this.settings.overrides, vlm: { kind: 'imported', repo: event.detail } },
    };
    this.load = { phase: 'idle' };
    this.notice = `Imported ${event.detail}; it is now the VLM. Load it to caption offline.`;
  };

  private choosePreset(id: string): void {
    if (!Object.hasOwn(PRESETS, id)) return;
    this.settings = { ...this.settings, preset: id as PresetId, overrides: {} };
    history.replaceState(null, '', `?${settingsToUrl(this.settings)}`);
    this.load = { phase: 'idle' };
  }

  private addFiles(files: Iterable<File>): void {
    const added: Item[] = [];
    for (const file of files) {
      if (!file.type.startsWith('image/')) {
        this.error = `"${file.name}" is not an image (${file.type || 'unknown type'}); it was skipped.`;
        continue;
      }
      const id = this.nextId++;
      added.push({
        id,
        jobId: `item-${id}`,
        file,
        url: URL.createObjectURL(file),
        status: 'queued',
        caption: '',
        detail: '',
      });
    }
    this.items = [...this.items, ...added];
    for (const item of added) this.queue = this.queue.then(() => this.captionItem(item));
  }

  private update_(item: Item, patch: Partial<Item>): void {
    Object.assign(item, patch);
    this.items = [...this.items];
  }

  private cancelItem(item: Item): void {
    this.captioner.cancel(item.jobId);
    this.update_(item, { status: 'cancelled', detail: 'Cancelled' });
  }

  private async captionItem(item: Item): Promise<void> {
    if (item.status === 'cancelled') return;
    if (this.load.phase !== 'ready') await this.loadModel();
    if (this.load.phase !== 'ready') return this.update_(item, { status: 'error', detail: 'no model loaded' });
    this.update_(item, { status: 'captioning', caption: '' });
    try {
      if (this.settings.mode === 'capflow') return await this.capflowItem(item);
      const result = await this.captioner.caption({
        jobId: item.jobId,
        image: item.file,
        name: item.file.name,
        onEvent: (e) => e.type === 'token' && this.update_(item, { caption: item.caption + e.text }),
      });
      this.update_(item, {
        status: 'done',
        caption: result.text,
        detail: `${result.tokens} tokens · ${(result.ms / 1000).toFixed(1)} s · ${result.device}`,
      });
    } catch (err) {
      if (isCaptionerError(err, 'CancelledError')) this.update_(item, { status: 'cancelled', detail: 'Cancelled' });
      else this.update_(item, { status: 'error', detail: errorMessage(err) });
    }
  }

  /** CapFlow: route, agents, summary, judge; the item shows each step as it finishes. */
  private async capflowItem(item: Item): Promise<void> {
    const record = await this.captioner.capflow({
      jobId: item.jobId,
      image: item.file,
      name: item.file.name,
      onEvent: (e) => e.type === 'agent-done' && this.update_(item, { detail: `${e.agent} done` }),
    });
    const judge = record.judge ? ` · judge ${record.judge.topOnAll ? 'top on all' : 'below top'}` : '';
    this.update_(item, {
      status: 'done',
      caption: record.caption,
      detail: `${record.domain?.label ?? 'no domain'} (${record.domain?.decidedBy ?? '—'}) · ${record.trace.length} steps · ${(record.totalMs / 1000).toFixed(1)} s${judge}`,
    });
  }

  private chooseMode(mode: string): void {
    this.settings = { ...this.settings, mode: mode === 'capflow' ? 'capflow' : 'caption' };
    history.replaceState(null, '', `?${settingsToUrl(this.settings)}`);
    this.load = { phase: 'idle' };
  }

  private onDrop(event: DragEvent): void {
    event.preventDefault();
    if (event.dataTransfer) this.addFiles(event.dataTransfer.files);
  }

  private onPick(event: Event): void {
    const input = event.target;
    if (input instanceof HTMLInputElement && input.files) this.addFiles(input.files);
    if (input instanceof HTMLInputElement) input.value = '';
  }

  override render() {
    return html`
      <header>
        <h1>MetaCaptioner</h1>
        <p class="device" data-testid="device">${this.device ? describeDevice(this.device) : 'Probing device…'}</p>
      </header>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      ${this.notice ? html`<p class="notice" role="status">${this.notice}</p>` : nothing}
      <section class="model">
        <label
          >Preset
          <select
            data-testid="preset"
            @change=${(e: Event) => e.target instanceof HTMLSelectElement && this.choosePreset(e.target.value)}
          >
            ${Object.values(PRESETS).map(
              (p) =>
                html`<option value=${p.id} ?selected=${p.id === this.settings.preset}>
                  ${p.label} (~${formatBytes(presetBytes(p))})
                </option>`,
            )}
          </select>
        </label>
        <label
          >Mode
          <select
            data-testid="mode"
            @change=${(e: Event) => e.target instanceof HTMLSelectElement && this.chooseMode(e.target.value)}
          >
            <option value="caption" ?selected=${this.settings.mode === 'caption'}>Quick caption (one pass)</option>
            <option value="capflow" ?selected=${this.settings.mode === 'capflow'}>
              CapFlow (agents + summary + judge)
            </option>
          </select>
        </label>
        <span>VLM: <code data-testid="vlm">${this.vlmLabel()}</code></span>
        ${this.renderLoad()}
      </section>
      <mc-cache-panel .captioner=${this.captioner} @model-imported=${this.onImported}></mc-cache-panel>
      <label class="drop" @dragover=${(e: DragEvent) => e.preventDefault()} @drop=${this.onDrop}>
        Drop images here or <u>choose files</u>
        <input type="file" accept="image/*" multiple @change=${this.onPick} data-testid="file-input" />
      </label>
      <ul class="items">
        ${this.items.map(
          (item) =>
            html`<li data-status=${item.status}>
              <img src=${item.url} alt="" />
              <div>
                <strong>${item.file.name}</strong>
                <textarea
                  aria-label="Caption of ${item.file.name}"
                  data-testid="caption"
                  .value=${item.caption}
                  @input=${(e: InputEvent) =>
                    e.target instanceof HTMLTextAreaElement && this.update_(item, { caption: e.target.value })}
                ></textarea>
                <small
                  >${
                    item.status === 'captioning' || item.status === 'queued'
                      ? html`${item.status === 'queued' ? 'Waiting…' : 'Captioning…'}
                          <button @click=${() => this.cancelItem(item)} data-testid="cancel">Cancel</button>`
                      : item.detail
                  }</small
                >
              </div>
            </li>`,
        )}
      </ul>
    `;
  }

  private renderLoad() {
    const state = this.load;
    switch (state.phase) {
      case 'idle':
      case 'failed':
        return html`<button @click=${() => this.loadModel()} data-testid="load">Load model</button>`;
      case 'loading':
        return html`<progress max=${state.total || 1} value=${state.loaded}></progress>
          <span>${formatBytes(state.loaded)} / ${formatBytes(state.total)} ${state.file}</span>
          <button @click=${() => this.loadAbort?.abort()} data-testid="cancel-load">Cancel</button>`;
      case 'ready': {
        const ms = state.report.roles.reduce((sum, r) => sum + r.loadMs + r.compileMs, 0);
        const cached = state.report.roles.every((r) => r.fromCache);
        return html`<span data-testid="ready"
          >Ready on ${state.report.device} in ${(ms / 1000).toFixed(1)} s${cached ? ' (from cache)' : ''}</span
        >`;
      }
    }
  }
}

if (!customElements.get('mc-app')) customElements.define('mc-app', McApp);

declare global {
  interface HTMLElementTagNameMap {
    'mc-app': McApp;
  }
}
