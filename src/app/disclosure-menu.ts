/**
 * A disclosure menu for a Lit component: a button that shows and hides a
 * list of controls. The arrow keys, Home and End move between the items,
 * Escape closes it with focus back on the button (and is kept from the
 * page, whose Escape closes panels), and a press or focus outside closes
 * it. The toolbar's "More" and each card's "⋯" share it, so they behave
 * the same.
 */
import type { LitElement, ReactiveController } from 'lit';

/** Where the menu's parts are, as selectors inside the host's render root. */
export interface MenuParts {
  /** The element holding the button and the menu (a press inside it is no press outside). */
  readonly container: string;
  readonly toggle: string;
  readonly menu: string;
}

/** A menu's open state and its keyboard and pointer handling. */
export class DisclosureMenu implements ReactiveController {
  private isOpen = false;

  constructor(
    private readonly host: LitElement,
    private readonly parts: MenuParts,
  ) {
    host.addController(this);
  }

  get open(): boolean {
    return this.isOpen;
  }

  hostDisconnected(): void {
    document.removeEventListener('pointerdown', this.onOutside, true);
  }

  /** Opens the menu, or closes it with focus back on its button. */
  readonly toggle = (): void => {
    if (this.isOpen) this.close(true);
    else this.set(true);
  };

  /** Closes the menu; focus goes back to its button when it was inside the menu, or when `always`. */
  close(always = false): void {
    if (!this.isOpen) return;
    const active = this.host.shadowRoot?.activeElement ?? null;
    const inside = this.query(this.parts.menu)?.contains(active) ?? false;
    this.set(false);
    if (always || inside) void this.host.updateComplete.then(() => this.query<HTMLElement>(this.parts.toggle)?.focus());
  }

  /** Shuts the menu without moving focus (e.g. the layout changed under it). */
  reset(): void {
    this.set(false);
  }

  /** For the container's `keydown`. */
  readonly onKey = (event: KeyboardEvent): void => {
    if (event.key === 'Escape' && this.isOpen) {
      event.preventDefault();
      event.stopPropagation();
      this.close(true);
      return;
    }
    // A select in the menu (a card's "Re-caption as…") opens with Alt+arrow or Space; a plain arrow moves on
    // through the menu, as on its buttons, instead of choosing an option (which would start a re-run).
    if (event.target instanceof HTMLSelectElement && event.altKey) return;
    const moves: Record<string, (i: number, n: number) => number> = {
      ArrowDown: (i, n) => (i + 1) % n,
      ArrowUp: (i, n) => (i - 1 + n) % n,
      Home: () => 0,
      End: (_, n) => n - 1,
    };
    const move = moves[event.key];
    if (!move) return;
    const onToggle = event.target instanceof Element && event.target === this.query(this.parts.toggle);
    if (onToggle && event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
    event.preventDefault();
    this.set(true);
    void this.host.updateComplete.then(() => {
      const items = this.items();
      if (!items.length) return;
      const current = items.findIndex((item) => item === this.host.shadowRoot?.activeElement);
      const next = current < 0 ? (event.key === 'ArrowUp' ? items.length - 1 : 0) : move(current, items.length);
      items[next]?.focus();
    });
  };

  /** For the container's `focusout`: focus leaving for somewhere else on the page closes the menu. */
  readonly onFocusOut = (event: FocusEvent): void => {
    const to = event.relatedTarget;
    const container = this.query(this.parts.container);
    if (to instanceof Node && container && !container.contains(to)) this.set(false);
  };

  private set(open: boolean): void {
    if (open === this.isOpen) return;
    this.isOpen = open;
    // On the host too, so a container can lift it above its neighbours (and stop clipping it) while open.
    this.host.toggleAttribute('menu-open', open);
    if (open) document.addEventListener('pointerdown', this.onOutside, true);
    else document.removeEventListener('pointerdown', this.onOutside, true);
    this.host.requestUpdate();
  }

  /** A press outside the menu closes it (focus stays where the press put it). */
  private readonly onOutside = (event: Event): void => {
    const container = this.query(this.parts.container);
    if (container && !event.composedPath().includes(container)) this.set(false);
  };

  /** The menu's controls that can take focus, in order. */
  private items(): HTMLElement[] {
    const menu = this.query(this.parts.menu);
    if (!menu) return [];
    return [...menu.querySelectorAll<HTMLButtonElement | HTMLSelectElement>('button, select')].filter(
      (c) => !c.disabled,
    );
  }

  private query<T extends Element = Element>(selector: string): T | null {
    return this.host.renderRoot.querySelector<T>(selector);
  }
}
