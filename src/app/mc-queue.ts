/**
 * `<mc-queue>`: the batch's images as a grid of `<mc-item>` cards. The
 * list is one tab stop; arrow keys, Home and End move between its items
 * (a roving tab index, in reading order and by rows). An item whose trace
 * is open takes the grid's full width.
 */
import { LitElement, css, html } from 'lit';
import type { LiveItem } from '../session/batch';
import type { SessionItem } from '../session/item';
import { statusText } from '../session/progress';
import './mc-item';
import { controls, tokens } from './theme';

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
  /** Items whose trace is open. */
  private readonly wide = new Set<string>();

  constructor() {
    super();
    this.items = [];
    this.live = new Map();
    this.thumbs = new Map();
  }

  private readonly onKey = (event: KeyboardEvent): void => {
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

  private toggleWide(id: string, open: boolean): void {
    if (open) this.wide.add(id);
    else this.wide.delete(id);
    this.requestUpdate();
  }

  override render() {
    const items = this.items;
    const focusId = items.some((i) => i.id === this.focusId) ? this.focusId : (items[0]?.id ?? null);
    return html`<h2 class="visually-hidden">Images in this session</h2>
      <ol aria-label="Images in this session" @keydown=${this.onKey}>
        ${items.map(
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
      </ol>`;
  }

  static override styles = [
    tokens,
    controls,
    css`
      :host {
        display: block;
      }
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
    `,
  ];
}

if (!customElements.get('mc-queue')) customElements.define('mc-queue', McQueue);

declare global {
  interface HTMLElementTagNameMap {
    'mc-queue': McQueue;
  }
}
