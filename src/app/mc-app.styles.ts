/** Styles of `<mc-app>`: a calm, roomy layout that still works at 320 px, light and dark. */
import { css } from 'lit';
import { controls, tokens } from './theme';

/** The page's shadow-DOM styles. */
export const appStyles = [
  tokens,
  controls,
  css`
    :host {
      display: block;
      min-height: 100vh;
      background: var(--mc-bg);
    }
    .masthead,
    main,
    footer {
      max-width: 78rem;
      margin: 0 auto;
      padding: 0 clamp(0.6rem, 3vw, 1.5rem);
      box-sizing: border-box;
    }
    .masthead {
      display: flex;
      flex-wrap: wrap;
      justify-content: space-between;
      align-items: center;
      gap: 0.5rem 1.5rem;
      padding-top: 1rem;
      padding-bottom: 0.75rem;
    }
    .brand {
      display: flex;
      gap: 0.75rem;
      align-items: center;
      min-width: 0;
    }
    h1 {
      margin: 0;
      font-size: 1.35rem;
      letter-spacing: -0.01em;
    }
    .tagline,
    .device {
      margin: 0;
      color: var(--mc-muted);
      font-size: 0.9rem;
      overflow-wrap: anywhere;
    }
    main {
      display: grid;
      gap: 0.9rem;
      padding-bottom: 2rem;
      position: relative;
    }
    main.dragging::after {
      content: 'Drop to add';
      position: fixed;
      inset: 0.75rem;
      display: grid;
      place-items: center;
      font-size: 1.4rem;
      font-weight: 600;
      color: var(--mc-accent);
      background: color-mix(in srgb, var(--mc-bg) 85%, transparent);
      border: 3px dashed var(--mc-accent);
      border-radius: 1rem;
      pointer-events: none;
      z-index: 10;
    }
    .notice {
      margin: 0;
      padding: 0.5rem 0.75rem;
      border-radius: var(--mc-radius);
      background: var(--mc-accent-soft);
      display: flex;
      justify-content: space-between;
      gap: 0.5rem;
      align-items: center;
      overflow-wrap: anywhere;
    }
    .panel {
      background: var(--mc-surface);
      border: 1px solid var(--mc-border);
      border-radius: var(--mc-radius);
      padding: 0.9rem;
      box-shadow: var(--mc-shadow);
    }
    .panel[hidden] {
      display: none;
    }
    .empty {
      border: 2px dashed var(--mc-border);
      border-radius: 1rem;
      padding: clamp(1.5rem, 6vw, 4rem) 1rem;
      text-align: center;
      background: var(--mc-surface);
    }
    .empty h2 {
      margin: 0 0 0.5rem;
      font-size: 1.25rem;
    }
    .empty p {
      margin: 0.3rem auto;
      max-width: 40rem;
    }
    .linkish {
      border: 0;
      background: none;
      padding: 0;
      min-height: 0;
      color: var(--mc-accent);
      text-decoration: underline;
      display: inline;
    }
    footer {
      padding-bottom: 2rem;
      font-size: 0.9rem;
    }
  `,
];
