/**
 * `<mc-export>`: the batch's exports (JSONL records, fine-tuning JSONL, CSV,
 * a zip of `.txt` sidecars), "copy all", and the dataset-folder exports
 * (`<mc-dataset-export>`). Works on a partly finished batch: only finished
 * items are written, and the panel says how many.
 */
import { LitElement, css, html } from 'lit';
import type { ImageSource } from '../session/dataset-zip';
import { exportable, toCsvExport, toFineTuneJsonl, toJsonl, toPlainText, toSidecarZip } from '../session/exports';
import type { SessionItem } from '../session/item';
import { download } from './download';
import './mc-dataset-export';
import { blockStyles } from './theme';

/** The export panel. */
export class McExport extends LitElement {
  static override properties = {
    items: { attribute: false },
    image: { attribute: false },
    withTrace: { state: true },
    withVersions: { state: true },
    copied: { state: true },
  };
  declare items: readonly SessionItem[];
  /** The batch's original files, for the dataset zip; null until the session is open. */
  declare image: ImageSource | null;
  declare withTrace: boolean;
  declare withVersions: boolean;
  declare copied: string;

  constructor() {
    super();
    this.items = [];
    this.image = null;
    this.withTrace = false;
    this.withVersions = false;
    this.copied = '';
  }

  private async copyAll(): Promise<void> {
    try {
      await navigator.clipboard.writeText(toPlainText(this.items));
      this.copied = 'Copied every finished caption.';
    } catch (err) {
      this.copied = `Could not copy: ${err instanceof Error ? err.message : String(err)}`;
    }
  }

  override render() {
    const finished = exportable(this.items).length;
    const total = this.items.filter((i) => i.status !== 'refused').length;
    const none = finished === 0;
    const stamp = new Date().toISOString().slice(0, 10);
    return html`<div>
      <h2>Export</h2>
      <p data-testid="export-scope" class="muted">
        ${
          none
            ? 'Nothing to export yet: exports hold finished captions.'
            : finished === total
              ? `All ${finished} finished captions.`
              : `${finished} of ${total} items have a caption; exports hold those ${finished} only.`
        }
      </p>
      <div class="buttons">
        <button
          ?disabled=${none}
          data-testid="export-jsonl"
          @click=${() => download(`captions-${stamp}.jsonl`, toJsonl(this.items, { trace: this.withTrace, versions: this.withVersions }), 'application/x-ndjson')}
        >
          JSONL
        </button>
        <button
          ?disabled=${none}
          data-testid="export-finetune"
          @click=${() => download(`finetune-${stamp}.jsonl`, toFineTuneJsonl(this.items), 'application/x-ndjson')}
        >
          Fine-tuning JSONL
        </button>
        <button
          ?disabled=${none}
          data-testid="export-csv"
          @click=${() => download(`captions-${stamp}.csv`, toCsvExport(this.items), 'text/csv;charset=utf-8')}
        >
          CSV
        </button>
        <button
          ?disabled=${none}
          data-testid="export-zip"
          @click=${() => download(`captions-${stamp}.zip`, new Uint8Array(toSidecarZip(this.items)), 'application/zip')}
        >
          .txt sidecars (zip)
        </button>
        <button ?disabled=${none} data-testid="copy-all" @click=${this.copyAll}>Copy all</button>
      </div>
      <label class="check">
        <input
          type="checkbox"
          .checked=${this.withTrace}
          @change=${(e: Event) => (this.withTrace = e.target instanceof HTMLInputElement && e.target.checked)}
        />
        Include every step's prompt and output in the JSONL
      </label>
      <label class="check">
        <input
          type="checkbox"
          data-testid="with-versions"
          .checked=${this.withVersions}
          @change=${(e: Event) => (this.withVersions = e.target instanceof HTMLInputElement && e.target.checked)}
        />
        Include each caption's earlier versions in the JSONL
      </label>
      <p role="status" class="muted">${this.copied}</p>
      <mc-dataset-export .items=${this.items} .image=${this.image}></mc-dataset-export>
    </div>`;
  }

  static override styles = [
    ...blockStyles,
    css`
      h2 {
        margin: 0 0 0.25rem;
        font-size: 1rem;
      }
      p {
        margin: 0.25rem 0;
      }
      .buttons {
        display: flex;
        flex-wrap: wrap;
        gap: 0.4rem;
        margin: 0.5rem 0;
      }
      .check {
        display: flex;
        gap: 0.4rem;
        align-items: center;
        font-size: 0.9rem;
      }
    `,
  ];
}

if (!customElements.get('mc-export')) customElements.define('mc-export', McExport);

declare global {
  interface HTMLElementTagNameMap {
    'mc-export': McExport;
  }
}
