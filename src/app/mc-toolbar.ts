/**
 * `<mc-toolbar>`: the batch's toolbar — add images or a folder, open the
 * settings or the exports, the overall progress (done/failed/total and an
 * ETA), cancel all, retry failed, and clear the session (asked twice).
 * Sticky where the screen has room. Reports what was chosen as events.
 */
import { LitElement, css, html, nothing } from 'lit';
import { type BatchCounts, countsText } from '../session/progress';
import { type PickedFile, filesFromInput } from './file-intake';
import { controls, tokens } from './theme';

/** The panels the toolbar opens. */
export type Panel = 'settings' | 'export';

/** What the user asked of the whole batch. */
export type BatchAction = 'cancel-all' | 'retry-failed' | 'clear';

/** The toolbar. */
export class McToolbar extends LitElement {
  static override properties = {
    counts: { attribute: false },
    eta: { attribute: false },
    panel: { attribute: false },
    items: { attribute: false },
    confirmClear: { state: true },
  };

  declare counts: BatchCounts;
  declare eta: string;
  /** The open panel, if any. */
  declare panel: Panel | null;
  /** How many items a clear would remove. */
  declare items: number;
  declare confirmClear: boolean;

  constructor() {
    super();
    this.counts = { total: 0, done: 0, failed: 0, cancelled: 0, pending: 0, refused: 0, duplicates: 0 };
    this.eta = '';
    this.panel = null;
    this.items = 0;
    this.confirmClear = false;
  }

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
  }

  private batch(action: BatchAction): void {
    this.confirmClear = false;
    this.emit<BatchAction>('batch-action', action);
  }

  override render() {
    const c = this.counts;
    return html`<div class="group">
        <button class="primary" data-testid="add-files" @click=${() => this.pick('files')}>Add files</button>
        <button data-testid="add-folder" @click=${() => this.pick('folder')}>Add a folder</button>
        <input
          type="file"
          hidden
          multiple
          accept="image/*,video/*"
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
        ${(['settings', 'export'] as const).map(
          (panel) =>
            html`<button
              aria-expanded=${this.panel === panel}
              data-testid="${panel}-toggle"
              @click=${() => this.emit<Panel | null>('panel-toggle', this.panel === panel ? null : panel)}
            >
              ${panel === 'settings' ? 'Settings' : 'Export'}
            </button>`,
        )}
      </div>
      ${
        c.total
          ? html`<div class="overall">
                <progress
                  max=${c.total}
                  value=${c.total - c.pending}
                  aria-label="Batch progress"
                  aria-valuetext="${c.done} of ${c.total} done, ${c.failed} failed"
                ></progress>
                <span data-testid="counts">${countsText(c, this.eta)}</span>
              </div>
              <div class="group">
                <button data-testid="cancel-all" ?disabled=${c.pending === 0} @click=${() => this.batch('cancel-all')}>
                  Cancel all
                </button>
                <button
                  data-testid="retry-failed"
                  ?disabled=${c.failed === 0}
                  @click=${() => this.batch('retry-failed')}
                >
                  Retry failed
                </button>
                ${
                  this.confirmClear
                    ? html`<button class="danger" data-testid="confirm-clear" @click=${() => this.batch('clear')}>
                          Clear ${this.items} items
                        </button>
                        <button @click=${() => (this.confirmClear = false)}>Keep</button>`
                    : html`<button class="quiet" data-testid="clear-session" @click=${() => (this.confirmClear = true)}>
                        Clear session
                      </button>`
                }
              </div>`
          : nothing
      }`;
  }

  static override styles = [
    tokens,
    controls,
    css`
      :host {
        z-index: 5;
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem 1rem;
        align-items: center;
        justify-content: space-between;
        padding: 0.6rem 0.75rem;
        margin: 0 calc(-1 * clamp(0.6rem, 3vw, 1.5rem));
        background: color-mix(in srgb, var(--mc-bg) 92%, transparent);
        backdrop-filter: blur(6px);
        border-bottom: 1px solid var(--mc-border);
      }
      /* Sticky only where there is room: on a phone it would hide half the screen. */
      @media (min-width: 40rem) {
        :host {
          position: sticky;
          top: 0;
        }
      }
      .group {
        display: flex;
        flex-wrap: wrap;
        gap: 0.4rem;
      }
      .overall {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.25rem 0.6rem;
        flex: 1 1 14rem;
        font-size: 0.9rem;
      }
      .overall progress {
        flex: 1 1 6rem;
        min-width: 6rem;
        max-width: 18rem;
      }
    `,
  ];
}

if (!customElements.get('mc-toolbar')) customElements.define('mc-toolbar', McToolbar);

declare global {
  interface HTMLElementTagNameMap {
    'mc-toolbar': McToolbar;
  }
}
