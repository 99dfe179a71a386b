/** Figure 10's part models as both sides of the bench see them (Node writes them, Chromium loads them). */

/** A session of the VLM, as transformers.js names its file. */
export type Part = 'vision_encoder' | 'embed_tokens' | 'decoder_model_merged';

export const PARTS: readonly Part[] = Object.freeze(['vision_encoder', 'embed_tokens', 'decoder_model_merged']);

/** One served variant: its repo and the external weight bytes of each part. */
export interface PartModel {
  readonly repo: string;
  readonly bytes: Readonly<Record<Part, number>>;
}

/** The variants figure 10 loads. */
export interface PartModels {
  /** The whole model, in the real plan's proportions. */
  readonly whole: PartModel;
  /** Every part near empty: what a load costs without weights (worker, runtime, graphs), taken off the others. */
  readonly empty: PartModel;
  /** Each part alone, the others near empty; null in quick runs (three more loads a device and side, for attribution CI does not need). */
  readonly alone: Readonly<Record<Part, PartModel>> | null;
}
