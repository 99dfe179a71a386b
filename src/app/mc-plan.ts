/**
 * `<mc-plan>`: the honest download figure of a choice of models, mode and
 * device, before anything is downloaded — per role, what will be fetched
 * (exact bytes) and what is already on this device.
 */
import { LitElement, css, html, nothing } from 'lit';
import type { PlanState } from './preset-plans';
import { describeDtype, formatBytes } from './format';
import { blockStyles } from './theme';
import { deviceWord } from '../shared/device';

/** The host a folder URL is on, or "this site" for the app's own files. */
function hostOf(location: string): string {
  const url = new URL(location, globalThis.location?.href);
  return url.origin === globalThis.location?.origin ? 'this site' : url.host;
}

/** How each role is named for people. */
const ROLE_LABELS: Readonly<Record<string, string>> = {
  vlm: 'Vision-language model',
  llm: 'Summary model',
  router: 'Domain router',
  ocr: 'OCR (bundled with the app; loaded for documents, screenshots and other text)',
};

/** What a preset costs under the current mode and device: "1.2 GB to download", "on this device", or why unknown. */
export function planLabel(state: PlanState | undefined): string {
  if (!state || state.kind === 'pending') return 'checking size…';
  if (state.kind === 'failed') return `size unknown: ${state.reason}`;
  const { plan } = state;
  if (plan.exact && plan.downloadBytes === 0) return `on this device (${formatBytes(plan.cachedBytes)})`;
  if (plan.exact) return `${formatBytes(plan.downloadBytes)} to download`;
  return plan.cachedBytes > 0
    ? `size unknown offline, ${formatBytes(plan.cachedBytes)} on this device`
    : 'size unknown offline';
}

/** The same figure in a few words, short enough for a menu's option on a phone: "609 kB", "on this device". */
export function planShort(state: PlanState | undefined): string {
  if (!state || state.kind === 'pending') return 'checking…';
  if (state.kind === 'failed' || !state.plan.exact) return 'size unknown';
  return state.plan.downloadBytes === 0 ? 'on this device' : formatBytes(state.plan.downloadBytes);
}

/** The plan panel. */
export class McPlan extends LitElement {
  static override properties = { state: { attribute: false } };
  declare state: PlanState | undefined;

  constructor() {
    super();
    this.state = undefined;
  }

  override render() {
    const plan = this.state?.kind === 'plan' ? this.state.plan : null;
    return html`<section class="plan" aria-labelledby="plan-title" data-testid="plan">
      <h3 id="plan-title">Before you start</h3>
      ${
        plan
          ? html`<p data-testid="plan-total" data-bytes=${plan.exact ? plan.downloadBytes : ''}>
                ${
                  plan.exact
                    ? plan.downloadBytes > 0
                      ? html`This choice downloads <strong>${formatBytes(plan.downloadBytes)}</strong> once, to run on
                          ${deviceWord(plan.device)}; ${formatBytes(plan.cachedBytes)} is already on this device.`
                      : html`Everything this choice needs is already on this device (${formatBytes(plan.cachedBytes)}).`
                    : html`Sizes could not be checked (offline or the host is unreachable).
                      ${formatBytes(plan.cachedBytes)} is on this device.`
                }
              </p>
              <ul class="roles">
                ${plan.roles.map(
                  (r) =>
                    html`<li data-role=${r.role}>
                      <span class="role">${ROLE_LABELS[r.role] ?? r.role}</span>
                      <span><code>${r.repo}</code> <span class="muted">${describeDtype(r.dtype)}</span></span>
                      ${
                        r.location
                          ? html`<span class="muted from" data-testid="plan-host">from ${hostOf(r.location)}</span>`
                          : nothing
                      }
                      <span class="nums">
                        ${
                          r.sharedWith
                            ? html`<span data-testid="plan-download" data-bytes="0"
                                >shares the ${r.sharedWith}'s weights</span
                              >`
                            : html`<span data-testid="plan-download" data-bytes=${r.problem ? '' : r.downloadBytes}
                                  >${r.problem ? 'size unknown' : formatBytes(r.downloadBytes)}</span
                                >
                                to download · ${formatBytes(r.cachedBytes)} on this device`
                        }
                      </span>
                    </li>`,
                )}
              </ul>`
          : this.state?.kind === 'failed'
            ? html`<p data-testid="plan-failed">
                What this choice downloads could not be checked: ${this.state.reason}
              </p>`
            : html`<p class="muted">Checking what this choice downloads…</p>`
      }
    </section>`;
  }

  static override styles = [
    ...blockStyles,
    css`
      h3 {
        margin: 0 0 0.3rem;
        font-size: 1rem;
      }
      p {
        margin: 0 0 0.5rem;
      }
      .roles {
        list-style: none;
        margin: 0;
        padding: 0;
        display: grid;
        gap: 0.4rem;
        font-size: 0.9rem;
      }
      .roles li {
        display: flex;
        flex-wrap: wrap;
        gap: 0.1rem 0.6rem;
        padding: 0.35rem 0;
        border-bottom: 1px solid var(--mc-border);
      }
      .roles .role {
        font-weight: 600;
        flex-basis: 100%;
      }
      .nums {
        color: var(--mc-muted);
      }
      code {
        overflow-wrap: anywhere;
      }
    `,
  ];
}

if (!customElements.get('mc-plan')) customElements.define('mc-plan', McPlan);

declare global {
  interface HTMLElementTagNameMap {
    'mc-plan': McPlan;
  }
}
