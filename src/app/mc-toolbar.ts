/**
 * `<mc-toolbar>`: the batch's toolbar — add images or a folder, open the
 * settings or the exports, the overall progress (done/failed/total and an
 * ETA), pause or resume the queue, cancel all, retry failed, and clear the
 * session (asked twice). Sticky where the screen has room. On a narrow
 * screen it is one row: the batch actions (and "Add a folder") move into a
 * "More" menu — a disclosure button, its items reached with Tab or the
 * arrow keys, Escape closing it with focus back on the button. Reports what
 * was chosen as events.
 */
import { LitElement, css, html, nothing } from 'lit';
import { type BatchCounts, countsText } from '../session/progress';
import { DisclosureMenu } from './disclosure-menu';
import { type PickedFile, filesFromInput } from './file-intake';
import { toolbarStyles } from './mc-toolbar.styles';

/** The panels the toolbar opens. */
export type Panel = 'settings' | 'export';

/** What the user asked of the whole batch. */
export type BatchAction = 'cancel-all' | 'retry-failed' | 'clear' | 'pause' | 'resume';

/** True where a folder can be picked (most mobile browsers cannot): feature-detected, never sniffed. */
export function canPickFolders(): boolean {
  return typeof HTMLInputElement !== 'undefined' && 'webkitdirectory' in HTMLInputElement.prototype;
}

/** True on a touch-only device (a phone, a tablet): nothing can be dragged onto the page there. */
export function isTouchOnly(): boolean {
  return typeof matchMedia === 'function' && matchMedia('(pointer: coarse) and (hover: none)').matches;
}

/** Below this width the toolbar is one row and the batch actions sit in the "More" menu. */
const NARROW = '(max-width: 48rem)';

/** The toolbar. */
export class McToolbar extends LitElement {
  static override properties = {
    counts: { attribute: false },
    eta: { attribute: false },
    panel: { attribute: false },
    items: { attribute: false },
    paused: { attribute: false },
    confirmClear: { state: true },
    narrow: { state: true },
  };

  declare counts: BatchCounts;
  declare eta: string;
  /** The open panel, if any. */
  declare panel: Panel | null;
  /** How many items a clear would remove. */
  declare items: number;
  /** True while the queue is paused. */
  declare paused: boolean;
  declare confirmClear: boolean;
  declare narrow: boolean;

  private readonly folders = canPickFolders();
  private readonly narrowQuery = typeof matchMedia === 'function' ? matchMedia(NARROW) : null;
  private readonly menu = new DisclosureMenu(this, {
    container: '.more',
    toggle: '[data-testid="more-toggle"]',
    menu: '#batch-menu',
  });

  constructor() {
    super();
    this.counts = { total: 0, done: 0, failed: 0, cancelled: 0, pending: 0, refused: 0, duplicates: 0 };
    this.eta = '';
    this.panel = null;
    this.items = 0;
    this.paused = false;
    this.confirmClear = false;
    this.narrow = this.narrowQuery?.matches ?? false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.narrowQuery?.addEventListener('change', this.onNarrow);
    this.narrow = this.narrowQuery?.matches ?? false;
  }

  override disconnectedCallback(): void {
    this.narrowQuery?.removeEventListener('change', this.onNarrow);
    super.disconnectedCallback();
  }

  private readonly onNarrow = (): void => {
    this.narrow = this.narrowQuery?.matches ?? false;
    this.menu.reset();
  };

  private emit<T>(type: string, detail: T): void {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }

  private readonly onPick = (event: Event): void => {
    const input = event.target;
    if (!(input instanceof HTMLInputElement) || !input.files) return;
    this.emit<PickedFile[]>('files-picked', filesFromInput(input.files));
    input.value = '';
  };

  private pick(kind: 'files' | 'folder'): void {
    this.renderRoot.querySelector<HTMLInputElement>(`input[data-pick="${kind}"]`)?.click();
    if (kind === 'folder') this.menu.close();
  }

