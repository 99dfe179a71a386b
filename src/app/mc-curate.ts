/**
 * `<mc-curate>`: the dataset bar above the items — search, filter, sort,
 * cards or list, the selection and what to do with it (re-caption with the
 * current settings, remove), and the bulk caption tools: find/replace
 * (plain or regex) and a prefix such as a trigger word, each previewed
 * before it is applied. It works on the selection, or on what is shown
 * when nothing is selected. Reports what was chosen as events.
 */
import { LitElement, html, nothing } from 'lit';
import { DOMAINS } from '../capflow/spec';
import {
  type ItemView,
  type PlannedEdit,
  SORT_ORDERS,
  STATUS_FILTERS,
  type SortOrder,
  type StatusFilter,
  planPrefix,
  planReplace,
} from '../session/curate';
import type { SessionItem } from '../session/item';
import type { DomainId } from '../shared/record';
import { curateStyles } from './mc-curate.styles';
import { controls, tokens } from './theme';

/** How items are laid out. */
export type Layout = 'cards' | 'list';

/** What the user asked of the selection (or of what is shown). */
export type CurateAction =
  | { readonly kind: 'select-all' | 'clear-selection' | 'recaption' | 'remove' }
  | { readonly kind: 'apply-edits'; readonly edits: readonly PlannedEdit[] };

/** Which bulk tool is open. */
type Tool = 'replace' | 'prefix' | null;

/** Planned changes shown before they are applied. */
const PREVIEW_ROWS = 20;

export class McCurate extends LitElement {
  static override properties = {
    items: { attribute: false },
    shown: { attribute: false },
    selected: { attribute: false },
    view: { attribute: false },
    layout: { attribute: false },
    tool: { state: true },
    find: { state: true },
    replace: { state: true },
    regex: { state: true },
    matchCase: { state: true },
    prefix: { state: true },
    confirmRemove: { state: true },
    filtersOpen: { state: true },
  };

  /** Every item of the session. */
  declare items: readonly SessionItem[];
  /** The items the view shows, in its order. */
  declare shown: readonly SessionItem[];
  declare selected: ReadonlySet<string>;
  declare view: ItemView;
  declare layout: Layout;
  declare tool: Tool;
  declare find: string;
  declare replace: string;
  declare regex: boolean;
  declare matchCase: boolean;
  declare prefix: string;
  declare confirmRemove: boolean;
  /** The filters start open where there is room; on a phone they wait behind their summary. */
  declare filtersOpen: boolean;

  constructor() {
    super();
    this.items = [];
    this.shown = [];
    this.selected = new Set();
    this.view = { status: 'all', domain: 'all', search: '', sort: 'added' };
    this.layout = 'cards';
    this.tool = null;
    this.find = '';
    this.replace = '';
    this.regex = false;
    this.matchCase = false;
    this.prefix = '';
    this.confirmRemove = false;
    this.filtersOpen = matchMedia('(min-width: 48rem)').matches;
  }

  private readonly onFiltersToggle = (event: Event): void => {
    event.preventDefault();
    this.filtersOpen = !this.filtersOpen;
  };

  private emit<T>(type: string, detail: T): void {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }

  private setView(patch: Partial<ItemView>): void {
    this.emit<ItemView>('view-change', { ...this.view, ...patch });
  }

  private act(action: CurateAction): void {
    this.confirmRemove = false;
    this.emit<CurateAction>('curate-action', action);
  }

  /** What a bulk action works on: the selection, else every item shown. */
  private get scope(): readonly SessionItem[] {
    return this.selected.size ? this.shown.filter((i) => this.selected.has(i.id)) : this.shown;
  }

  private get scopeWords(): string {
    const n = this.scope.length;
    return this.selected.size ? `the ${n} selected` : `the ${n} shown`;
  }

