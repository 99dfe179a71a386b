/**
 * `<mc-item>`: one image of the batch, short enough that a dataset's
 * cards fit a page: the thumbnail beside the name, the status (the live
 * stage while it runs) and the editable caption (or the caption streaming
 * in, or the error); the facts in one line, the judge's verdict; the
 * primary actions, and a menu with the rest (item-actions.ts), which opens
 * the trace, the details or the earlier versions below the card. Actions
 * are reported as one `item-action` event for the page to carry out.
 */
import { LitElement, html, nothing } from 'lit';
import type { LiveItem } from '../session/batch';
import { captionLength } from '../session/curate';
import { type SessionItem, finalCaption } from '../session/item';
import { statusText } from '../session/progress';
import { DisclosureMenu } from './disclosure-menu';
import { type ItemAction, type ItemActionDetail, type Panel, offersNewCaption, renderActions } from './item-actions';
import { renderDetails, renderFacts, renderJudge, renderVersions } from './item-facts';
import { framesText } from './item-text';
import { itemStyles } from './mc-item.styles';
import './mc-trace';
import { controls, menuStyles, tokens } from './theme';

export type { ItemAction, ItemActionDetail } from './item-actions';

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
    panel: { state: true },
  };

  declare item: SessionItem | null;
  declare live: LiveItem | undefined;
  declare thumb: string;
  /** A row of the list layout: thumbnail, name, status and the caption's first lines; no controls. */
  declare compact: boolean;
  /** The browser could not show the image (e.g. a corrupt file): a placeholder stands in. */
  declare thumbFailed: boolean;
  /** What is shown below the card: the trace, the details or the earlier versions (opened from its menu). */
  declare panel: Panel | null;
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
    this.panel = null;
  }

  private readonly act = (action: ItemAction): void => {
    if (!this.item) return;
    const detail: ItemActionDetail = { id: this.item.id, action };
    this.dispatchEvent(new CustomEvent('item-action', { detail, bubbles: true, composed: true }));
  };

  private readonly togglePanel = (panel: Panel): void => {
    const traceWas = this.panel === 'trace';
    this.panel = this.panel === panel ? null : panel;
    const traceIs = this.panel === 'trace';
    // The queue gives a card with its trace open the full width of the grid.
    if (traceWas !== traceIs) this.dispatchEvent(new CustomEvent('trace-toggle', { detail: traceIs, bubbles: true }));
  };

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
    // The name and its status on one line (the live stage wraps below when it does not fit).
    const title = html`<div class="title">
      <h3 title=${item.path}>${item.name}</h3>
      <p class="status" data-testid="status">
        <span class="badge ${item.status}">${statusText(item)}</span>
        ${item.status === 'running' && this.live ? html`<span class="stage">${this.live.stage}…</span>` : nothing}
      </p>
      ${item.path !== item.name ? html`<p class="muted path">${item.path}</p>` : nothing}
    </div>`;
    if (this.compact) {
      return html`<article data-status=${item.status} aria-label=${item.name}>
        <div class="top">${this.renderThumb(item)} ${title}</div>
        <p class="line" data-testid="caption-line">
          ${finalCaption(item) ?? this.live?.streamed ?? item.error?.message ?? ''}
        </p>
      </article>`;
    }
    // The caption (or what stands for it) beside the thumbnail, the facts below, the actions last.
    return html`<article data-status=${item.status} aria-label=${item.name}>
      <div class="head">${this.renderThumb(item)} ${title} ${this.renderMain(item)}</div>
      ${this.renderBody(item)} ${this.renderPanels(item)}
      ${renderActions({ item, menu: this.menu, panel: this.panel, act: this.act, togglePanel: this.togglePanel })}
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

  /** Below the caption: a re-run's state, the facts, a video's frames, the judge. */
  private renderBody(item: SessionItem) {
    const pending = item.status === 'running' || item.status === 'queued';
    const record = item.record;
    if (!record) return pending ? this.renderSpeed() : nothing;
    // A re-run waits, runs or failed: what the item had stays shown (and exported) until a new caption arrives.
    const streamed = this.live?.streamed ?? '';
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
        offersNewCaption(item) && !pending
          ? html`<p class="offer" data-testid="new-caption">New caption: ${record.caption}</p>`
          : nothing
      }
      ${renderFacts(item, record)}
      ${record.timestamps ? html`<p class="muted small" data-testid="frames">${framesText(record)}</p>` : nothing}
      ${renderJudge(item, record)}
    `;
  }

  /** The panel the menu opened (each is there, hidden, for its menu item's aria-controls). */
  private renderPanels(item: SessionItem) {
    const record = item.record;
    if (!record) return nothing;
    const shown = this.panel;
    return html`<div id="trace" class="panel trace" data-testid="trace" ?hidden=${shown !== 'trace'}>
        ${shown === 'trace' ? html`<mc-trace .steps=${record.trace}></mc-trace>` : nothing}
      </div>
      <div id="details" class="panel" data-testid="details" ?hidden=${shown !== 'details'}>
        ${shown === 'details' ? renderDetails(item, record) : nothing}
      </div>
      <div id="versions" class="panel" ?hidden=${shown !== 'versions'}>
        ${shown === 'versions' ? renderVersions(item, this.act) : nothing}
      </div>`;
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

  static override styles = [tokens, controls, menuStyles, itemStyles];
}

if (!customElements.get('mc-item')) customElements.define('mc-item', McItem);

declare global {
  interface HTMLElementTagNameMap {
    'mc-item': McItem;
  }
}
