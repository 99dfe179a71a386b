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
import { blockStyles } from './theme';

/** Cards rendered per page. */
const PAGE = 60;

/** The grid of items. */
export class McQueue extends LitElement {
  static override properties = {
    items: { attribute: false },
    live: { attribute: false },
    thumbs: { attribute: false },
  };

  declare items: readonly SessionItem[];
  declare live: ReadonlyMap<string, LiveItem>;
  declare thumbs: ReadonlyMap<string, string>;
  private focusId: string | null = null;
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
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.more.disconnect();
  }

  protected override updated(): void {
    const sentinel = this.renderRoot.querySelector('.more');
    this.more.disconnect();
    if (sentinel) this.more.observe(sentinel);
  }

  private readonly onKey = async (event: KeyboardEvent): Promise<void> => {
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
    return html`<h2 class="visually-hidden">Images in this session</h2>
      <ol aria-label="Images in this session" @keydown=${this.onKey} @item-action=${this.onItemAction}>
        ${repeat(
          items,
          // Keyed by item: a card's element (its focus, a pending edit, an open trace) stays with its item
          // when others are removed, never handed to the next one.
          (item) => item.id,
          (item) =>
            html`<li
              aria-label="${item.name}, ${statusText(item)}"
              data-id=${item.id}
              data-status=${item.status}
              class=${this.wide.has(item.id) ? 'wide' : ''}
              tabindex=${item.id === focusId ? 0 : -1}
              @focus=${() => (this.focusId = item.id)}
              @trace-toggle=${(e: CustomEvent<boolean>) => this.toggleWide(item.id, e.detail)}
            >
              <mc-item .item=${item} .live=${this.live.get(item.id)} .thumb=${this.thumbs.get(item.id) ?? ''}></mc-item>
            </li>`,
        )}
      </ol>
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
      li {
        border-radius: var(--mc-radius);
        min-width: 0;
      }
      li.wide {
        grid-column: 1 / -1;
      }
      /* Cards off screen skip layout and paint until they come near. */
      li {
        content-visibility: auto;
        contain-intrinsic-size: auto 22rem;
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
