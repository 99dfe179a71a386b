/**
 * `<meta-captioner>`'s look: quiet defaults that follow the page's light or
 * dark scheme, every colour and spacing a CSS custom property, and parts
 * (`base`, `button`, `progress`, `status`, `caption`, `error`, `trace`) for
 * anything more.
 */
import { css } from 'lit';

/** The element's shadow styles. */
export const elementStyles = css`
  /*
   * Colours follow the page's own colour scheme (light-dark() reads the
   * inherited color-scheme), so the element is readable on a light-only
   * page in a dark OS and dark on a page that supports dark mode.
   */
  :host {
    --mc-text: inherit;
    --mc-muted: color-mix(in srgb, currentColor 70%, transparent);
    --mc-border: color-mix(in srgb, currentColor 30%, transparent);
    --mc-accent: light-dark(#1f5fbf, #7fb0ff);
    --mc-accent-text: light-dark(#ffffff, #0b1320);
    --mc-error: light-dark(#a3202a, #ff9aa1);
    --mc-gap: 0.5rem;
    --mc-radius: 0.45rem;
    --mc-font: inherit;
    display: block;
    color: var(--mc-text);
    font: var(--mc-font);
  }
  :host([hidden]) {
    display: none;
  }
  .base {
    display: grid;
    gap: var(--mc-gap);
    justify-items: start;
  }
  button {
    font: inherit;
    padding: 0.35rem 0.9rem;
    border-radius: var(--mc-radius);
    border: 1px solid var(--mc-accent);
    background: var(--mc-accent);
    color: var(--mc-accent-text);
    cursor: pointer;
  }
  button:focus-visible {
    outline: 2px solid var(--mc-accent);
    outline-offset: 2px;
  }
  progress {
    width: min(100%, 16rem);
  }
  .status {
    margin: 0;
    color: var(--mc-muted);
    font-size: 0.9em;
  }
  .status:empty {
    display: none;
  }
  .caption {
    margin: 0;
    overflow-wrap: anywhere;
  }
  .streaming {
    color: var(--mc-muted);
  }
  .error {
    margin: 0;
    color: var(--mc-error);
    overflow-wrap: anywhere;
  }
  .trace {
    font-size: 0.85em;
    color: var(--mc-muted);
  }
  .trace summary {
    cursor: pointer;
  }
  .trace ol {
    margin: 0.3rem 0 0;
    padding-left: 1.2rem;
  }
`;