  /** The edits the open tool would make, or the reason it cannot. */
  private plan(): { edits: PlannedEdit[] } | { error: string } {
    try {
      if (this.tool === 'replace') {
        return {
          edits: planReplace(this.scope, {
            find: this.find,
            replace: this.replace,
            regex: this.regex,
            matchCase: this.matchCase,
          }),
        };
      }
      return { edits: this.tool === 'prefix' ? planPrefix(this.scope, this.prefix) : [] };
    } catch (err) {
      return { error: err instanceof Error ? err.message : String(err) };
    }
  }

  private text(key: 'find' | 'replace' | 'prefix', label: string, testid: string) {
    return html`<label class="field">
      <span>${label}</span>
      <input
        type="text"
        data-testid=${testid}
        .value=${this[key]}
        @input=${(e: Event) => e.target instanceof HTMLInputElement && (this[key] = e.target.value)}
      />
    </label>`;
  }

  private check(key: 'regex' | 'matchCase', label: string) {
    return html`<label class="check">
      <input
        type="checkbox"
        .checked=${this[key]}
        @change=${(e: Event) => e.target instanceof HTMLInputElement && (this[key] = e.target.checked)}
      />
      ${label}
    </label>`;
  }

  private renderTool() {
    if (!this.tool) return nothing;
    const plan = this.plan();
    const edits = 'edits' in plan ? plan.edits : [];
    return html`<section class="tool" aria-label=${this.tool === 'replace' ? 'Find and replace' : 'Add a prefix'}>
      <div class="row">
        ${
          this.tool === 'replace'
            ? html`${this.text('find', 'Find', 'find')} ${this.text('replace', 'Replace with', 'replace')}
              ${this.check('regex', 'Regular expression')} ${this.check('matchCase', 'Match case')}`
            : this.text('prefix', 'Prefix or trigger word', 'prefix')
        }
      </div>
      ${
        'error' in plan
          ? html`<p class="error" role="alert" data-testid="tool-error">${plan.error}</p>`
          : html`<p class="muted" data-testid="preview-summary" aria-live="polite">
              ${
                edits.length
                  ? `${edits.length} of ${this.scopeWords} captions change.`
                  : `No caption of ${this.scopeWords} changes.`
              }
              Each change is kept as a version: a card can go back.
            </p>`
      }
      ${
        edits.length
          ? html`<ol class="preview" data-testid="preview">
              ${edits.slice(0, PREVIEW_ROWS).map(
                (e) =>
                  html`<li>
                    <span class="path">${e.path}</span>
                    <del>${e.before}</del>
                    <ins>${e.after}</ins>
                  </li>`,
              )}
              ${
                edits.length > PREVIEW_ROWS
                  ? html`<li class="muted">…and ${edits.length - PREVIEW_ROWS} more.</li>`
                  : nothing
              }
            </ol>`
          : nothing
      }
      <div class="row">
        <button
          class="primary"
          data-testid="apply-edits"
          ?disabled=${edits.length === 0}
          @click=${() => {
            this.act({ kind: 'apply-edits', edits });
            this.tool = null;
          }}
        >
          Apply to ${edits.length} ${edits.length === 1 ? 'caption' : 'captions'}
        </button>
        <button @click=${() => (this.tool = null)}>Close</button>
      </div>
    </section>`;
  }

