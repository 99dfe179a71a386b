/**
 * `<mc-settings>`: how to caption (mode, style, prompt, language, domain,
 * judge) and with what (preset, device, model source), plus the honest
 * download plan of the current choice: per role, what will be fetched and
 * what is already on this device. Fires `settings-change` with the new
 * settings; the page keeps them in the URL and the session store.
 */
import { LitElement, css, html, nothing } from 'lit';
import { DOMAINS } from '../capflow/spec';
import { CAPTION_STYLES, CAPTION_STYLE_IDS, isCaptionStyle } from '../capflow/styles';
import type { PlanState } from './preset-plans';
import { HUB_PATH_TEMPLATE, HUB_SOURCE, type ModelSource } from '../shared/model-source';
import { DEFAULT_PRESET_ID, PRESETS, type PresetId } from '../shared/presets';
import type { FitReport } from '../shared/api';
import { type TierFit, autoTierText, fitReasonText } from '../shared/device-fit';
import { live } from 'lit/directives/live.js';
import './mc-plan';
import { planLabel, planShort } from './mc-plan';
import {
  type AppSettings,
  DEFAULT_SETTINGS,
  IMAGE_DOMAIN_IDS,
  MAX_ATTEMPTS,
  VIDEO_FRAME_CHOICES,
  VIDEO_MINUTE_CHOICES,
  isPresetId,
} from './settings';
import { blockStyles, tokens } from './theme';

const LANGUAGES = [
  'English',
  'German',
  'French',
  'Spanish',
  'Italian',
  'Portuguese',
  'Dutch',
  'Chinese',
  'Japanese',
  'Korean',
];

/** The settings panel. */
export class McSettings extends LitElement {
  static override properties = {
    settings: { attribute: false },
    plans: { attribute: false },
    fit: { attribute: false },
    pendingTier: { state: true },
  };

  declare settings: AppSettings;
  declare plans: ReadonlyMap<PresetId, PlanState>;
  /** Which tiers fit this device; null until known. */
  declare fit: FitReport | null;
  /** A tier that does not fit, chosen and waiting for the user's confirmation. */
  declare pendingTier: PresetId | null;

  constructor() {
    super();
    this.settings = DEFAULT_SETTINGS;
    this.plans = new Map();
    this.fit = null;
    this.pendingTier = null;
  }

  private tierFit(id: PresetId): TierFit | null {
    return this.fit?.tiers.find((t) => t.tier === id) ?? null;
  }

  /** The tier the settings mean: the chosen one, or what `auto` takes (the default tier with a VLM of one's own). */
  private tier(): PresetId {
    const s = this.settings;
    if (s.preset !== 'auto') return s.preset;
    return s.overrides.vlm ? DEFAULT_PRESET_ID : (this.fit?.auto.tier ?? DEFAULT_PRESET_ID);
  }

  /** A tier picked in the menu: one that does not fit asks first (a confirm step here, not window.confirm). */
  private pickTier(id: string): void {
    this.pendingTier = null;
    if (id === 'auto') return this.change({ preset: 'auto', overrides: {} });
    if (!isPresetId(id)) return;
    if (this.tierFit(id)?.kind === 'doesNot') {
      this.pendingTier = id;
      return;
    }
    this.change({ preset: id, overrides: {} });
  }

  private confirmTier(id: PresetId): void {
    this.pendingTier = null;
    this.dispatchEvent(new CustomEvent('tier-confirmed', { detail: id, bubbles: true, composed: true }));
    this.change({ preset: id, overrides: {} });
  }

  /** The hint under the menu: the tier's download, and for `auto` which tier it took and why. */
  private tierHint(): string {
    const s = this.settings;
    const tier = this.tier();
    const plan = `${PRESETS[tier].label}: ${planLabel(this.plans.get(tier))}.`;
    const fit = this.tierFit(tier);
    if (s.preset === 'auto' && this.fit && !s.overrides.vlm) return `${autoTierText(this.fit.auto)}. ${plan}`;
    if (fit?.kind === 'doesNot') return `${plan} It does not fit this device: ${fitReasonText(fit)}.`;
    return plan;
  }

