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
import { LitElement, type PropertyValues, css, html, nothing } from 'lit';
import { type BatchCounts, countsText } from '../session/progress';
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
    menuOpen: { state: true },
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
  declare menuOpen: boolean;
  declare narrow: boolean;

  private readonly folders = canPickFolders();
  private readonly narrowQuery = typeof matchMedia === 'function' ? matchMedia(NARROW) : null;

  constructor() {
    super();
    this.counts = { total: 0, done: 0, failed: 0, cancelled: 0, pending: 0, refused: 0, duplicates: 0 };
    this.eta = '';
    this.panel = null;
    this.items = 0;
    this.paused = false;
    this.confirmClear = false;
    this.menuOpen = false;
    this.narrow = this.narrowQuery?.matches ?? false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.narrowQuery?.addEventListener('change', this.onNarrow);
    this.narrow = this.narrowQuery?.matches ?? false;
  }

  override disconnectedCallback(): void {
    this.narrowQuery?.removeEventListener('change', this.onNarrow);
    document.removeEventListener('pointerdown', this.onOutside, true);
    super.disconnectedCallback();
  }

  private readonly onNarrow = (): void => {
    this.narrow = this.narrowQuery?.matches ?? false;
    this.menuOpen = false;
  };

  override updated(changed: PropertyValues<this>): void {
    if (changed.has('menuOpen')) {
      if (this.menuOpen) document.addEventListener('pointerdown', this.onOutside, true);
      else document.removeEventListener('pointerdown', this.onOutside, true);
    }
  }

  /** A press outside the menu closes it (focus stays where the press put it). */
  private readonly onOutside = (event: Event): void => {
    const more = this.renderRoot.querySelector('.more');
    if (more && !event.composedPath().includes(more)) this.menuOpen = false;
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
    if (kind === 'folder') this.closeMenu();
  }

  private focusOn(selector: string): void {
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>(selector)?.focus());
  }

  /** Closes the menu; focus goes back to its button when it was inside the menu (or `always`). */
  private closeMenu(always = false): void {
    if (!this.menuOpen) return;
    const inside = this.renderRoot.querySelector('#batch-menu')?.contains(this.shadowRoot?.activeElement ?? null);
    this.menuOpen = false;
    if (always || inside) this.focusOn('[data-testid="more-toggle"]');
  }

  private batch(action: BatchAction): void {
    this.confirmClear = false;
    this.closeMenu(true);
    this.emit<BatchAction>('batch-action', action);
  }

  private askClear(ask: boolean): void {
    this.confirmClear = ask;
    this.focusOn(ask ? '[data-testid="confirm-clear"]' : '[data-testid="clear-session"]');
  }

  /** The menu's items that can take focus, in order. */
  private menuItems(): HTMLElement[] {
    return [...this.renderRoot.querySelectorAll<HTMLButtonElement>('#batch-menu button')].filter((b) => !b.disabled);
  }

  private readonly onMenuKey = (event: KeyboardEvent): void => {
    if (event.key === 'Escape' && this.menuOpen) {
      // Handled here: the page's own Escape (closing a panel) waits for the next press.
      event.preventDefault();
      event.stopPropagation();
      this.closeMenu(true);
      return;
    }
    const moves: Record<string, (i: number, n: number) => number> = {
      ArrowDown: (i, n) => (i + 1) % n,
      ArrowUp: (i, n) => (i - 1 + n) % n,
      Home: () => 0,
      End: (_, n) => n - 1,
    };
    const move = moves[event.key];
    if (!move) return;
    const onToggle = event.target instanceof HTMLElement && event.target.dataset.testid === 'more-toggle';
    if (onToggle && event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
    event.preventDefault();
    if (!this.menuOpen) this.menuOpen = true;
    void this.updateComplete.then(() => {
      const items = this.menuItems();
      if (!items.length) return;
      const current = items.findIndex((item) => item === this.shadowRoot?.activeElement);
      const next = current < 0 ? (event.key === 'ArrowUp' ? items.length - 1 : 0) : move(current, items.length);
      items[next]?.focus();
    });
  };

  /** Focus leaving the menu for somewhere else on the page closes it. */
  private readonly onMenuFocusOut = (event: FocusEvent): void => {
    const to = event.relatedTarget;
    const more = this.renderRoot.querySelector('.more');
    if (to instanceof Node && more && !more.contains(to)) this.menuOpen = false;
  };

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
            ? html`<div class="more" @keydown=${this.onMenuKey} @focusout=${this.onMenuFocusOut}>
                <button
                  data-testid="more-toggle"
                  aria-expanded=${this.menuOpen}
                  aria-controls="batch-menu"
                  @click=${() => (this.menuOpen ? this.closeMenu(true) : (this.menuOpen = true))}
                >
                  More<span class="caret" aria-hidden="true">▾</span>
                </button>
                <div id="batch-menu" class="menu" data-testid="more-menu" ?hidden=${!this.menuOpen}>
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
