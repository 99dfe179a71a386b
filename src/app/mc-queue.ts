/**
 * `<mc-queue>`: the batch's images as a grid of `<mc-item>` cards. The
 * list is one tab stop; arrow keys, Home and End move between its items
 * (a roving tab index, in reading order and by rows). An item whose trace
 * is open takes the grid's full width. Cards are made a page at a time as
 * the list scrolls into view, so a thousand files do not freeze the page.
 */
import { LitElement, css, html, nothing } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import type { LiveItem } from '../session/batch';
import type { SessionItem } from '../session/item';
import { statusText } from '../session/progress';
import './mc-item';
import type { ItemActionDetail } from './mc-item';
import type { Layout } from './mc-curate';

/** The detail of `select-items`: these items become selected, or not. */
export interface SelectDetail {
  readonly ids: readonly string[];
  readonly selected: boolean;
}
import { blockStyles } from './theme';

/** Cards rendered per page. */
const PAGE = 60;

/** The grid of items. */
export class McQueue extends LitElement {
  static override properties = {
    items: { attribute: false },
    live: { attribute: false },
    thumbs: { attribute: false },
    selected: { attribute: false },
    layout: { attribute: false },
    focusId: { state: true },
  };

  declare items: readonly SessionItem[];
  declare live: ReadonlyMap<string, LiveItem>;
  declare thumbs: ReadonlyMap<string, string>;
  declare selected: ReadonlySet<string>;
  declare layout: Layout;
  /** The item with the list's tab stop; in the list layout, the one previewed beside it. */
  declare focusId: string | null;
  /** Where a shift-click range starts: the item last selected by a click. */
  private anchor: string | null = null;
  /** The item that ran when the list last rendered (the working item is kept in view). */
  private lastRunning: string | null = null;
  /** How many cards are rendered; grows a page at a time as the end of the list comes into view. */
  private limit = PAGE;
  private readonly more = new IntersectionObserver((entries) => {
    if (entries.some((e) => e.isIntersecting) && this.limit < this.items.length) {
      this.limit += PAGE;
      this.requestUpdate();
    }
  });
  /** Items whose trace is open. */
  private readonly wide = new Set<string>();

  constructor() {
    super();
    this.items = [];
    this.live = new Map();
    this.thumbs = new Map();
    this.selected = new Set();
    this.layout = 'cards';
    this.focusId = null;
  }

  private emitSelect(ids: readonly string[], selected: boolean): void {
    const detail: SelectDetail = { ids, selected };
    this.dispatchEvent(new CustomEvent('select-items', { detail, bubbles: true, composed: true }));
  }

  /** A click on an item's checkbox: toggles it, or with Shift selects the range from the last one clicked. */
  private onCheck(event: MouseEvent, id: string): void {
    const box = event.target;
    if (!(box instanceof HTMLInputElement)) return;
    const from = this.anchor === null ? -1 : this.items.findIndex((i) => i.id === this.anchor);
    const to = this.items.findIndex((i) => i.id === id);
    if (event.shiftKey && from >= 0 && to >= 0) {
      const [a, b] = from < to ? [from, to] : [to, from];
      this.emitSelect(
        this.items.slice(a, b + 1).map((i) => i.id),
        true,
      );
    } else {
      this.emitSelect([id], box.checked);
    }
    this.anchor = id;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.more.disconnect();
  }

  protected override updated(): void {
    const sentinel = this.renderRoot.querySelector('.more');
    this.more.disconnect();
    if (sentinel) this.more.observe(sentinel);
    this.keepWorkingInView();
  }

  /**
   * When the next item starts and the one before it was in view, the new
   * one is scrolled into view too; a user who scrolled away is left where
   * they are.
   */
  private keepWorkingInView(): void {
    const running = this.items.find((i) => i.status === 'running')?.id ?? null;
    // Between two items a render may find none running: the one before stays the reference.
    if (running === null || running === this.lastRunning) return;
    const card = (id: string | null) =>
      id ? this.renderRoot.querySelector<HTMLElement>(`li[data-id="${CSS.escape(id)}"]`) : null;
    const before = card(this.lastRunning)?.getBoundingClientRect();
    this.lastRunning = running;
    const watched = before && before.bottom > 0 && before.top < window.innerHeight;
    if (watched) card(running)?.scrollIntoView({ block: 'nearest' });
  }