  private renderConfirm(id: PresetId) {
    const fit = this.tierFit(id);
    return html`<p class="notice" role="alert" data-testid="tier-confirm">
      ${PRESETS[id].label} does not fit this device: ${fit ? fitReasonText(fit) : ''}. It may crash this tab.
      <button type="button" data-testid="tier-confirm-yes" @click=${() => this.confirmTier(id)}>
        Use ${PRESETS[id].label} anyway
      </button>
      <button type="button" data-testid="tier-confirm-no" @click=${() => (this.pendingTier = null)}>
        Keep ${PRESETS[this.tier()].label}
      </button>
    </p>`;
  }

  private change(patch: Partial<AppSettings>): void {
    const detail: AppSettings = { ...this.settings, ...patch };
    this.dispatchEvent(new CustomEvent('settings-change', { detail, bubbles: true, composed: true }));
  }

  private value(event: Event): string {
    const t = event.target;
    return t instanceof HTMLInputElement || t instanceof HTMLSelectElement || t instanceof HTMLTextAreaElement
      ? t.value
      : '';
  }

  override render() {
    const s = this.settings;
    return html`<h2>Settings</h2>
      <form @submit=${(e: Event) => e.preventDefault()}>
        <fieldset class="modes">
          <legend>Mode</legend>
          ${(
            [
              [
                'single-pass',
                'Single pass (MetaCaptioner)',
                'One domain-aware call per image. Fast; for bulk work and weaker devices.',
              ],
              ['capflow', 'CapFlow', 'Routing, specialised agents, a summary agent and a judge. Richest, slower.'],
              ['prompt', 'Custom prompt', 'One call with your own instruction.'],
            ] as const
          ).map(
            ([mode, label, hint]) =>
              html`<label class="radio">
                <input
                  type="radio"
                  name="mode"
                  value=${mode}
                  .checked=${s.mode === mode}
                  @change=${() => this.change({ mode })}
                />
                <span><strong>${label}</strong><span class="muted hint">${hint}</span></span>
              </label>`,
          )}
        </fieldset>

        <div class="grid">
          ${
            s.mode === 'prompt'
              ? html`<label class="wide"
                  >Prompt
                  <textarea
                    data-testid="prompt"
                    .value=${s.prompt}
                    @change=${(e: Event) => this.change({ prompt: this.value(e).trim() || DEFAULT_SETTINGS.prompt })}
                  ></textarea>
                </label>`
              : html`<label
                    >Caption style
                    <select
                      data-testid="style"
                      @change=${(e: Event) => {
                        const style = this.value(e);
                        if (isCaptionStyle(style)) this.change({ style });
                      }}
                    >
                      ${CAPTION_STYLE_IDS.map(
                        (id) =>
                          html`<option value=${id} ?selected=${id === s.style}>${CAPTION_STYLES[id].label}</option>`,
                      )}
                    </select></label
                  >
                  <label
                    >Domain
                    <select
                      data-testid="domain"
                      @change=${(e: Event) => {
                        const v = this.value(e);
                        this.change({ domain: IMAGE_DOMAIN_IDS.find((d) => d === v) ?? 'auto' });
                      }}
                    >
                      <option value="auto" ?selected=${s.domain === 'auto'}>Automatic (routing)</option>
                      ${IMAGE_DOMAIN_IDS.map(
                        (d) => html`<option value=${d} ?selected=${d === s.domain}>${DOMAINS[d].label}</option>`,
                      )}
                    </select></label
                  >`
          }
          <label
            >Language
            <input
              list="languages"
              data-testid="language"
              .value=${s.language}
              @change=${(e: Event) => this.change({ language: this.value(e).trim() || DEFAULT_SETTINGS.language })}
            />
            <datalist id="languages">${LANGUAGES.map((l) => html`<option value=${l}></option>`)}</datalist>
          </label>
          ${
            s.mode === 'capflow'
              ? html`<label
                  >Judge
                  <select
                    data-testid="attempts"
                    @change=${(e: Event) => this.change({ attempts: Number(this.value(e)) })}
                  >
                    <option value="0" ?selected=${s.attempts === 0}>Off</option>
                    ${Array.from({ length: MAX_ATTEMPTS }, (_, i) => i + 1).map(
                      (n) =>
                        html`<option value=${n} ?selected=${n === s.attempts}>
                          ${n === 1 ? 'Score once' : `Best of ${n} attempts`}
                        </option>`,
                    )}
                  </select></label
                >`
              : nothing
          }
          ${
            s.mode === 'capflow' && s.attempts > 0
              ? html`<label
                  >Accept at
                  <select
                    data-testid="min-score"
                    @change=${(e: Event) => this.change({ minScore: Number(this.value(e)) as 1 | 2 | 3 })}
                  >
                    ${(
                      [
                        [3, '3 on every dimension'],
                        [2, '2 or better'],
                        [1, 'any score'],
                      ] as const
                    ).map(([n, label]) => html`<option value=${n} ?selected=${n === s.minScore}>${label}</option>`)}
                  </select></label
                >`
              : nothing
          }
          <label
            >Longest caption
            <input
              type="number"
              min="0"
              step="16"
              inputmode="numeric"
              data-testid="max-tokens"
              aria-describedby="max-tokens-hint"
              .value=${String(s.maxTokens)}
              @change=${(e: Event) => this.change({ maxTokens: Math.max(0, Math.floor(Number(this.value(e)) || 0)) })}
            />
            <span id="max-tokens-hint" class="muted hint">Tokens; 0 lets the caption style decide.</span>
          </label>
          <label
            >Video frames
            <select
              data-testid="video-frames"
              aria-describedby="video-frames-hint"
              @change=${(e: Event) => this.change({ videoFrames: Number(this.value(e)) })}
            >
              ${VIDEO_FRAME_CHOICES.map(
                (n) => html`<option value=${n} ?selected=${n === s.videoFrames}>${n} frames</option>`,
              )}
            </select>
            <span id="video-frames-hint" class="muted hint">Plus one for each scene change they miss.</span></label
          >
          <label
            >Longest video
            <select
              data-testid="video-minutes"
              @change=${(e: Event) => this.change({ videoMinutes: Number(this.value(e)) })}
            >
              ${VIDEO_MINUTE_CHOICES.map(
                (n) => html`<option value=${n} ?selected=${n === s.videoMinutes}>${n} min</option>`,
              )}
            </select></label
          >
          <label
            >Models
            <select
              data-testid="preset"
              aria-describedby="preset-hint"
              .value=${live(this.pendingTier ?? s.preset)}
              @change=${(e: Event) => this.pickTier(this.value(e))}
            >
              <option value="auto" ?selected=${s.preset === 'auto'}>
                Automatic${this.fit && !s.overrides.vlm ? `: ${PRESETS[this.fit.auto.tier].label}` : ''}
              </option>
              ${Object.values(PRESETS).map(
                // Short enough for a 320 px select: a tier that does not fit says so instead of its size;
                // the hint below says why.
                (p) =>
                  html`<option value=${p.id} ?selected=${p.id === s.preset}>
                    ${p.label}
                    (${this.tierFit(p.id)?.kind === 'doesNot' ? 'does not fit' : planShort(this.plans.get(p.id))})
                  </option>`,
              )}
            </select>
            <span id="preset-hint" class="muted hint" data-testid="preset-hint">${this.tierHint()}</span>
            ${this.pendingTier ? this.renderConfirm(this.pendingTier) : nothing}</label
          >
          <label
            >Device
            <select
              data-testid="device-select"
              aria-describedby="device-hint"
              @change=${(e: Event) => {
                const v = this.value(e);
                this.change({ device: v === 'webgpu' || v === 'wasm' ? v : 'auto' });
              }}
            >
              <option value="auto" ?selected=${s.device === 'auto'}>Automatic</option>
              <option value="webgpu" ?selected=${s.device === 'webgpu'}>GPU (WebGPU)</option>
              <option value="wasm" ?selected=${s.device === 'wasm'}>CPU (WASM)</option>
            </select>
            <span id="device-hint" class="muted hint"
              >Automatic uses the GPU where this browser offers one.</span
            ></label
          >
        </div>
        ${this.renderSource(s.source)} <mc-plan .state=${this.plans.get(this.tier())}></mc-plan>
      </form>`;
  }

