/** Styles of `<mc-item>`: a card that reads at 320 px, light and dark. */
import { css } from 'lit';

/** The item card's own rules (the theme's tokens and controls come first). */
export const itemStyles = css`
  :host {
    display: block;
  }
  article {
    display: flex;
    flex-direction: column;
    gap: 0.25rem;
    padding: 0.5rem 0.6rem;
    background: var(--mc-surface);
    border: 1px solid var(--mc-border);
    border-radius: var(--mc-radius);
    box-shadow: var(--mc-shadow);
    height: 100%;
    box-sizing: border-box;
  }
  .top {
    display: flex;
    gap: 0.75rem;
    min-width: 0;
  }
  /* The card's head: the thumbnail beside the name and, under the name, the caption (at 320 px too). */
  .head {
    display: grid;
    grid-template-columns: 3.5rem minmax(0, 1fr);
    grid-template-rows: auto 1fr;
    gap: 0.2rem 0.6rem;
  }
  .head .thumb {
    grid-row: 1 / span 2;
  }
  .head .title,
  .head .main {
    grid-column: 2;
  }
  .thumb {
    flex: none;
    width: 3.5rem;
    height: 3.5rem;
    object-fit: cover;
    border-radius: 0.4rem;
    background: var(--mc-surface-2);
  }
  .thumb.none {
    display: grid;
    place-items: center;
    color: var(--mc-muted);
    font-size: 1.4rem;
  }
  /* The name and its status badge on one line; the live stage and a folder path wrap below. */
  .title {
    min-width: 0;
    display: flex;
    flex-wrap: wrap;
    align-items: baseline;
    gap: 0 0.5rem;
    /* Room for the list's selection checkbox in the corner. */
    padding-right: 1.5rem;
  }
  h3 {
    margin: 0;
    flex: 0 1 auto;
    min-width: 0;
    font-size: 0.95rem;
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }
  .title .path {
    flex-basis: 100%;
  }
  .path,
  .small {
    margin: 0;
    font-size: 0.8rem;
    overflow-wrap: anywhere;
  }
  .status {
    margin: 0;
    display: flex;
    flex-wrap: wrap;
    gap: 0.4rem;
    align-items: center;
    font-size: 0.85rem;
  }
  .badge {
    border-radius: 999px;
    padding: 0 0.55rem;
    font-weight: 600;
    background: var(--mc-surface-2);
    color: var(--mc-muted);
  }
  .badge.running {
    background: var(--mc-accent-soft);
    color: var(--mc-accent);
  }
  .badge.done {
    background: var(--mc-ok-soft);
    color: var(--mc-ok);
  }
  .badge.failed,
  .badge.refused {
    background: var(--mc-danger-soft);
    color: var(--mc-danger);
  }
  .badge.cancelled {
    background: var(--mc-warn-soft);
    color: var(--mc-warn);
  }
  .stage {
    color: var(--mc-muted);
  }
  .error p {
    margin: 0 0 0.25rem;
  }
  .error details summary {
    cursor: pointer;
  }
  .error {
    margin: 0;
    padding: 0.5rem 0.6rem;
    border-radius: 0.4rem;
    background: var(--mc-danger-soft);
    color: var(--mc-danger);
    overflow-wrap: anywhere;
  }
  .streaming {
    margin: 0;
    min-height: 1.5rem;
    color: var(--mc-muted);
    font-style: italic;
    overflow-wrap: anywhere;
  }
  .caption {
    display: block;
  }
  .caption textarea {
    display: block;
    box-sizing: border-box;
    width: 100%;
    font-size: 0.9rem;
    line-height: 1.25;
    padding: 0.2rem 0.45rem;
    /* As tall as the caption (Chromium), two to four lines on the card; all of it while being edited. */
    field-sizing: content;
    min-height: calc(2 * 1.25 * 0.9rem + 0.4rem + 2px);
    max-height: calc(4 * 1.25 * 0.9rem + 0.4rem + 2px);
    resize: vertical;
  }
  .caption textarea:focus {
    max-height: 24rem;
  }
  /* What made the caption, in one line: cut with an ellipsis where narrow (Details in the menu has it all). */
  .facts {
    margin: 0;
    font-size: 0.8rem;
    color: var(--mc-muted);
    white-space: nowrap;
    overflow: hidden;
    text-overflow: ellipsis;
  }
  /* A re-run's caption beside the user's edit: its start, to choose by (all of it under Details). */
  .offer {
    margin: 0;
    font-size: 0.85rem;
    display: -webkit-box;
    -webkit-line-clamp: 2;
    -webkit-box-orient: vertical;
    overflow: hidden;
    overflow-wrap: anywhere;
  }
  .chip.edited {
    color: var(--mc-accent);
    font-weight: 600;
  }
  .chip + .chip::before {
    content: '· ';
    color: var(--mc-muted);
  }
  .chip.domain {
    color: var(--mc-accent);
  }
  /* The judge's verdict, then its scores, in one run of text that wraps. */
  .judge {
    font-size: 0.8rem;
    display: flex;
    flex-wrap: wrap;
    gap: 0 0.9rem;
  }
  .judge-title {
    margin: 0;
    font-weight: 600;
  }
  .judge-title .ok {
    color: var(--mc-ok);
  }
  .scores {
    display: flex;
    flex-wrap: wrap;
    gap: 0 0.9rem;
    margin: 0;
  }
  .score {
    display: flex;
    gap: 0.3rem;
  }
  .score dt {
    color: var(--mc-muted);
  }
  .score dd {
    margin: 0;
    font-weight: 700;
  }
  .score.s3 dd {
    color: var(--mc-ok);
  }
  .score.s1 dd {
    color: var(--mc-danger);
  }
  .linkish {
    background: none;
    border: none;
    padding: 0;
    min-height: 0;
    color: var(--mc-accent);
    text-decoration: underline;
    cursor: pointer;
    font: inherit;
  }
  /* A panel the card's menu opened: the trace, the details or the earlier versions. */
  .panel {
    border-top: 1px solid var(--mc-border);
    padding-top: 0.4rem;
  }
  .panel[hidden] {
    display: none;
  }
  .details {
    margin: 0;
    display: grid;
    gap: 0.2rem;
    font-size: 0.85rem;
  }
  .details div {
    display: flex;
    flex-wrap: wrap;
    gap: 0 0.5rem;
  }
  .details dt {
    color: var(--mc-muted);
    flex: 0 0 5.5rem;
  }
  .details dd {
    margin: 0;
    flex: 1 1 12rem;
    min-width: 0;
    overflow-wrap: anywhere;
  }
  ol.versions {
    margin: 0;
    padding: 0;
    list-style: none;
    display: grid;
    gap: 0.5rem;
  }
  .versions p {
    margin: 0;
  }
  .version-text {
    white-space: pre-wrap;
    overflow-wrap: anywhere;
    font-size: 0.9rem;
  }
  /* A row of the list: thumbnail and name, then the caption's first lines beside them where there is room. */
  :host([compact]) article {
    flex-direction: row;
    flex-wrap: wrap;
    align-items: center;
    gap: 0.2rem 0.75rem;
    padding: 0.35rem 0.6rem;
  }
  :host([compact]) .top {
    flex: 1 1 12rem;
    align-items: center;
  }
  :host([compact]) .line {
    flex: 100 1 14rem;
  }
  :host([compact]) .thumb {
    width: 2.75rem;
    height: 2.75rem;
  }
  .line {
    margin: 0;
    font-size: 0.85rem;
    color: var(--mc-muted);
    display: -webkit-box;
    -webkit-line-clamp: 2;
    -webkit-box-orient: vertical;
    overflow: hidden;
    overflow-wrap: anywhere;
  }
  /* The primary actions, a little lower than the page's buttons: each card has a row of them. */
  .actions {
    margin-top: auto;
    display: flex;
    flex-wrap: wrap;
    gap: 0.4rem;
  }
  .actions > button,
  .actions .more > button {
    min-height: 2rem;
    padding-block: 0.15rem;
  }
  .actions .more {
    margin-inline-start: auto;
  }
`;
