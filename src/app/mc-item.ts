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
import type { AgentTrace, CaptionRecord, DomainId } from '../shared/record';
import type { LiveItem } from '../session/batch';
import { captionLength, countedTokens } from '../session/curate';
import { type SessionItem, finalCaption, madeBy } from '../session/item';
import { isDuplicate, statusText } from '../session/progress';
import { describeRuntime } from './format';
import './mc-trace';
import { IMAGE_DOMAIN_IDS } from './settings';
import { itemStyles } from './mc-item.styles';
import { DisclosureMenu } from './disclosure-menu';
import { controls, menuStyles, tokens } from './theme';

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

/** "natural, 98% sure", or "medical, 40% sure · picked by the vision model": the domain, the confidence and how it was decided where that is not the usual classifier pick. */
function domainText(domain: Domain): string {
  const confidence = domain.confidence === null ? '' : `, ${Math.round(domain.confidence * 100)}% sure`;
  const setAside = domain.setAside ? ` (the domain you chose, ${domain.setAside}, does not apply to a video)` : '';
  // The usual way (the classifier's pick) is left to the tooltip; any other is worth a look.
  const how = domain.decidedBy === 'zero-shot' ? '' : ` · ${DECIDED_BY[domain.decidedBy]}`;
  return `${domain.label}${confidence}${how}${setAside}`;
}

