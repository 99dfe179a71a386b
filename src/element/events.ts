/**
 * The events `<meta-captioner>` fires: all bubble and cross shadow roots
 * (`composed`), so a page can listen on the element or any ancestor.
 */
import type { CaptionRecord } from '../shared/record';
import type { AuthorFix } from './advice';

/** `caption-progress`: bytes of a model download, or the stage the caption is in. */
export type CaptionProgressDetail =
  | { readonly kind: 'download'; readonly loaded: number; readonly total: number; readonly file: string }
  | { readonly kind: 'stage'; readonly stage: string };

/** `caption-token`: text as the caption-writing step generates it. */
export interface CaptionTokenDetail {
  readonly text: string;
  /** The workflow step writing it (`summary`, `single-pass`, `prompt`, or an agent). */
  readonly agent: string | null;
}

/**
 * `caption-error`: a named error (see the library's error names), its message, and for the site's author
 * the attribute that fixes it and the URL that failed (`fix`, null when there is nothing to set).
 */
export interface CaptionErrorDetail {
  readonly name: string;
  readonly message: string;
  readonly fix: AuthorFix | null;
}

/** Any failure's name and message. */
export function errorFacts(err: unknown): { readonly name: string; readonly message: string } {
  return err instanceof Error ? { name: err.name, message: err.message } : { name: 'Error', message: String(err) };
}

/** The element's events by name. */
export interface MetaCaptionerEventMap {
  'caption-progress': CustomEvent<CaptionProgressDetail>;
  'caption-token': CustomEvent<CaptionTokenDetail>;
  /** The finished caption record (`detail.caption` is the text). */
  'caption-done': CustomEvent<CaptionRecord>;
  'caption-error': CustomEvent<CaptionErrorDetail>;
}

/** Creates one of the element's events: bubbling, composed. */
export function captionEvent<K extends keyof MetaCaptionerEventMap>(
  type: K,
  detail: MetaCaptionerEventMap[K]['detail'],
): CustomEvent<MetaCaptionerEventMap[K]['detail']> {
  return new CustomEvent(type, { detail, bubbles: true, composed: true });
}

declare global {
  // The element's events, typed wherever `addEventListener` is (Shoelace and Material Web do the same).
  interface HTMLElementEventMap extends MetaCaptionerEventMap {}
}
