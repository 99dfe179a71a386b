/**
 * The page's design tokens as CSS custom properties, light and dark
 * (`prefers-color-scheme`), and the few shared rules every component of the
 * page uses (buttons, focus rings, visually hidden text). Colours meet WCAG
 * AA contrast on their backgrounds in both themes.
 */
import { css } from 'lit';

/** Tokens on `:host`, so each shadow root gets them. */
export const tokens = css`
  :host {
    --mc-bg: #f6f7f9;
    --mc-surface: #ffffff;
    --mc-surface-2: #eef1f5;
    --mc-text: #1b1f24;
    --mc-muted: #4f5966;
    --mc-border: #d3d8df;
    --mc-accent: #1f5fbf;
    --mc-accent-text: #ffffff;
    --mc-accent-soft: #e3ecfa;
    --mc-ok: #1d6b37;
    --mc-ok-soft: #e2f3e7;
    --mc-warn: #8a5300;
    --mc-warn-soft: #fcf1dc;
    --mc-danger: #a3202a;
    --mc-danger-soft: #fbe7e8;
    --mc-focus: #1f5fbf;
    --mc-radius: 0.6rem;
    --mc-gap: 1rem;
    --mc-shadow: 0 1px 2px rgb(16 24 40 / 6%), 0 1px 3px rgb(16 24 40 / 10%);
    color-scheme: light dark;
    color: var(--mc-text);
    font:
      15px/1.5 system-ui,
      -apple-system,
      'Segoe UI',
      Roboto,
      sans-serif;
  }
  @media (prefers-color-scheme: dark) {
    :host {
      --mc-bg: #111418;
      --mc-surface: #1a1f25;
      --mc-surface-2: #232a32;
      --mc-text: #e7eaee;
      --mc-muted: #a5aeb9;
      --mc-border: #38414c;
      --mc-accent: #7fb0ff;
      --mc-accent-text: #0b1320;
      --mc-accent-soft: #1d2a3d;
      --mc-ok: #7fd19a;
      --mc-ok-soft: #16291d;
      --mc-warn: #f0c06a;
      --mc-warn-soft: #2e2413;
      --mc-danger: #ff9aa1;
      --mc-danger-soft: #341a1d;
      --mc-focus: #7fb0ff;
      --mc-shadow: 0 1px 2px rgb(0 0 0 / 40%);
    }
  }
`;

/** Buttons, inputs, focus and helpers shared by the page's components. */
export const controls = css`
  button,
  .button {
    font: inherit;
    display: inline-flex;
    align-items: center;
    gap: 0.35rem;
    min-height: 2.25rem;
    padding: 0.3rem 0.8rem;
    border-radius: 0.45rem;
    border: 1px solid var(--mc-border);
    background: var(--mc-surface);
    color: var(--mc-text);
    cursor: pointer;
    white-space: nowrap;
  }
  button:hover:not(:disabled),
  .button:hover {
    background: var(--mc-surface-2);
  }
  button:disabled {
    opacity: 0.55;
    cursor: not-allowed;
  }
  button.primary,
  .button.primary {
    background: var(--mc-accent);
    border-color: var(--mc-accent);
    color: var(--mc-accent-text);
  }
  button.primary:hover:not(:disabled),
  .button.primary:hover {
    filter: brightness(1.08);
    background: var(--mc-accent);
  }
  button.quiet {
    border-color: transparent;
    background: transparent;
  }
  button.danger {
    color: var(--mc-danger);
  }
  :focus-visible {
    outline: 2px solid var(--mc-focus);
    outline-offset: 2px;
  }
  input,
  select,
  textarea {
    font: inherit;
    color: var(--mc-text);
    background: var(--mc-surface);
    border: 1px solid var(--mc-border);
    border-radius: 0.4rem;
    padding: 0.3rem 0.5rem;
    max-width: 100%;
    box-sizing: border-box;
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
  }
  .muted {
    color: var(--mc-muted);
  }
`;

/**
 * A disclosure menu (see disclosure-menu.ts): `.more` holds the toggle and
 * the `.menu`, which floats below it, aligned to its right edge.
 */
export const menuStyles = css`
  .more {
    position: relative;
  }
  .more > button {
    padding-inline: 0.6rem;
    gap: 0.25rem;
  }
  .caret {
    font-size: 0.8em;
  }
  .menu {
    position: absolute;
    top: calc(100% + 0.35rem);
    right: 0;
    z-index: 20;
    display: grid;
    gap: 0.3rem;
    min-width: 13rem;
    max-width: calc(100vw - 1.5rem);
    box-sizing: border-box;
    padding: 0.5rem;
    background: var(--mc-surface);
    border: 1px solid var(--mc-border);
    border-radius: var(--mc-radius);
    box-shadow: 0 6px 20px rgb(0 0 0 / 18%);
  }
  .menu[hidden] {
    display: none;
  }
  .menu button,
  .menu select {
    justify-content: flex-start;
    width: 100%;
  }
`;

/** What every block-level component of the page starts its styles with: the tokens, the controls, a block host. */
export const blockStyles = [
  tokens,
  controls,
  css`
    :host {
      display: block;
    }
  `,
];
