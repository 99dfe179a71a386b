/**
 * `<mc-cache-panel>`: what the weight cache holds (per model, with sizes),
 * how much storage the browser grants, delete one / clear all, and import of
 * a model folder from disk for offline use. Fires `model-imported` with the
 * new repo id.
 */
import { LitElement, css, html, nothing } from 'lit';
import type { Captioner } from '../client/captioner';
import type { StorageReport } from '../shared/api';
import type { CachedModel } from '../shared/cached-model';
import { errorMessage, formatBytes } from './format';
import { blockStyles } from './theme';

/** The cache panel element. */
export class McCachePanel extends LitElement {
  static override properties = {
    captioner: { attribute: false },
    models: { state: true },
    storage: { state: true },
    message: { state: true },
  };

  declare captioner: Captioner | null;
  declare models: readonly CachedModel[];
  declare storage: StorageReport | null;
  declare message: string;

  constructor() {
    super();
    this.captioner = null;
    this.models = [];
    this.storage = null;
    this.message = '';
  }

  /** Opens the panel (and, for an import, the folder picker's label gets focus). */
  open(forImport = false): void {
    const details = this.renderRoot.querySelector('details');
    if (details) details.open = true;
    details?.scrollIntoView({ block: 'nearest' });
    if (forImport) this.renderRoot.querySelector<HTMLInputElement>('[data-testid="import-folder"]')?.focus();
  }

  /** Re-reads the cache listing and storage numbers. */
  async refresh(): Promise<void> {
    if (!this.captioner) return;
    try {
      [this.models, this.storage] = await Promise.all([this.captioner.cache.list(), this.captioner.cache.storage()]);
    } catch (err) {
      this.message = errorMessage(err);
    }
  }

  private async run(action: () => Promise<unknown>, done: string): Promise<void> {
    try {
      await action();
      this.message = done;
    } catch (err) {
      this.message = errorMessage(err);
    }
    await this.refresh();
  }

  private async importPicked(event: Event): Promise<void> {
    const input = event.target;
    if (!(input instanceof HTMLInputElement) || !input.files || !this.captioner) return;
    const files = Array.from(input.files);
    input.value = '';
    const captioner = this.captioner;
    await this.run(async () => {
      const repo = await captioner.cache.importFolder(files);
      this.dispatchEvent(new CustomEvent('model-imported', { detail: repo, bubbles: true, composed: true }));
    }, `Imported ${files.length} files.`);
  }

  override render() {
    return html`<details
      @toggle=${(e: Event) => e.target instanceof HTMLDetailsElement && e.target.open && this.refresh()}
    >
      <summary>Models on this device${this.storage ? ` — ${formatBytes(this.storage.usage)} used` : ''}</summary>
      ${
        this.storage
          ? html`<p>
              ${formatBytes(this.storage.usage)} of ${formatBytes(this.storage.quota)} used;
              ${this.storage.persisted ? 'kept by the browser (persistent).' : 'the browser may evict it under storage pressure.'}
              ${this.storage.persisted ? nothing : html`<button @click=${() => this.run(() => this.captioner?.cache.persist() ?? Promise.resolve(), 'Asked the browser to keep the cache.')}>Keep</button>`}
            </p>`
          : nothing
      }
      <ul data-testid="cached-models">
        ${this.models.map(
          (m) =>
            html`<li>
              <code>${m.repo}</code> @ ${m.revision.slice(0, 10)} — ${formatBytes(m.bytes)} in ${m.files} files
              ${m.complete ? '' : html`<em>(incomplete)</em>`}
              <button
                aria-label="Delete ${m.repo}"
                @click=${() => this.run(() => this.captioner?.cache.delete(m.key) ?? Promise.resolve(), `Deleted ${m.repo}.`)}
              >
                Delete
              </button>
            </li>`,
        )}
      </ul>
      ${this.models.length ? html`<button @click=${() => this.run(() => this.captioner?.cache.clear() ?? Promise.resolve(), 'Cleared all models.')}>Delete all</button>` : html`<p>No models stored yet.</p>`}
      <label class="import">
        Import a model folder from disk (transformers.js layout: config.json, onnx/…):
        <input type="file" webkitdirectory multiple @change=${this.importPicked} data-testid="import-folder" />
      </label>
      ${this.message ? html`<p role="status">${this.message}</p>` : nothing}
    </details>`;
  }

  static override styles = [
    ...blockStyles,
    css`
      :host {
        margin: 1rem 0;
      }
      details {
        background: var(--mc-surface);
        border: 1px solid var(--mc-border);
        border-radius: var(--mc-radius);
        padding: 0.6rem 0.9rem;
      }
      summary {
        cursor: pointer;
        font-weight: 600;
      }
      ul {
        padding-left: 1.25rem;
      }
      li {
        margin: 0.3rem 0;
        overflow-wrap: anywhere;
      }
      .import {
        display: block;
        margin-top: 0.5rem;
      }
    `,
  ];
}

if (!customElements.get('mc-cache-panel')) customElements.define('mc-cache-panel', McCachePanel);

declare global {
  interface HTMLElementTagNameMap {
    'mc-cache-panel': McCachePanel;
  }
}
