/**
 * `<mc-model-status>`: the models' state in one line — loading with bytes
 * and the file in flight, ready (where and how fast), or failed with what
 * to do about it: retry, and when the model host cannot be reached the
 * ways out that exist (a mirror, a model folder from disk, a preset that
 * is already on this device). Fires `model-action`.
 */
import { LitElement, css, html, nothing } from 'lit';
import type { ModelState } from '../session/batch';
import { formatBytes } from './format';
import { blockStyles } from './theme';
import { deviceWord } from '../shared/device';

/** What the user chose to do about the models. */
export type ModelAction =
  { readonly kind: 'retry' | 'mirror' | 'import' | 'storage' } | { readonly kind: 'preset'; readonly id: string };

/** A preset the user could switch to, e.g. one already cached. */
export interface PresetChoice {
  readonly id: string;
  readonly label: string;
}

/** The model status line. */
export class McModelStatus extends LitElement {
  static override properties = { models: { attribute: false }, cachedPresets: { attribute: false } };
  declare models: ModelState;
  declare cachedPresets: readonly PresetChoice[];

  constructor() {
    super();
    this.models = { phase: 'idle' };
    this.cachedPresets = [];
  }

  private act(action: ModelAction): void {
    this.dispatchEvent(new CustomEvent('model-action', { detail: action, bubbles: true, composed: true }));
  }

  override render() {
    const m = this.models;
    switch (m.phase) {
      case 'idle':
        return nothing;
      case 'loading': {
        // No totals yet: nothing has arrived (an indeterminate bar), or every file came from this device.
        const what = m.total
          ? `Downloading models: ${formatBytes(m.loaded)} of ${formatBytes(m.total)}`
          : m.file
            ? 'Loading models from this device'
            : 'Loading models…';
        return html`<div class="line" role="group" aria-label="Loading models">
          <progress
            max=${m.total || nothing}
            value=${m.total ? m.loaded : nothing}
            aria-label="Model download"
          ></progress>
          <span data-testid="loading">${what}${m.file ? html` — <code>${m.file}</code>` : nothing}</span>
        </div>`;
      }
      case 'ready': {
        const ms = m.report.roles.reduce((sum, r) => sum + r.loadMs + r.compileMs, 0);
        const cached = m.report.roles.every((r) => r.fromCache);
        const seconds = (ms / 1000).toFixed(1);
        // Never quietly: where automatic passed over the GPU, the line says why.
        const why = m.report.deviceReason ? ` Automatic chose it: ${m.report.deviceReason}.` : '';
        // Plain words first; the technical form (the backend's name) as a tooltip.
        return html`<p
          class="line ok"
          data-testid="ready"
          title="Ready on ${m.report.device} in ${seconds} s${cached ? ' (from this device)' : ''}"
        >
          ${`Models ready in ${seconds} s${cached ? ', loaded from this device,' : ''} and running on ${deviceWord(m.report.device)}.${why}`}
        </p>`;
      }
      case 'failed': {
        const unreachable = m.error.name === 'ModelHostUnreachableError';
        return html`<div class="failed" role="alert" data-testid="model-error">
          <p>
            <strong>${unreachable ? 'The model host cannot be reached.' : 'The models could not be loaded.'}</strong>
            ${m.error.message}
            ${
              // The error says only what happened; the ways out are this page's own (the buttons below).
              unreachable
                ? 'Retry when connected, use a mirror, import a model folder, or use a preset already on this device.'
                : nothing
            }
          </p>
          <div class="ways">
            <button class="primary" @click=${() => this.act({ kind: 'retry' })}>Retry</button>
            ${
              unreachable
                ? html`<button @click=${() => this.act({ kind: 'mirror' })}>Use a mirror…</button>
                    <button @click=${() => this.act({ kind: 'import' })}>Import a model folder…</button>
                    ${this.cachedPresets.map(
                      (p) =>
                        html`<button @click=${() => this.act({ kind: 'preset', id: p.id })}>
                          Use ${p.label} (on this device)
                        </button>`,
                    )}`
                : nothing
            }
            ${
              m.error.name === 'QuotaExceededError'
                ? html`<button @click=${() => this.act({ kind: 'storage' })}>Manage models on this device…</button>`
                : nothing
            }
          </div>
        </div>`;
      }
    }
  }

  static override styles = [
    ...blockStyles,
    css`
      .line {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        align-items: center;
        margin: 0;
        overflow-wrap: anywhere;
      }
      .ok {
        color: var(--mc-ok);
      }
      progress {
        flex: 1 1 8rem;
        max-width: 16rem;
      }
      .failed {
        background: var(--mc-danger-soft);
        color: var(--mc-danger);
        border-radius: var(--mc-radius);
        padding: 0.6rem 0.8rem;
        overflow-wrap: anywhere;
      }
      .failed p {
        margin: 0 0 0.5rem;
      }
      .ways {
        display: flex;
        flex-wrap: wrap;
        gap: 0.4rem;
      }
    `,
  ];
}

if (!customElements.get('mc-model-status')) customElements.define('mc-model-status', McModelStatus);

declare global {
  interface HTMLElementTagNameMap {
    'mc-model-status': McModelStatus;
  }
}
