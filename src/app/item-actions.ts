/**
 * An item card's actions. The primary ones are buttons on the card, one
 * click each: Cancel or Retry, Keep anyway, Copy, "Use the new caption"
 * when a re-run wrote one beside the user's edit, and Re-caption. The
 * secondary ones are in the card's "More" menu (a disclosure menu, as the
 * toolbar's): Re-caption as another domain, Revert to generated, the
 * earlier versions, the details, the trace and Remove. While an item has
 * no caption, Remove is one of its main actions instead. Every control is
 * named for its file.
 */
import { html, nothing } from 'lit';
import { DOMAINS } from '../capflow/spec';
import type { DomainId } from '../shared/record';
import type { SessionItem } from '../session/item';
import { isDuplicate } from '../session/progress';
import type { DisclosureMenu } from './disclosure-menu';
import { IMAGE_DOMAIN_IDS } from './settings';

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

/** What a card shows below its caption on request, one at a time. */
export type Panel = 'trace' | 'versions' | 'details';

/** What the actions need of their card. */
export interface CardContext {
  readonly item: SessionItem;
  readonly menu: DisclosureMenu;
  /** The panel shown, if any. */
  readonly panel: Panel | null;
  readonly act: (action: ItemAction) => void;
  readonly togglePanel: (panel: Panel) => void;
}

/** The edit is the caption and the latest version is a re-run's: its caption is offered in one click. */
export function offersNewCaption(item: SessionItem): boolean {
  return item.edited !== null && item.versions?.at(-1)?.kind === 'generated';
}

/** The card's row of actions: the primary ones, then its menu. */
export function renderActions(ctx: CardContext) {
  const { item } = ctx;
  const name = item.name;
  const pending = item.status === 'queued' || item.status === 'running';
  const again = (item.status === 'failed' && !item.record) || item.status === 'cancelled';
  const recaption = item.status === 'done' || (item.status === 'failed' && item.record !== null);
  const button = (testid: string, label: string, text: string, action: ItemAction, cls = '') =>
    html`<button class=${cls} data-testid=${testid} aria-label=${label} @click=${() => ctx.act(action)}>
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
      offersNewCaption(item)
        ? button('revert', `Use the new caption of ${name}`, 'Use the new caption', { kind: 'revert' })
        : nothing
    }
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
        ? renderMenu(ctx, recaption)
        : button('remove', `Remove ${name}`, 'Remove', { kind: 'remove' }, 'quiet')
    }
  </div>`;
}

/** The card's "More" menu: the secondary controls of an item that has a caption. */
function renderMenu(ctx: CardContext, recaption: boolean) {
  const { item, menu } = ctx;
  const record = item.record;
  if (!record) return nothing;
  const name = item.name;
  const versions = item.versions?.length ?? 0;
  const steps = `${record.trace.length} ${record.trace.length === 1 ? 'step' : 'steps'}`;
  // An action closes the menu, focus back on its button; a panel opens below the card.
  const run = (action: ItemAction) => () => {
    menu.close(true);
    ctx.act(action);
  };
  const panel = (which: Panel, testid: string, text: string) =>
    html`<button
      data-testid=${testid}
      aria-label="${text} of ${name}"
      aria-expanded=${ctx.panel === which}
      aria-controls=${which}
      @click=${() => {
        menu.close(true);
        ctx.togglePanel(which);
      }}
    >
      ${text}
    </button>`;
  return html`<div class="more" @keydown=${menu.onKey} @focusout=${menu.onFocusOut}>
    <button
      data-testid="item-menu"
      aria-label="More for ${name}"
      aria-expanded=${menu.open}
      aria-controls="item-menu"
      @click=${menu.toggle}
    >
      More<span class="caret" aria-hidden="true">▾</span>
    </button>
    <div id="item-menu" class="menu" ?hidden=${!menu.open}>
      ${recaption ? renderPin(ctx) : nothing}
      ${
        item.edited !== null && !offersNewCaption(item)
          ? html`<button
              data-testid="revert"
              aria-label="Revert to generated caption of ${name}"
              @click=${run({ kind: 'revert' })}
            >
              Revert to generated
            </button>`
          : nothing
      }
      ${versions > 0 ? panel('versions', 'versions-toggle', `Earlier versions (${versions})`) : nothing}
      ${panel('details', 'details-toggle', 'Details')} ${panel('trace', 'trace-toggle', `Trace · ${steps}`)}
      <button data-testid="remove" aria-label="Remove ${name}" @click=${run({ kind: 'remove' })}>Remove</button>
    </div>
  </div>`;
}

/** Another domain for a re-run: for finished images in a routed mode (a video is always its own domain). */
function renderPin(ctx: CardContext) {
  const { item, menu } = ctx;
  if (!item.record || item.record.mode === 'prompt' || item.media === 'video') return nothing;
  const current = item.record.domain?.id ?? null;
  return html`<select
    aria-label="Re-caption ${item.name} as domain"
    data-testid="pin-domain"
    @change=${(e: Event) => {
      if (!(e.target instanceof HTMLSelectElement)) return;
      const value = e.target.value;
      if (value === '') return;
      menu.close(true);
      ctx.act({ kind: 'rerun', domain: IMAGE_DOMAIN_IDS.find((d) => d === value) ?? null });
    }}
  >
    <option value="" selected>Re-caption as…</option>
    ${IMAGE_DOMAIN_IDS.filter((d) => d !== current).map((d) => html`<option value=${d}>${DOMAINS[d].label}</option>`)}
  </select>`;
}
