/**
 * `<mc-item>`: one image of the batch — thumbnail, name, live stage (with
 * the caption streaming in), the editable caption, the domain with its
 * confidence and how it was decided (and a control to pin another domain
 * and re-run), the judge's scores, where it ran, the time taken, and an
 * expandable trace. Every button is named for its file. Actions are
 * reported as one `item-action` event for the page to carry out.
 */
import { LitElement, css, html, nothing } from 'lit';
import { formatTime } from '../capflow/prompts';
import { DOMAINS } from '../capflow/spec';
import type { CaptionRecord, DomainId } from '../shared/record';
import type { LiveItem } from '../session/batch';
import { type SessionItem, finalCaption } from '../session/item';
import { statusText } from '../session/progress';
import { describeRuntime } from './format';
import './mc-trace';
import { IMAGE_DOMAIN_IDS } from './settings';
import { itemStyles } from './mc-item.styles';
import { controls, tokens } from './theme';

/** The frames line of a video's card: how many, when, and how they were read when that was the slower way. */
function framesText(record: CaptionRecord): string {
  const times = record.timestamps ?? [];
  const seeking =
    record.sampledBy === 'seeking'
      ? ' · read by seeking the video: this browser has no WebCodecs (slower, fewer moments probed)'
      : '';
  const partial = record.partialVideo ? ` · only part of the video could be read: ${record.partialVideo}` : '';
  return `${times.length} frames, at ${times.map(formatTime).join(', ')}${seeking}${partial}`;
}

/** What the user asked of an item. */
export type ItemAction =
  | { readonly kind: 'cancel' | 'retry' | 'remove' | 'copy' }
  | { readonly kind: 'rerun'; readonly domain: DomainId | null }
  | { readonly kind: 'edit'; readonly text: string };

/** The detail of `item-action`. */
export interface ItemActionDetail {
  readonly id: string;
  readonly action: ItemAction;
}

/** "natural 98% · zero-shot": the domain, the router's confidence and how it was decided. */
function domainText(domain: NonNullable<NonNullable<SessionItem['record']>['domain']>): string {
  const confidence = domain.confidence === null ? '' : ` ${Math.round(domain.confidence * 100)}%`;
  const setAside = domain.setAside ? ` (pinned ${domain.setAside} does not apply to a video)` : '';
  return `${domain.label}${confidence} · ${domain.decidedBy}${setAside}`;
}

/** "3 on every dimension", or "completeness 3, core intent 2": the bar a kept caption had to reach. */
function barText(minScore: Readonly<Record<string, number>>): string {
  const bars = Object.entries(minScore).filter(([, min]) => min > 1);
  const [first] = bars;
  if (first && bars.length === Object.keys(minScore).length && bars.every(([, m]) => m === first[1])) {
    return `${first[1]} on every dimension`;
  }
  return bars.map(([d, m]) => `${d} ${m}`).join(', ');
}

/** How long typing pauses before an edit is saved. */
const EDIT_DEBOUNCE_MS = 400;

/** The item card. */
export class McItem extends LitElement {
  static override properties = {
    item: { attribute: false },
    live: { attribute: false },
    thumb: { attribute: false },
    thumbFailed: { state: true },
  };

  declare item: SessionItem | null;
  declare live: LiveItem | undefined;
  declare thumb: string;
  /** The browser could not show the image (e.g. a corrupt file): a placeholder stands in. */
  declare thumbFailed: boolean;
  private editTimer: ReturnType<typeof setTimeout> | undefined;
  private pendingEdit: string | null = null;

  constructor() {
    super();
    this.item = null;
    this.live = undefined;
    this.thumb = '';
    this.thumbFailed = false;
  }

  private act(action: ItemAction): void {
    if (!this.item) return;
    const detail: ItemActionDetail = { id: this.item.id, action };
    this.dispatchEvent(new CustomEvent('item-action', { detail, bubbles: true, composed: true }));
  }

  private onInput(event: Event): void {
    if (!(event.target instanceof HTMLTextAreaElement)) return;
    this.pendingEdit = event.target.value;
    clearTimeout(this.editTimer);
    this.editTimer = setTimeout(() => this.flushEdit(), EDIT_DEBOUNCE_MS);
  }

  private flushEdit(): void {
    clearTimeout(this.editTimer);
    if (this.pendingEdit === null) return;
    const text = this.pendingEdit;
    this.pendingEdit = null;
    this.act({ kind: 'edit', text });
  }

  override disconnectedCallback(): void {
    this.flushEdit();
    super.disconnectedCallback();
  }

  override render() {
    const item = this.item;
    if (!item) return nothing;
    const name = item.name;
    return html`<article data-status=${item.status} aria-label=${name}>
      <div class="top">
        ${
          this.thumb && !this.thumbFailed
            ? item.media === 'video'
              ? // A paused video shows the frame at its media fragment's time: the poster.
                html`<video
                  class="thumb"
                  src=${`${this.thumb}#t=0.1`}
                  muted
                  playsinline
                  preload="metadata"
                  aria-hidden="true"
                  @error=${() => (this.thumbFailed = true)}
                ></video>`
              : html`<img class="thumb" src=${this.thumb} alt="" @error=${() => (this.thumbFailed = true)} />`
            : html`<div class="thumb none" aria-hidden="true">
                ${item.status === 'refused' || this.thumbFailed ? '✕' : '…'}
              </div>`
        }
        <div class="title">
          <h3 title=${item.path}>${name}</h3>
          ${item.path !== name ? html`<p class="muted path">${item.path}</p>` : nothing}
          <p class="status" data-testid="status">
            <span class="badge ${item.status}">${statusText(item)}</span>
            ${item.status === 'running' && this.live ? html`<span class="stage">${this.live.stage}…</span>` : nothing}
          </p>
        </div>
      </div>
      ${this.renderBody(item)} ${this.renderActions(item)}
    </article>`;
  }

