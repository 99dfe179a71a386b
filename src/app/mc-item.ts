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
import { captionLength } from '../session/curate';
import { type SessionItem, finalCaption, madeBy } from '../session/item';
import { isDuplicate, statusText } from '../session/progress';
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
  | { readonly kind: 'cancel' | 'retry' | 'remove' | 'copy' | 'revert' | 'keep-duplicate' }
  | { readonly kind: 'rerun'; readonly domain: DomainId | null }
  | { readonly kind: 'use-version'; readonly index: number }
  | { readonly kind: 'edit'; readonly text: string };

/** The detail of `item-action`. */
export interface ItemActionDetail {
  readonly id: string;
  readonly action: ItemAction;
}

type Domain = NonNullable<NonNullable<SessionItem['record']>['domain']>;

/** How a domain was decided, in words. */
const DECIDED_BY: Readonly<Record<Domain['decidedBy'], string>> = Object.freeze({
  pinned: 'you chose it',
  video: 'it is a video',
  'zero-shot': 'picked by the image classifier',
  vlm: 'picked by the vision model',
  'zero-shot-fallback': "the classifier's pick (the vision model's answer was unreadable)",
  default: 'the default (no answer could be read)',
});

/** "natural, 98% sure · picked by the image classifier": the domain, the router's confidence and how it was decided. */
function domainText(domain: Domain): string {
  const confidence = domain.confidence === null ? '' : `, ${Math.round(domain.confidence * 100)}% sure`;
  const setAside = domain.setAside ? ` (the domain you chose, ${domain.setAside}, does not apply to a video)` : '';
  return `${domain.label}${confidence} · ${DECIDED_BY[domain.decidedBy]}${setAside}`;
}

