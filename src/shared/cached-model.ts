/** A model in the weight cache, as the UI lists it. */
export interface CachedModel {
  /** The model's folder URL (cache key prefix); pass it to delete. */
  readonly key: string;
  readonly repo: string;
  readonly revision: string;
  /** False while files are missing (a download failed or is under way). */
  readonly complete: boolean;
  readonly files: number;
  readonly bytes: number;
  readonly lastUsed: number;
}
