/** Styles of `<mc-app>`. */
import { css } from 'lit';

/** The page's shadow-DOM styles. */
export const appStyles = css`
  :host {
    display: block;
    max-width: 60rem;
    margin: 0 auto;
    padding: 1rem;
    font:
      16px/1.5 system-ui,
      sans-serif;
  }
  h1 {
    margin: 0;
  }
  .device {
    color: #555;
    margin: 0.25rem 0 1rem;
  }
  .error {
    background: #fde8e8;
    color: #8a1c1c;
    padding: 0.5rem 0.75rem;
    border-radius: 0.25rem;
  }
  .notice {
    background: #eef4fd;
    color: #1f3b73;
    padding: 0.5rem 0.75rem;
    border-radius: 0.25rem;
  }
  .model {
    display: flex;
    gap: 1rem;
    align-items: center;
    flex-wrap: wrap;
    margin-bottom: 1rem;
  }
  .drop {
    display: block;
    border: 2px dashed #999;
    border-radius: 0.5rem;
    padding: 2rem;
    text-align: center;
    cursor: pointer;
  }
  .drop input {
    display: block;
    margin: 0.5rem auto 0;
  }
  .items {
    list-style: none;
    padding: 0;
  }
  .items li {
    display: flex;
    gap: 1rem;
    margin: 1rem 0;
  }
  .items img {
    width: 8rem;
    height: 8rem;
    object-fit: contain;
    background: #eee;
  }
  .items div {
    flex: 1;
    display: flex;
    flex-direction: column;
  }
  textarea {
    min-height: 5rem;
    font: inherit;
  }
  li[data-status='error'] small {
    color: #8a1c1c;
  }
`;