  private renderSource(source: ModelSource) {
    const host = source.kind === 'host' ? source : null;
    return html`<fieldset class="source">
      <legend>Model host</legend>
      <label class="radio"
        ><input
          type="radio"
          name="source"
          .checked=${source.kind === 'hub'}
          @change=${() => this.change({ source: HUB_SOURCE })}
        /><span>Hugging Face hub</span></label
      >
      <label class="radio"
        ><input
          type="radio"
          name="source"
          data-testid="use-mirror"
          .checked=${source.kind === 'host'}
          @change=${() => this.change({ source: { kind: 'host', host: 'https://', pathTemplate: HUB_PATH_TEMPLATE } })}
        /><span>A mirror (your organisation's copy of the hub; it must allow CORS)</span></label
      >
      ${
        host
          ? html`<div class="grid">
              <label
                >Mirror URL
                <input
                  type="url"
                  data-testid="mirror-url"
                  .value=${host.host}
                  @change=${(e: Event) => this.change({ source: { ...host, host: this.value(e).trim() } })}
              /></label>
              <label
                >Path template
                <input
                  .value=${host.pathTemplate}
                  @change=${(e: Event) =>
                    this.change({ source: { ...host, pathTemplate: this.value(e).trim() || HUB_PATH_TEMPLATE } })}
              /></label>
            </div>`
          : nothing
      }
      ${
        source.kind === 'local'
          ? html`<p class="muted">Model folders served by this site under <code>${source.path}</code>.</p>`
          : nothing
      }
    </fieldset>`;
  }