  private renderBody(item: SessionItem) {
    if (item.error) {
      return html`<p class="error" data-testid="item-error">
        <strong>${item.error.name}</strong> ${item.error.message}
      </p>`;
    }
    if (item.status === 'running' || item.status === 'queued') {
      const streamed = this.live?.streamed ?? '';
      return html`<p class="streaming" data-testid="streamed" aria-hidden=${streamed ? 'false' : 'true'}>
        ${streamed || (item.status === 'queued' ? 'Waiting for its turn.' : '')}
      </p>`;
    }
    const record = item.record;
    if (!record) return nothing;
    const caption = finalCaption(item) ?? '';
    return html`
      <label class="caption">
        <span class="visually-hidden">Caption of ${item.name}</span>
        <textarea data-testid="caption" .value=${caption} @input=${this.onInput} @blur=${this.flushEdit}></textarea>
      </label>
      ${item.edited !== null ? html`<p class="muted small">Edited — your text is kept and exported.</p>` : nothing}
      <div class="facts">
        ${
          record.domain
            ? html`<span class="chip domain" data-testid="domain" title="The visual domain, and how it was decided"
                >${domainText(record.domain)}</span
              >`
            : nothing
        }
        ${
          record.runtime
            ? html`<span class="chip" data-testid="runtime">${describeRuntime(record.runtime)}</span>`
            : nothing
        }
        <span class="chip">${(record.totalMs / 1000).toFixed(1)} s</span>
        ${record.style ? html`<span class="chip">${record.style}</span>` : nothing}
      </div>
      ${record.timestamps ? html`<p class="muted small" data-testid="frames">${framesText(record)}</p>` : nothing}
      ${
        record.judge
          ? html`<p class="judge-title" data-testid="verdict">
                Judge,
                1–3${
                  Object.values(record.judge.scores).every((v) => v === null)
                    ? html` <span class="muted">— its answer could not be read</span>`
                    : record.judge.topOnAll
                      ? html` <span class="ok">— top score on every dimension</span>`
                      : record.judge.accepted === false
                        ? html` <span class="muted">— below the bar (${barText(record.judge.minScore)})</span>`
                        : nothing
                }${
                  record.judge.attempts.length > 1
                    ? html` <span class="muted"
                        >· attempt ${record.judge.kept ?? 1} of ${record.judge.attempts.length} kept</span
                      >`
                    : nothing
                }
              </p>
              <dl class="scores" data-testid="scores" aria-label="Judge scores of ${item.name}, 1 to 3">
                ${Object.entries(record.judge.scores).map(
                  ([dim, score]) =>
                    html`<div class="score s${score ?? 'x'}">
                      <dt>${dim}</dt>
                      <dd>${score ?? '—'}</dd>
                    </div>`,
                )}
              </dl>`
          : nothing
      }
      ${record.mode !== 'prompt' && item.media !== 'video' ? this.renderPin(item) : nothing}
      <details
        class="trace"
        data-testid="trace"
        @toggle=${(e: Event) =>
          this.dispatchEvent(
            new CustomEvent('trace-toggle', {
              detail: e.target instanceof HTMLDetailsElement && e.target.open,
              bubbles: true,
            }),
          )}
      >
        <summary>Trace · ${record.trace.length} ${record.trace.length === 1 ? 'step' : 'steps'}</summary>
        <mc-trace .steps=${record.trace}></mc-trace>
      </details>
    `;
  }

  private renderPin(item: SessionItem) {
    const current = item.record?.domain?.id ?? null;
    return html`<label class="pin">
      <span>Re-run as</span>
      <select
        aria-label="Re-run ${item.name} as domain"
        data-testid="pin-domain"
        @change=${(e: Event) => {
          if (!(e.target instanceof HTMLSelectElement)) return;
          const value = e.target.value;
          const domain = IMAGE_DOMAIN_IDS.find((d) => d === value) ?? null;
          if (value === '') return;
          this.act({ kind: 'rerun', domain: value === 'auto' ? null : domain });
        }}
      >
        <option value="" selected>choose a domain…</option>
        <option value="auto">automatic (route again)</option>
        ${IMAGE_DOMAIN_IDS.filter((d) => d !== current).map(
          (d) => html`<option value=${d}>${DOMAINS[d].label}</option>`,
        )}
      </select>
    </label>`;
  }

  private renderActions(item: SessionItem) {
    const name = item.name;
    const pending = item.status === 'queued' || item.status === 'running';
    const again = item.status === 'failed' || item.status === 'cancelled';
    return html`<div class="actions">
      ${
        pending
          ? html`<button data-testid="cancel" aria-label="Cancel ${name}" @click=${() => this.act({ kind: 'cancel' })}>
              Cancel
            </button>`
          : nothing
      }
      ${
        again
          ? html`<button data-testid="retry" aria-label="Retry ${name}" @click=${() => this.act({ kind: 'retry' })}>
              Retry
            </button>`
          : nothing
      }
      ${
        item.status === 'done'
          ? html`<button
              data-testid="copy"
              aria-label="Copy the caption of ${name}"
              @click=${() => this.act({ kind: 'copy' })}
            >
              Copy
            </button>`
          : nothing
      }
      <button class="quiet" aria-label="Remove ${name}" @click=${() => this.act({ kind: 'remove' })}>Remove</button>
    </div>`;
  }

  static override styles = [tokens, controls, itemStyles];
}

if (!customElements.get('mc-item')) customElements.define('mc-item', McItem);

declare global {
  interface HTMLElementTagNameMap {
    'mc-item': McItem;
  }
}