  private readonly onKey = async (event: KeyboardEvent): Promise<void> => {
    const onCard = event.target instanceof HTMLElement && event.target.matches('li[data-id]');
    if (onCard && event.key === ' ' && event.target instanceof HTMLElement) {
      // Space on a focused item toggles its selection, as on a checkbox.
      event.preventDefault();
      const id = event.target.dataset.id ?? '';
      this.emitSelect([id], !this.selected.has(id));
      this.anchor = id;
      return;
    }
    if (onCard && event.key === 'a' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      this.emitSelect(
        this.items.map((i) => i.id),
        true,
      );
      return;
    }
    if (event.key === 'End' && this.limit < this.items.length) {
      event.preventDefault();
      // The last item is not rendered yet: render them all first.
      this.limit = this.items.length;
      this.requestUpdate();
      await this.updateComplete;
    }
    const cards = [...this.renderRoot.querySelectorAll<HTMLElement>('li[data-id]')];
    const current = cards.findIndex((c) => c === event.target);
    if (current < 0) return;
    // Columns of the grid as laid out now, for Up and Down.
    const columns = Math.max(1, Math.round((cards[0]?.parentElement?.clientWidth ?? 1) / (cards[0]?.clientWidth || 1)));
    const moves: Record<string, number> = {
      ArrowRight: 1,
      ArrowLeft: -1,
      ArrowDown: columns,
      ArrowUp: -columns,
      Home: -current,
      End: cards.length - 1 - current,
    };
    const move = moves[event.key];
    if (move === undefined) return;
    event.preventDefault();
    const next = cards[Math.min(cards.length - 1, Math.max(0, current + move))];
    this.focusId = next?.dataset.id ?? null;
    this.requestUpdate();
    next?.focus();
  };

  /**
   * After Cancel or Remove the button pressed is gone: focus moves to the
   * next item's card (the one that takes a removed item's place), never to
   * the page's body.
   */
  private readonly onItemAction = (event: CustomEvent<ItemActionDetail>): void => {
    const { id, action } = event.detail;
    if (action.kind !== 'cancel' && action.kind !== 'remove') return;
    const index = this.items.findIndex((i) => i.id === id);
    if (index < 0) return;
    const after = action.kind === 'remove' ? this.items[index + 1] : (this.items[index + 1] ?? this.items[index]);
    const target = after ?? this.items[index - 1];
    if (!target) return;
    this.focusId = target.id;
    // The page applies the action first (the event is still on its way up); focus follows the render.
    requestAnimationFrame(
      () =>
        void this.updateComplete.then(() =>
          this.renderRoot.querySelector<HTMLElement>(`li[data-id="${CSS.escape(target.id)}"]`)?.focus(),
        ),
    );
  };

  private toggleWide(id: string, open: boolean): void {
    if (open) this.wide.add(id);
    else this.wide.delete(id);
    this.requestUpdate();
  }

