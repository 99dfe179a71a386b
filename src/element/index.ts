/**
 * The `<meta-captioner>` entry (`metacaptioner-web/element`). Importing it
 * defines the element once — a second copy of this module (another path,
 * another bundle) finds it defined and leaves it — and touches nothing but
 * `customElements` at import time, so it is safe to import during
 * server-side rendering.
 */
import { MetaCaptioner } from './meta-captioner';

export { MetaCaptioner } from './meta-captioner';
export type { ElementMode } from './meta-captioner';
export type { CaptionErrorDetail, CaptionProgressDetail, CaptionTokenDetail, MetaCaptionerEventMap } from './events';
export type { AuthorFix, FixAttribute } from './advice';

/** The tag name. */
export const TAG_NAME = 'meta-captioner';

if (typeof customElements !== 'undefined' && !customElements.get(TAG_NAME)) {
  customElements.define(TAG_NAME, MetaCaptioner);
}

declare global {
  interface HTMLElementTagNameMap {
    'meta-captioner': MetaCaptioner;
  }
}