  static override styles = [
    ...blockStyles,
    css`
      form {
        display: grid;
        gap: 1rem;
      }
      fieldset {
        border: 1px solid var(--mc-border);
        border-radius: var(--mc-radius);
        padding: 0.6rem 0.8rem;
        margin: 0;
        display: grid;
        gap: 0.4rem;
        min-width: 0;
      }
      legend {
        font-weight: 600;
        padding: 0 0.3rem;
      }
      .radio {
        display: flex;
        gap: 0.5rem;
        align-items: flex-start;
      }
      .radio input {
        margin-top: 0.3rem;
      }
      .hint {
        display: block;
        font-size: 0.85rem;
      }
      .grid {
        display: grid;
        grid-template-columns: repeat(auto-fit, minmax(min(100%, 14rem), 1fr));
        gap: 0.75rem;
        align-items: start;
      }
      .grid label {
        display: grid;
        gap: 0.2rem;
        align-content: start;
        font-weight: 600;
        min-width: 0;
      }
      .grid input,
      .grid select,
      .grid textarea {
        width: 100%;
        min-width: 0;
      }
      .grid label > * {
        font-weight: 400;
      }
      .wide {
        grid-column: 1 / -1;
      }
      textarea {
        min-height: 4rem;
      }
      h2 {
        margin: 0 0 0.6rem;
        font-size: 1rem;
      }
      code {
        overflow-wrap: anywhere;
      }
    `,
  ];
}

if (!customElements.get('mc-settings')) customElements.define('mc-settings', McSettings);

declare global {
  interface HTMLElementTagNameMap {
    'mc-settings': McSettings;
  }
}