  override render() {
    const items = this.items.slice(0, this.limit);
    const focusId = items.some((i) => i.id === this.focusId) ? this.focusId : (items[0]?.id ?? null);
    const hidden = this.items.length - items.length;
    const list = this.layout === 'list';
    const previewed = list ? this.items.find((i) => i.id === focusId) : undefined;
    return html`<h2 class="visually-hidden">Images in this session</h2>
      <div class=${list ? 'split' : ''}>
        <ol
          aria-label="Images in this session"
          class=${list ? 'list' : 'cards'}
          @keydown=${this.onKey}
          @item-action=${this.onItemAction}
        >
          ${repeat(
            items,
            // Keyed by item: a card's element (its focus, a pending edit, an open trace) stays with its item
            // when others are removed, never handed to the next one.
            (item) => item.id,
            (item) =>
              html`<li
                aria-label="${item.name}, ${statusText(item)}${this.selected.has(item.id) ? ', selected' : ''}"
                data-id=${item.id}
                data-status=${item.status}
                class="${this.wide.has(item.id) && !list ? 'wide' : ''} ${this.selected.has(item.id) ? 'selected' : ''}"
                tabindex=${item.id === focusId ? 0 : -1}
                @focus=${() => (this.focusId = item.id)}
                @trace-toggle=${(e: CustomEvent<boolean>) => this.toggleWide(item.id, e.detail)}
              >
                <input
                  type="checkbox"
                  class="select"
                  data-testid="select"
                  tabindex="-1"
                  aria-label="Select ${item.name}"
                  .checked=${this.selected.has(item.id)}
                  @click=${(e: MouseEvent) => this.onCheck(e, item.id)}
                />
                <mc-item
                  .item=${item}
                  .live=${this.live.get(item.id)}
                  .thumb=${this.thumbs.get(item.id) ?? ''}
                  ?compact=${list}
                  @click=${() => list && (this.focusId = item.id)}
                ></mc-item>
              </li>`,
          )}
        </ol>
        ${
          previewed
            ? html`<aside class="preview" aria-label="Preview of ${previewed.name}" data-testid="preview-pane">
                ${
                  this.thumbs.get(previewed.id) && previewed.media !== 'video'
                    ? html`<img class="large" src=${this.thumbs.get(previewed.id) ?? ''} alt="" />`
                    : nothing
                }
                <mc-item
                  .item=${previewed}
                  .live=${this.live.get(previewed.id)}
                  .thumb=${this.thumbs.get(previewed.id) ?? ''}
                ></mc-item>
              </aside>`
            : nothing
        }
      </div>
      ${hidden > 0 ? html`<p class="more muted" aria-live="off">${hidden} more below…</p>` : nothing}`;
  }

  static override styles = [
    ...blockStyles,
    css`
      ol {
        list-style: none;
        margin: 0;
        padding: 0;
        display: grid;
        grid-template-columns: repeat(auto-fill, minmax(min(100%, 20rem), 1fr));
        gap: var(--mc-gap);
      }
      ol.list {
        grid-template-columns: 1fr;
        gap: 0.25rem;
      }
      li {
        border-radius: var(--mc-radius);
        min-width: 0;
        position: relative;
      }
      /* The card fills its grid cell, so a row's cards (and a selection's outline) line up. */
      li > mc-item {
        height: 100%;
      }
      li.selected {
        outline: 2px solid var(--mc-accent);
        outline-offset: 1px;
      }
      /* The checkbox sits in the card's top right corner (a row's left edge in the list). */
      .select {
        position: absolute;
        top: 0.55rem;
        right: 0.55rem;
        z-index: 1;
        width: 1.15rem;
        height: 1.15rem;
        margin: 0;
        accent-color: var(--mc-accent);
      }
      ol.list li {
        contain-intrinsic-size: auto 4.5rem;
      }
      .split {
        display: grid;
        gap: var(--mc-gap);
      }
      @media (min-width: 48rem) {
        .split {
          grid-template-columns: minmax(16rem, 2fr) 3fr;
          align-items: start;
        }
        .preview {
          position: sticky;
          top: 5rem;
        }
      }
      .preview {
        display: grid;
        gap: 0.5rem;
      }
      .preview .large {
        width: 100%;
        max-height: 60vh;
        object-fit: contain;
        border-radius: var(--mc-radius);
        background: var(--mc-surface);
      }
      li.wide {
        grid-column: 1 / -1;
      }
      /* Cards off screen skip layout and paint until they come near (a finished card is about 11.5rem tall). */
      li {
        content-visibility: auto;
        contain-intrinsic-size: auto 11.5rem;
      }
      /* A card's open menu reaches past the card: not clipped, and above the cards after it. */
      li:has(> mc-item[menu-open]) {
        content-visibility: visible;
        z-index: 3;
      }
      .more {
        text-align: center;
        padding: 1rem;
      }
    `,
  ];
}

if (!customElements.get('mc-queue')) customElements.define('mc-queue', McQueue);

declare global {
  interface HTMLElementTagNameMap {
    'mc-queue': McQueue;
  }
}