  private focusOn(selector: string): void {
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>(selector)?.focus());
  }

  private batch(action: BatchAction): void {
    this.confirmClear = false;
    this.menu.close(true);
    this.emit<BatchAction>('batch-action', action);
  }

  private askClear(ask: boolean): void {
    this.confirmClear = ask;
    this.focusOn(ask ? '[data-testid="confirm-clear"]' : '[data-testid="clear-session"]');
  }

  private renderPickers() {
    return html`<input
        type="file"
        hidden
        multiple
        accept="image/*,video/*"
        data-pick="files"
        data-testid="file-input"
        @change=${this.onPick}
      />${
        this.folders
          ? html`<input
              type="file"
              hidden
              multiple
              webkitdirectory
              data-pick="folder"
              data-testid="folder-input"
              @change=${this.onPick}
            />`
          : nothing
      }`;
  }

  private renderFolderButton() {
    return this.folders
      ? html`<button data-testid="add-folder" @click=${() => this.pick('folder')}>Add a folder</button>`
      : nothing;
  }

  private renderPanelToggles() {
    return (['settings', 'export'] as const).map(
      (panel) =>
        html`<button
          aria-expanded=${this.panel === panel}
          data-testid="${panel}-toggle"
          @click=${() => this.emit<Panel | null>('panel-toggle', this.panel === panel ? null : panel)}
        >
          ${panel === 'settings' ? 'Settings' : 'Export'}
        </button>`,
    );
  }

  private renderProgress() {
    const c = this.counts;
    return html`<progress
      max=${c.total}
      value=${c.total - c.pending}
      aria-label="Batch progress"
      aria-valuetext="${c.done} of ${c.total} done, ${c.failed} failed${this.paused ? ', paused' : ''}"
    ></progress>`;
  }

  private renderCounts() {
    return html`<span data-testid="counts">${countsText(this.counts, this.paused ? 'paused' : this.eta)}</span>`;
  }

  private renderBatchActions() {
    const c = this.counts;
    return html`<button
        data-testid="pause-queue"
        ?disabled=${!this.paused && c.pending === 0}
        @click=${() => this.batch(this.paused ? 'resume' : 'pause')}
      >
        ${this.paused ? 'Resume' : 'Pause'}
      </button>
      <button data-testid="cancel-all" ?disabled=${c.pending === 0} @click=${() => this.batch('cancel-all')}>
        Cancel all
      </button>
      <button data-testid="retry-failed" ?disabled=${c.failed === 0} @click=${() => this.batch('retry-failed')}>
        Retry failed
      </button>
      ${
        this.confirmClear
          ? html`<button class="danger" data-testid="confirm-clear" @click=${() => this.batch('clear')}>
                Clear ${this.items} items
              </button>
              <button data-testid="keep-session" @click=${() => this.askClear(false)}>Don't clear</button>`
          : html`<button class="quiet" data-testid="clear-session" @click=${() => this.askClear(true)}>
              Clear session
            </button>`
      }`;
  }

  override render() {
    return this.narrow ? this.renderNarrow() : this.renderWide();
  }

  private renderWide() {
    const c = this.counts;
    return html`<div class="group">
        <button class="primary" data-testid="add-files" @click=${() => this.pick('files')}>Add files</button>
        ${this.renderFolderButton()} ${this.renderPickers()} ${this.renderPanelToggles()}
      </div>
      ${
        c.total
          ? html`<div class="overall">${this.renderProgress()} ${this.renderCounts()}</div>
              <div class="group">${this.renderBatchActions()}</div>`
          : nothing
      }`;
  }

  /** One row: add, the panels, and "More" holding the progress in words, the folder picker and the batch actions. */
  private renderNarrow() {
    const c = this.counts;
    const more = this.folders || c.total > 0;
    return html`<div class="row">
        <button class="primary" data-testid="add-files" @click=${() => this.pick('files')}>Add files</button>
        ${this.renderPickers()} ${this.renderPanelToggles()}
        ${
          more
            ? html`<div class="more" @keydown=${this.menu.onKey} @focusout=${this.menu.onFocusOut}>
                <button
                  data-testid="more-toggle"
                  aria-expanded=${this.menu.open}
                  aria-controls="batch-menu"
                  @click=${this.menu.toggle}
                >
                  More<span class="caret" aria-hidden="true">▾</span>
                </button>
                <div id="batch-menu" class="menu" data-testid="more-menu" ?hidden=${!this.menu.open}>
                  ${c.total ? html`<p class="menu-counts">${this.renderCounts()}</p>` : nothing}
                  ${this.renderFolderButton()} ${c.total ? this.renderBatchActions() : nothing}
                </div>
              </div>`
            : nothing
        }
      </div>
      ${c.total ? html`<div class="strip">${this.renderProgress()}</div>` : nothing}`;
  }

  static override styles = toolbarStyles;
}

if (!customElements.get('mc-toolbar')) customElements.define('mc-toolbar', McToolbar);

declare global {
  interface HTMLElementTagNameMap {
    'mc-toolbar': McToolbar;
  }
}
