/** Object URLs of the items' images for their cards: made once per item, revoked when the item goes. */
import type { Batch } from '../session/batch';
import type { SessionItem } from '../session/item';

/** The thumbnails of a batch. */
export class Thumbnails {
  private readonly urls = new Map<string, string>();

  constructor(private readonly changed: () => void) {}

  /** The URLs by item id (a copy, so a component sees a new value). */
  snapshot(): ReadonlyMap<string, string> {
    return new Map(this.urls);
  }

  /** Makes the thumbnail of an item whose image is at hand (added now, or kept by the session). */
  async load(batch: Batch, item: SessionItem): Promise<void> {
    if (item.status === 'refused' || this.urls.has(item.id)) return;
    const blob = await batch.image(item);
    if (!blob || this.urls.has(item.id)) return;
    this.urls.set(item.id, URL.createObjectURL(blob));
    this.changed();
  }

  /** Frees one item's thumbnail. */
  drop(id: string): void {
    const url = this.urls.get(id);
    if (url) URL.revokeObjectURL(url);
    this.urls.delete(id);
  }

  /** Frees them all. */
  clear(): void {
    for (const url of this.urls.values()) URL.revokeObjectURL(url);
    this.urls.clear();
  }
}
