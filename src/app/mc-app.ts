/**
 * The page: shows the device found, loads a model with visible progress,
 * and captions the images the user drops or picks, streaming each caption
 * into an editable field. All work happens in the captioner worker.
 */
import { LitElement, css, html, nothing } from 'lit';
import { type Captioner, createCaptioner } from '../client/captioner';
import type { LoadReport } from '../shared/api';
import { type DeviceInfo, describeDevice } from '../shared/device';
import type { CaptionEvent } from '../shared/events';
import { errorMessage, formatBytes } from './format';
import { type AppSettings, settingsFromUrl } from './settings';

/** One picked image and what became of it. */
interface Item {
  readonly id: number;
  readonly file: File;
  readonly url: string;
  status: 'queued' | 'captioning' | 'done' | 'error';
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
  static override properties = {
    device: { state: true },
    load: { state: true },
    items: { state: true },
    error: { state: true },
  };

  declare device: DeviceInfo | null;
  declare load: LoadState;
  declare items: readonly Item[];
  declare error: string;

  private readonly settings: AppSettings = settingsFromUrl(new URLSearchParams(location.search));
  private readonly captioner: Captioner = createCaptioner({ source: this.settings.source });
  private nextId = 1;
  private queue: Promise<void> = Promise.resolve();

  constructor() {
    super();
    this.device = null;
    this.load = { phase: 'idle' };
    this.items = [];
    this.error = '';
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

  private async loadModel(): Promise<void> {
    this.error = '';
    this.load = { phase: 'loading', loaded: 0, total: this.settings.vlm.approxBytes, file: '' };
    const onEvent = (e: CaptionEvent) => {
      if (e.type === 'download') this.load = { phase: 'loading', loaded: e.loadedAll, total: e.totalAll, file: e.file };
    };
    try {
      const report = await this.captioner.load(this.settings.vlm, { device: this.settings.device, onEvent });
      this.load = { phase: 'ready', report };
    } catch (err) {
      this.load = { phase: 'failed' };
      this.error = errorMessage(err);
    }
  }

  private addFiles(files: Iterable<File>): void {
    const added: Item[] = [];
    for (const file of files) {
      if (!file.type.startsWith('image/')) {
        this.error = `"${file.name}" is not an image (${file.type || 'unknown type'}); it was skipped.`;
        continue;
      }
      added.push({ id: this.nextId++, file, url: URL.createObjectURL(file), status: 'queued', caption: '', detail: '' });
    }
    this.items = [...this.items, ...added];
    for (const item of added) this.queue = this.queue.then(() => this.captionItem(item));
  }

  private update_(item: Item, patch: Partial<Item>): void {
    Object.assign(item, patch);
    this.items = [...this.items];
  }

  private async captionItem(item: Item): Promise<void> {
    if (this.load.phase !== 'ready') await this.loadModel();
    if (this.load.phase !== 'ready') return this.update_(item, { status: 'error', detail: 'no model loaded' });
    this.update_(item, { status: 'captioning', caption: '' });
    try {
      const result = await this.captioner.caption({
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
      this.update_(item, { status: 'error', detail: errorMessage(err) });
    }
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
        <p class="device" data-testid="device">
          ${this.device ? describeDevice(this.device) : 'Probing device…'}
        </p>
      </header>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      <section class="model">
        <span>Model: <code>${this.settings.vlm.repo}</code> (~${formatBytes(this.settings.vlm.approxBytes)})</span>
        ${this.renderLoad()}
      </section>
      <label class="drop" @dragover=${(e: DragEvent) => e.preventDefault()} @drop=${this.onDrop}>
        Drop images here or <u>choose files</u>
        <input type="file" accept="image/*" multiple @change=${this.onPick} data-testid="file-input" />
      </label>
      <ul class="items">
        ${this.items.map(
          (item) => html`<li data-status=${item.status}>
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
              <small>${item.status === 'captioning' ? 'Captioning…' : item.detail}</small>
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
          <span>${formatBytes(state.loaded)} / ${formatBytes(state.total)} ${state.file}</span>`;
      case 'ready':
        return html`<span data-testid="ready">Ready on ${state.report.device} in
          ${((state.report.loadMs + state.report.compileMs) / 1000).toFixed(1)} s</span>`;
    }
  }

  static override styles = css`
    :host { display: block; max-width: 60rem; margin: 0 auto; padding: 1rem; font: 16px/1.5 system-ui, sans-serif; }
    h1 { margin: 0; }
    .device { color: #555; margin: 0.25rem 0 1rem; }
    .error { background: #fde8e8; color: #8a1c1c; padding: 0.5rem 0.75rem; border-radius: 0.25rem; }
    .model { display: flex; gap: 1rem; align-items: center; flex-wrap: wrap; margin-bottom: 1rem; }
    .drop { display: block; border: 2px dashed #999; border-radius: 0.5rem; padding: 2rem; text-align: center; cursor: pointer; }
    .drop input { display: block; margin: 0.5rem auto 0; }
    .items { list-style: none; padding: 0; }
    .items li { display: flex; gap: 1rem; margin: 1rem 0; }
    .items img { width: 8rem; height: 8rem; object-fit: contain; background: #eee; }
    .items div { flex: 1; display: flex; flex-direction: column; }
    textarea { min-height: 5rem; font: inherit; }
    li[data-status='error'] small { color: #8a1c1c; }
  `;
}

if (!customElements.get('mc-app')) customElements.define('mc-app', McApp);

declare global {
  interface HTMLElementTagNameMap {
    'mc-app': McApp;
  }
}