/** The technical form of the same, for the tooltip: "natural 98% · zero-shot". */
function domainTitle(domain: Domain): string {
  const confidence = domain.confidence === null ? '' : ` ${Math.round(domain.confidence * 100)}%`;
  return `Domain ${domain.id}${confidence} · decided by ${domain.decidedBy}`;
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

/** "212 characters · ≈ 48 tokens". */
function lengthText(text: string): string {
  const { chars, tokens } = captionLength(text);
  return `${chars} characters · ≈ ${tokens} tokens`;
}

/** How long typing pauses before an edit is saved. */
const EDIT_DEBOUNCE_MS = 400;

/** The item card. */
export class McItem extends LitElement {
  static override properties = {
    item: { attribute: false },
    live: { attribute: false },
    thumb: { attribute: false },
    compact: { type: Boolean, reflect: true },
    thumbFailed: { state: true },
  };

  declare item: SessionItem | null;
  declare live: LiveItem | undefined;
  declare thumb: string;
  /** A row of the list layout: thumbnail, name, status and the caption's first lines; no controls. */
  declare compact: boolean;
  /** The browser could not show the image (e.g. a corrupt file): a placeholder stands in. */
  declare thumbFailed: boolean;
  private editTimer: ReturnType<typeof setTimeout> | undefined;
  private pendingEdit: string | null = null;

  constructor() {
    super();
    this.item = null;
    this.live = undefined;
    this.thumb = '';
    this.compact = false;
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
      ${
        this.compact
          ? html`<p class="line" data-testid="caption-line">
              ${finalCaption(item) ?? this.live?.streamed ?? item.error?.message ?? ''}
            </p>`
          : html`${this.renderBody(item)} ${this.renderActions(item)}`
      }
    </article>`;
  }

  /** The error of an item in plain words; its name stays in the details, for a bug report. */
  private renderError(item: SessionItem) {
    const error = item.error;
    if (!error) return nothing;
    return html`<div class="error" data-testid="item-error">
      <p data-testid="error-message">${error.message}</p>
      ${item.record ? html`<p class="small">The caption below is the one it had before.</p>` : nothing}
      <details class="small">
        <summary>Details</summary>
        <code data-testid="error-name">${error.name}</code>
      </details>
    </div>`;
  }

  private renderBody(item: SessionItem) {
    const pending = item.status === 'running' || item.status === 'queued';
    const streamed = this.live?.streamed ?? '';
    const record = item.record;
    if (!record) {
      if (item.error) return this.renderError(item);
      if (!pending) return nothing;
      return html`<p class="streaming" data-testid="streamed" aria-hidden=${streamed ? 'false' : 'true'}>
          ${streamed || (item.status === 'queued' ? 'Waiting for its turn.' : '')}
        </p>
        ${this.renderSpeed()}`;
    }
    // A re-run waits, runs or failed: what the item had stays shown (and exported) until a new caption arrives.
    const caption = finalCaption(item) ?? '';
    return html`
      ${this.renderError(item)}
      ${
        pending
          ? html`<p class="streaming small" data-testid="streamed">
                ${streamed ? html`New caption: ${streamed}` : item.status === 'queued' ? 'Waiting to run again.' : ''}
              </p>
              ${this.renderSpeed()}`
          : nothing
      }
      <label class="caption">
        <span class="visually-hidden">Caption of ${item.name}</span>
        <textarea data-testid="caption" .value=${caption} @input=${this.onInput} @blur=${this.flushEdit}></textarea>
      </label>
      ${
        item.edited !== null
          ? html`<p class="muted small made-by" data-testid="edited">
              Your edit (kept and exported).
              <button class="linkish" data-testid="revert" @click=${() => this.act({ kind: 'revert' })}>
                ${item.versions?.at(-1)?.kind === 'generated' ? 'Use the new caption' : 'Revert to generated'}
              </button>
            </p>`
          : nothing
      }
      ${this.renderVersions(item)}
      <p class="facts">
        <span class="chip" data-testid="made-by" title="Written by ${madeBy(record)}"
          >${record.mode === 'capflow' ? 'CapFlow' : record.mode === 'single-pass' ? 'Single pass' : 'Own prompt'}${
            record.style ? ` · ${record.style}` : ''
          }</span
        >
        ${
          record.domain
            ? html`<span class="chip domain" data-testid="domain" title=${domainTitle(record.domain)}
                >${domainText(record.domain)}</span
              >`
            : nothing
        }
        ${
          record.runtime
            ? html`<span class="chip" data-testid="runtime" title=${describeRuntime(record.runtime)}
                >${record.runtime.device === 'webgpu' ? 'ran on the GPU' : 'ran on the CPU'}</span
              >`
            : nothing
        }
        <span class="chip">${(record.totalMs / 1000).toFixed(1)} s</span>
        <span class="chip" data-testid="length" title="Tokens are estimated: each model's tokenizer counts its own"
          >${lengthText(caption)}</span
        >
      </p>
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

  /** How fast the caption streams in, once it has streamed for a second. */
  private renderSpeed() {
    const live = this.live;
    if (!live?.firstTokenAt || !live.lastTokenAt) return nothing;
    const seconds = (live.lastTokenAt - live.firstTokenAt) / 1000;
    if (seconds < 1) return nothing;
    const rate = captionLength(live.streamed).tokens / seconds;
    return html`<p class="muted small" data-testid="speed">≈ ${rate.toFixed(1)} tokens/s</p>`;
  }

  /** Earlier captions, newest first, each with who wrote it and a way to show it again. */
  private renderVersions(item: SessionItem) {
    const versions = item.versions ?? [];
    if (versions.length === 0) return nothing;
    return html`<details class="versions" data-testid="versions">
      <summary>Earlier versions (${versions.length})</summary>
      <ol reversed>
        ${versions
          .map((version, index) => ({ version, index }))
          .reverse()
          .map(
            ({ version, index }) =>
              html`<li data-testid="version">
                <p class="muted small">${version.kind === 'edited' ? 'Your edit' : `Written by ${version.madeBy}`}</p>
                <p class="version-text">${version.text}</p>
                <button
                  class="linkish"
                  aria-label="Use this version as the caption of ${item.name}"
                  @click=${() => this.act({ kind: 'use-version', index })}
                >
                  Use this version
                </button>
              </li>`,
          )}
      </ol>
    </details>`;
  }

  /** Another domain for a re-run: for finished images in a routed mode (a video is always its own domain). */
  private renderPin(item: SessionItem) {
    if (!item.record || item.record.mode === 'prompt' || item.media === 'video') return nothing;
    const current = item.record.domain?.id ?? null;
    return html`<label class="pin">
      <select
        aria-label="Re-caption ${item.name} as domain"
        data-testid="pin-domain"
        @change=${(e: Event) => {
          if (!(e.target instanceof HTMLSelectElement)) return;
          const value = e.target.value;
          if (value === '') return;
          this.act({ kind: 'rerun', domain: IMAGE_DOMAIN_IDS.find((d) => d === value) ?? null });
        }}
      >
        <option value="" selected>Re-caption as…</option>
        ${IMAGE_DOMAIN_IDS.filter((d) => d !== current).map(
          (d) => html`<option value=${d}>${DOMAINS[d].label}</option>`,
        )}
      </select>
    </label>`;
  }

  private renderActions(item: SessionItem) {
    const name = item.name;
    const pending = item.status === 'queued' || item.status === 'running';
    const again = (item.status === 'failed' && !item.record) || item.status === 'cancelled';
    const recaption = item.status === 'done' || (item.status === 'failed' && item.record !== null);
    const button = (testid: string, label: string, text: string, action: ItemAction, cls = '') =>
      html`<button class=${cls} data-testid=${testid} aria-label=${label} @click=${() => this.act(action)}>
        ${text}
      </button>`;
    return html`<div class="actions">
      ${pending ? button('cancel', `Cancel ${name}`, 'Cancel', { kind: 'cancel' }) : nothing}
      ${again ? button('retry', `Retry ${name}`, 'Retry', { kind: 'retry' }) : nothing}
      ${
        isDuplicate(item)
          ? button('keep-duplicate', `Keep ${name} anyway`, 'Keep anyway', { kind: 'keep-duplicate' })
          : nothing
      }
      ${item.record ? button('copy', `Copy the caption of ${name}`, 'Copy', { kind: 'copy' }) : nothing}
      ${
        recaption
          ? button('recaption', `Re-caption ${name} with the current settings`, 'Re-caption', {
              kind: 'rerun',
              domain: null,
            })
          : nothing
      }
      ${button('remove', `Remove ${name}`, 'Remove', { kind: 'remove' }, 'quiet')}
      ${recaption ? this.renderPin(item) : nothing}
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