/** How it was decided in words, then the technical form, for the tooltip: "Picked by … (Domain natural 98% · decided by zero-shot)". */
function domainTitle(domain: Domain): string {
  const confidence = domain.confidence === null ? '' : ` ${Math.round(domain.confidence * 100)}%`;
  const how = DECIDED_BY[domain.decidedBy];
  return `${how[0]?.toUpperCase()}${how.slice(1)} (domain ${domain.id}${confidence} · decided by ${domain.decidedBy})`;
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

/**
 * "212 characters · 48 tokens" when the caption is the model's answer as it wrote it (its own tokenizer's count),
 * "212 characters · ≈ 50 tokens" for an edit (an estimate), with the tooltip saying which.
 */
function lengthOf(text: string, trace: readonly AgentTrace[]): { text: string; title: string } {
  const { chars, tokens } = captionLength(text);
  const counted = countedTokens(trace, text);
  return counted === null
    ? {
        text: `${chars} characters · ≈ ${tokens} tokens`,
        title: "Tokens estimated: each model's tokenizer counts its own",
      }
    : { text: `${chars} characters · ${counted} tokens`, title: 'Tokens as the model that wrote it counted them' };
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
    traceOpen: { state: true },
  };

  declare item: SessionItem | null;
  declare live: LiveItem | undefined;
  declare thumb: string;
  /** A row of the list layout: thumbnail, name, status and the caption's first lines; no controls. */
  declare compact: boolean;
  /** The browser could not show the image (e.g. a corrupt file): a placeholder stands in. */
  declare thumbFailed: boolean;
  /** The trace is shown below the card. */
  declare traceOpen: boolean;
  private editTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly menu = new DisclosureMenu(this, {
    container: '.more',
    toggle: '[data-testid="item-menu"]',
    menu: '#item-menu',
  });
  private pendingEdit: string | null = null;

  constructor() {
    super();
    this.item = null;
    this.live = undefined;
    this.thumb = '';
    this.compact = false;
    this.thumbFailed = false;
    this.traceOpen = false;
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
    const title = html`<div class="title">
      <h3 title=${item.path}>${item.name}</h3>
      ${item.path !== item.name ? html`<p class="muted path">${item.path}</p>` : nothing}
      <p class="status" data-testid="status">
        <span class="badge ${item.status}">${statusText(item)}</span>
        ${item.status === 'running' && this.live ? html`<span class="stage">${this.live.stage}…</span>` : nothing}
      </p>
    </div>`;
    if (this.compact) {
      return html`<article data-status=${item.status} aria-label=${item.name}>
        <div class="top">${this.renderThumb(item)} ${title}</div>
        <p class="line" data-testid="caption-line">
          ${finalCaption(item) ?? this.live?.streamed ?? item.error?.message ?? ''}
        </p>
      </article>`;
    }
    // The card: the caption (or what stands for it) beside the thumbnail, the rest below, the actions last.
    return html`<article data-status=${item.status} aria-label=${item.name}>
      <div class="head">${this.renderThumb(item)} ${title} ${this.renderMain(item)}</div>
      ${this.renderBody(item)} ${this.renderTrace(item)} ${this.renderActions(item)}
    </article>`;
  }

  private renderThumb(item: SessionItem) {
    if (!this.thumb || this.thumbFailed) {
      return html`<div class="thumb none" aria-hidden="true">
        ${item.status === 'refused' || this.thumbFailed ? '✕' : '…'}
      </div>`;
    }
    return item.media === 'video'
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
      : html`<img class="thumb" src=${this.thumb} alt="" @error=${() => (this.thumbFailed = true)} />`;
  }

  /** Beside the thumbnail: the caption to edit, else the caption streaming in, else the error. */
  private renderMain(item: SessionItem) {
    if (item.record) {
      return html`<label class="caption main">
        <span class="visually-hidden">Caption of ${item.name}</span>
        <textarea
          data-testid="caption"
          .value=${finalCaption(item) ?? ''}
          @input=${this.onInput}
          @blur=${this.flushEdit}
        ></textarea>
      </label>`;
    }
    if (item.error) return html`<div class="main">${this.renderError(item)}</div>`;
    if (item.status !== 'running' && item.status !== 'queued') return nothing;
    const streamed = this.live?.streamed ?? '';
    return html`<p class="streaming main" data-testid="streamed" aria-hidden=${streamed ? 'false' : 'true'}>
      ${streamed || (item.status === 'queued' ? 'Waiting for its turn.' : '')}
    </p>`;
  }

  /** The error of an item in plain words; its name stays in the details, for a bug report. */
  private renderError(item: SessionItem) {
    const error = item.error;
    if (!error) return nothing;
    return html`<div class="error" data-testid="item-error">
      <p data-testid="error-message">${error.message}</p>
      ${item.record ? html`<p class="small">The caption above is the one it had before.</p>` : nothing}
      <details class="small">
        <summary>Details</summary>
        <code data-testid="error-name">${error.name}</code>
      </details>
    </div>`;
  }

  /** Below the caption: a re-run's state, the edit and earlier versions, what made it, the judge, the trace. */
  private renderBody(item: SessionItem) {
    const pending = item.status === 'running' || item.status === 'queued';
    const record = item.record;
    if (!record) return pending ? this.renderSpeed() : nothing;
    // A re-run waits, runs or failed: what the item had stays shown (and exported) until a new caption arrives.
    const streamed = this.live?.streamed ?? '';
    const caption = finalCaption(item) ?? '';
    const length = lengthOf(caption, record.trace);
    // A judge whose answer could not be read has no scores to list.
    const unread = record.judge !== null && Object.values(record.judge.scores).every((v) => v === null);
    const steps = `${record.trace.length} ${record.trace.length === 1 ? 'step' : 'steps'}`;
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
        <span class="chip" data-testid="length" title=${length.title}>${length.text}</span>
        <button
          class="linkish trace-toggle"
          aria-expanded=${this.traceOpen}
          aria-controls="trace"
          @click=${this.toggleTrace}
        >
          Trace · ${steps}
        </button>
      </p>
      ${record.timestamps ? html`<p class="muted small" data-testid="frames">${framesText(record)}</p>` : nothing}
      ${
        record.judge
          ? html`<div class="judge">
              <p class="judge-title" data-testid="verdict">
                Judge,
                1–3${
                  unread
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
              ${
                unread
                  ? nothing
                  : html`<dl class="scores" data-testid="scores" aria-label="Judge scores of ${item.name}, 1 to 3">
                      ${Object.entries(record.judge.scores).map(
                        ([dim, score]) =>
                          html`<div class="score s${score ?? 'x'}">
                            <dt>${dim}</dt>
                            <dd>${score ?? '—'}</dd>
                          </div>`,
                      )}
                    </dl>`
              }
            </div>`
          : nothing
      }
    `;
  }

  /** The steps that made the caption, shown below the card's actions while their button is pressed. */
  private renderTrace(item: SessionItem) {
    if (!item.record) return nothing;
    return html`<div id="trace" class="trace" data-testid="trace" ?hidden=${!this.traceOpen}>
      ${this.traceOpen ? html`<mc-trace .steps=${item.record.trace}></mc-trace>` : nothing}
    </div>`;
  }

  private toggleTrace(): void {
    this.traceOpen = !this.traceOpen;
    // The queue gives a card with its trace open the full width of the grid.
    this.dispatchEvent(new CustomEvent('trace-toggle', { detail: this.traceOpen, bubbles: true }));
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
    return html`<select
      aria-label="Re-caption ${item.name} as domain"
      data-testid="pin-domain"
      @change=${(e: Event) => {
        if (!(e.target instanceof HTMLSelectElement)) return;
        const value = e.target.value;
        if (value === '') return;
        this.menu.close(true);
        this.act({ kind: 'rerun', domain: IMAGE_DOMAIN_IDS.find((d) => d === value) ?? null });
      }}
    >
      <option value="" selected>Re-caption as…</option>
      ${IMAGE_DOMAIN_IDS.filter((d) => d !== current).map((d) => html`<option value=${d}>${DOMAINS[d].label}</option>`)}
    </select>`;
  }

  /**
   * Copy and Re-caption on a finished card, Cancel or Retry on one that is not; Remove and "Re-caption as"
   * are in the card's menu once it has a caption (while it has none, Remove is its main action).
   */
  private renderActions(item: SessionItem) {
    const name = item.name;
    const pending = item.status === 'queued' || item.status === 'running';
    const again = (item.status === 'failed' && !item.record) || item.status === 'cancelled';
    const recaption = item.status === 'done' || (item.status === 'failed' && item.record !== null);
    const button = (testid: string, label: string, text: string, action: ItemAction, cls = '') =>
      html`<button class=${cls} data-testid=${testid} aria-label=${label} @click=${() => this.act(action)}>
        ${text}
      </button>`;
    const remove = button('remove', `Remove ${name}`, 'Remove', { kind: 'remove' }, 'quiet');
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
      ${
        item.record
          ? html`<div class="more" @keydown=${this.menu.onKey} @focusout=${this.menu.onFocusOut}>
              <button
                data-testid="item-menu"
                aria-label="More for ${name}"
                aria-expanded=${this.menu.open}
                aria-controls="item-menu"
                @click=${this.menu.toggle}
              >
                More<span class="caret" aria-hidden="true">▾</span>
              </button>
              <div id="item-menu" class="menu" ?hidden=${!this.menu.open}>
                ${recaption ? this.renderPin(item) : nothing} ${remove}
              </div>
            </div>`
          : remove
      }
    </div>`;
  }

  static override styles = [tokens, controls, menuStyles, itemStyles];
}

if (!customElements.get('mc-item')) customElements.define('mc-item', McItem);

declare global {
  interface HTMLElementTagNameMap {
    'mc-item': McItem;
  }
}
