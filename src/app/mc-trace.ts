/**
 * `<mc-trace>`: every step of one caption as it ran — agent, role, model,
 * tokens, milliseconds, its output, and (folded) its prompt — as a list of
 * steps that reads the same in a narrow card and on a phone.
 */
import { LitElement, css, html, nothing } from 'lit';
import type { AgentTrace } from '../shared/record';
import { stageOf } from '../session/progress';
import { framesSeen } from '../capflow/prompts';
import { blockStyles, tokens } from './theme';

/** The trace list. */
export class McTrace extends LitElement {
  static override properties = { steps: { attribute: false } };
  declare steps: readonly AgentTrace[];

  constructor() {
    super();
    this.steps = [];
  }

  override render() {
    return html`<ol aria-label="Steps of this caption">
      ${this.steps.map(
        (s, i) =>
          html`<li data-agent=${s.agent}>
            <p class="head">
              <span class="n" aria-hidden="true">${i + 1}</span>
              <strong data-label="Step">${stageOf(s.agent)}</strong>
              <span class="muted" data-label="Role">${s.role}</span>
              <span class="muted meta"
                ><code data-label="Model">${s.model}</code> · <span data-label="Tokens">${s.tokens} tokens</span> ·
                <span data-label="Time">${Math.round(s.ms)} ms</span>${
                  s.batch ? html` · <span data-label="Batch">run with ${s.batch - 1} more in one batch</span>` : nothing
                }${
                  s.unbatched ? html` · <span data-label="Batch" title=${s.unbatched}>run on its own</span>` : nothing
                }${s.frames ? html` · <span data-label="Frames">saw the ${framesSeen(s.frames)}</span>` : nothing}</span
              >
            </p>
            <div data-label="Output"><pre>${s.output}</pre></div>
            <details data-label="Prompt">
              <summary>Prompt</summary>
              <pre>${s.prompt}</pre>
            </details>
          </li>`,
      )}
    </ol>`;
  }

  static override styles = [
    ...blockStyles,
    css`
      :host {
        font-size: 0.85rem;
      }
      ol {
        list-style: none;
        margin: 0.5rem 0 0;
        padding: 0;
        display: grid;
        gap: 0.5rem;
      }
      li {
        border: 1px solid var(--mc-border);
        border-radius: 0.45rem;
        padding: 0.45rem 0.6rem;
        background: var(--mc-surface-2);
        min-width: 0;
      }
      .head {
        margin: 0 0 0.3rem;
        display: flex;
        flex-wrap: wrap;
        gap: 0.1rem 0.5rem;
        align-items: baseline;
      }
      .n {
        display: inline-grid;
        place-items: center;
        width: 1.3rem;
        height: 1.3rem;
        border-radius: 50%;
        background: var(--mc-accent-soft);
        color: var(--mc-accent);
        font-weight: 700;
        font-size: 0.75rem;
      }
      .meta {
        flex-basis: 100%;
      }
      pre {
        margin: 0;
        white-space: pre-wrap;
        word-break: break-word;
        font:
          0.8rem/1.45 ui-monospace,
          SFMono-Regular,
          Menlo,
          monospace;
      }
      code {
        overflow-wrap: anywhere;
      }
      summary {
        cursor: pointer;
        color: var(--mc-accent);
        margin-top: 0.25rem;
      }
    `,
  ];
}

if (!customElements.get('mc-trace')) customElements.define('mc-trace', McTrace);

declare global {
  interface HTMLElementTagNameMap {
    'mc-trace': McTrace;
  }
}
