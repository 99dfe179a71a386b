/** Styles of `<mc-curate>`: the dataset bar, its filters and the bulk tools' preview, from 320 px up. */
import { css } from 'lit';

/** The curate bar's own rules (the theme's tokens and controls come first). */
export const curateStyles = css`
  :host {
    display: grid;
    gap: 0.5rem;
    margin: 0.75rem 0;
  }
  .row {
    display: flex;
    flex-wrap: wrap;
    gap: 0.4rem 0.75rem;
    align-items: end;
  }
  .field {
    display: grid;
    gap: 0.15rem;
    font-size: 0.85rem;
    min-width: 0;
  }
  .field.search {
    flex: 1 1 12rem;
  }
  .filters summary {
    cursor: pointer;
    color: var(--mc-accent);
    font-size: 0.9rem;
  }
  .filters .row {
    margin-top: 0.35rem;
  }
  .field input,
  .field select {
    max-width: 100%;
  }
  .check {
    display: flex;
    gap: 0.3rem;
    align-items: center;
    font-size: 0.85rem;
  }
  .layout {
    display: flex;
    gap: 0.25rem;
  }
  .layout [aria-pressed='true'] {
    border-color: var(--mc-accent);
    color: var(--mc-accent);
    font-weight: 600;
  }
  .tool {
    border: 1px solid var(--mc-border);
    border-radius: var(--mc-radius);
    padding: 0.6rem 0.75rem;
    display: grid;
    gap: 0.5rem;
    background: var(--mc-surface);
  }
  .tool p {
    margin: 0;
  }
  .error {
    color: var(--mc-danger);
  }
  .preview {
    margin: 0;
    padding: 0;
    list-style: none;
    display: grid;
    gap: 0.4rem;
    max-height: 18rem;
    overflow: auto;
    font-size: 0.85rem;
  }
  .preview li {
    display: grid;
    gap: 0.1rem;
    overflow-wrap: anywhere;
  }
  .preview .path {
    font-weight: 600;
  }
  del {
    color: var(--mc-danger);
  }
  ins {
    color: var(--mc-ok);
    text-decoration: none;
  }
`;
