/** Styles of `<mc-toolbar>`: wrapping groups on wide screens, one row with a floating "More" menu on narrow ones. */
import { css } from 'lit';
import { controls, menuStyles, tokens } from './theme';

/** The toolbar's shadow-DOM styles. */
export const toolbarStyles = [
  tokens,
  controls,
  menuStyles,
  css`
    :host {
      z-index: 5;
      display: flex;
      flex-wrap: wrap;
      gap: 0.5rem 1rem;
      align-items: center;
      justify-content: space-between;
      padding: 0.6rem 0.75rem;
      margin: 0 calc(-1 * clamp(0.6rem, 3vw, 1.5rem));
      background: color-mix(in srgb, var(--mc-bg) 92%, transparent);
      backdrop-filter: blur(6px);
      border-bottom: 1px solid var(--mc-border);
      position: relative;
    }
    /* Sticky only where there is room: on a phone it would hide half the screen. */
    @media (min-width: 40rem) {
      :host {
        position: sticky;
        top: 0;
      }
    }
    .group {
      display: flex;
      flex-wrap: wrap;
      gap: 0.4rem;
    }
    .overall {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 0.25rem 0.6rem;
      flex: 1 1 14rem;
      font-size: 0.9rem;
    }
    .overall progress {
      flex: 1 1 6rem;
      min-width: 6rem;
      max-width: 18rem;
    }
    /* The narrow toolbar: one row, "More" at its end. */
    .row {
      display: flex;
      align-items: center;
      gap: 0.35rem;
      flex: 1 1 auto;
      min-width: 0;
    }
    .row > button {
      padding-inline: 0.6rem;
    }
    .more {
      margin-inline-start: auto;
    }
    /* The smallest phones (320 px): tighter, still one row. */
    @media (max-width: 22rem) {
      :host {
        padding-inline: 0.5rem;
      }
      .row {
        gap: 0.25rem;
      }
      .row > button,
      .more > button {
        padding-inline: 0.45rem;
      }
    }
    .menu-counts {
      margin: 0 0 0.2rem;
      padding: 0 0.2rem 0.4rem;
      font-size: 0.9rem;
      border-bottom: 1px solid var(--mc-border);
      white-space: normal;
    }
    /* The batch's progress as a thin line along the toolbar's bottom edge. */
    .strip {
      position: absolute;
      left: 0;
      right: 0;
      bottom: -1px;
      height: 4px;
      display: flex;
    }
    .strip progress {
      flex: 1;
      height: 4px;
      appearance: none;
      border: 0;
      background: var(--mc-surface-2);
      accent-color: var(--mc-accent);
    }
    .strip progress::-webkit-progress-bar {
      background: var(--mc-surface-2);
    }
    .strip progress::-webkit-progress-value {
      background: var(--mc-accent);
    }
    .strip progress::-moz-progress-bar {
      background: var(--mc-accent);
    }
  `,
];