  override render() {
    const domains = [...new Set(this.items.flatMap((i) => (i.record?.domain ? [i.record.domain.id] : [])))];
    const selected = this.shown.filter((i) => this.selected.has(i.id)).length;
    const select = <T extends string>(
      label: string,
      testid: string,
      value: string,
      choices: readonly (readonly [T, string])[],
      change: (v: T) => void,
    ) =>
      html`<label class="field">
        <span>${label}</span>
        <select
          data-testid=${testid}
          @change=${(e: Event) => {
            const v = e.target instanceof HTMLSelectElement ? e.target.value : '';
            const choice = choices.find(([id]) => id === v);
            if (choice) change(choice[0]);
          }}
        >
          ${choices.map(([id, words]) => html`<option value=${id} ?selected=${id === value}>${words}</option>`)}
        </select>
      </label>`;
    return html`<div class="row">
        <label class="field search">
          <span>Search</span>
          <input
            type="search"
            data-testid="search"
            placeholder="File names and captions"
            .value=${this.view.search}
            @input=${(e: Event) => e.target instanceof HTMLInputElement && this.setView({ search: e.target.value })}
          />
        </label>
        <div class="layout" role="group" aria-label="Layout">
          ${(['cards', 'list'] as const).map(
            (layout) =>
              html`<button
                aria-pressed=${this.layout === layout}
                data-testid="layout-${layout}"
                @click=${() => this.emit<Layout>('layout-change', layout)}
              >
                ${layout === 'cards' ? 'Cards' : 'List'}
              </button>`,
          )}
        </div>
      </div>
      <details class="filters" ?open=${this.filtersOpen}>
        <summary data-testid="filters" @click=${this.onFiltersToggle}>
          Filter and
          sort${
            this.view.status !== 'all' || this.view.domain !== 'all' || this.view.sort !== 'added'
              ? `: ${STATUS_FILTERS[this.view.status]}${
                  this.view.domain !== 'all' ? `, ${DOMAINS[this.view.domain].label}` : ''
                }, ${SORT_ORDERS[this.view.sort]}`
              : ''
          }
        </summary>
        <div class="row">
          ${select<StatusFilter>(
            'Show',
            'filter-status',
            this.view.status,
            Object.entries(STATUS_FILTERS) as [StatusFilter, string][],
            (status) => this.setView({ status }),
          )}
          ${
            domains.length > 1
              ? select<DomainId | 'all'>(
                  'Domain',
                  'filter-domain',
                  this.view.domain,
                  [['all', 'All'], ...domains.map((d) => [d, DOMAINS[d].label] as [DomainId, string])],
                  (domain) => this.setView({ domain }),
                )
              : nothing
          }
          ${select<SortOrder>(
            'Sort',
            'sort',
            this.view.sort,
            Object.entries(SORT_ORDERS) as [SortOrder, string][],
            (sort) => this.setView({ sort }),
          )}
        </div>
      </details>
      <div class="row">
        <span class="muted" data-testid="selection" aria-live="polite">
          ${this.shown.length} of ${this.items.length} shown${selected ? ` · ${selected} selected` : ''}
        </span>
        <button data-testid="select-all" @click=${() => this.act({ kind: 'select-all' })}>Select all</button>
        ${
          selected
            ? html`<button data-testid="clear-selection" @click=${() => this.act({ kind: 'clear-selection' })}>
                  Clear selection
                </button>
                <button
                  data-testid="recaption-selected"
                  aria-label="Re-caption ${selected} selected, with the current settings (edits stay)"
                  @click=${() => this.act({ kind: 'recaption' })}
                >
                  Re-caption ${selected}
                </button>
                ${
                  this.confirmRemove
                    ? html`<button
                          class="danger"
                          data-testid="confirm-remove"
                          @click=${() => this.act({ kind: 'remove' })}
                        >
                          Remove ${selected} items
                        </button>
                        <button @click=${() => (this.confirmRemove = false)}>Don’t remove</button>`
                    : html`<button
                        class="quiet"
                        data-testid="remove-selected"
                        @click=${() => (this.confirmRemove = true)}
                      >
                        Remove selected
                      </button>`
                }`
            : nothing
        }
        <button
          aria-expanded=${this.tool === 'replace'}
          data-testid="tool-replace"
          @click=${() => (this.tool = this.tool === 'replace' ? null : 'replace')}
        >
          Find and replace
        </button>
        <button
          aria-expanded=${this.tool === 'prefix'}
          data-testid="tool-prefix"
          @click=${() => (this.tool = this.tool === 'prefix' ? null : 'prefix')}
        >
          Add a prefix
        </button>
      </div>
      ${this.renderTool()}`;
  }

  static override styles = [tokens, controls, curateStyles];
}

if (!customElements.get('mc-curate')) customElements.define('mc-curate', McCurate);

declare global {
  interface HTMLElementTagNameMap {
    'mc-curate': McCurate;
  }
}
