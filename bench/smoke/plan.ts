/**
 * What `npm run smoke:real` would fetch, before it fetches anything: per
 * tier and role, the repo at its pinned commit, the dtype plan the device
 * gets, and each file with its bytes from the export's manifest
 * (test/fixtures/real/), or "unknown" where no source established it.
 */
import { plannedFiles } from '../../src/shared/model-files';
import type { DtypePlan, ModelSpec } from '../../src/shared/model-spec';
import { PRESETS, type PresetId } from '../../src/shared/presets';
import { type Manifest, loadManifest, manifestPlan } from '../../test/support/real-exports';

/** One model the smoke run loads, and what it fetches. */
export interface PlannedModel {
  readonly tier: PresetId;
  readonly role: 'vlm' | 'router';
  readonly spec: ModelSpec;
  readonly plan: keyof DtypePlan;
  /** Each file with its exact bytes, or the hub's rounded figure (`approx`), or neither where nothing is known. */
  readonly files: readonly { readonly path: string; readonly bytes: number | null; readonly approx?: number }[];
  /** The sum of the known files; exact only when no file is unknown. */
  readonly knownBytes: number;
  readonly unknownFiles: number;
}

/** The external-data chunks of each graph, as the manifest lists them (`<graph>.onnx_data`, `_data_1`, …). */
function chunksOf(manifest: Manifest | null): Record<string, number> {
  const chunks: Record<string, number> = {};
  for (const file of manifest?.files ?? []) {
    const graph = /^onnx\/(.+\.onnx)_data(_\d+)?$/.exec(file.path)?.[1];
    if (graph) chunks[graph] = (chunks[graph] ?? 0) + 1;
  }
  return chunks;
}

/** The models of `tiers` on a device plan (the smoke run in Node uses the WASM plan: onnxruntime-node's CPU). */
export function smokePlan(tiers: readonly PresetId[], plan: keyof DtypePlan = 'wasm'): PlannedModel[] {
  return tiers.flatMap((tier) =>
    (['vlm', 'router'] as const).map((role): PlannedModel => {
      const spec = PRESETS[tier][role];
      const manifest = loadManifest(spec.repo, spec.revision);
      const dtype = spec.dtypes[plan];
      const sizes = new Map(
        manifest ? manifestPlan(manifest, spec.family, dtype).files.map((f) => [f.path, f.bytes]) : [],
      );
      const rounded = new Map(manifest?.approximate?.map((f) => [f.path, f.approxBytes]) ?? []);
      const files = plannedFiles(spec.family, dtype, chunksOf(manifest)).map((path) => {
        const approx = rounded.get(path);
        return { path, bytes: sizes.get(path) ?? null, ...(approx !== undefined && { approx }) };
      });
      return {
        tier,
        role,
        spec,
        plan,
        files,
        knownBytes: files.reduce((sum, f) => sum + (f.bytes ?? 0), 0),
        unknownFiles: files.filter((f) => f.bytes === null).length,
      };
    }),
  );
}

/** The rounded sizes of the files whose exact size is unknown. */
function approxOf(m: PlannedModel): number {
  return m.files.reduce((sum, f) => sum + (f.bytes === null ? (f.approx ?? 0) : 0), 0);
}

/** Bytes as people read them. */
function size(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
  return n >= 1e3 ? `${(n / 1e3).toFixed(1)} kB` : `${n} B`;
}

/** Exact bytes, then what is only estimated or not known at all. */
function totalText(models: readonly PlannedModel[]): string {
  const exact = models.reduce((s, m) => s + m.knownBytes, 0);
  const files = models.flatMap((m) => m.files).filter((f) => f.bytes === null);
  const approx = files.reduce((s, f) => s + (f.approx ?? 0), 0);
  const unknown = files.filter((f) => f.approx === undefined).length;
  const parts = [`${size(exact)} exactly`];
  if (approx) parts.push(`≈ ${size(approx)} more by the hub's rounded sizes`);
  if (unknown) parts.push(`${unknown} file${unknown === 1 ? '' : 's'} of unknown size`);
  return parts.join(', ');
}

/** The plan as the terminal shows it: one block per model, one line per file. */
export function formatPlan(models: readonly PlannedModel[]): string {
  const lines: string[] = [];
  for (const m of models) {
    lines.push(`${m.tier} ${m.role}: ${m.spec.repo}@${m.spec.revision} (${m.plan} plan)`);
    for (const f of m.files) {
      const known = f.approx !== undefined ? `≈ ${size(f.approx)} (hub-rounded)` : 'size unknown';
      lines.push(`  ${f.path}  ${f.bytes !== null ? `${f.bytes} B` : known}`);
    }
    lines.push(`  total ${totalText([m])}`);
  }
  const count = models.reduce((s, m) => s + m.files.length, 0);
  lines.push(`Would fetch ${count} files: ${totalText(models)}.`);
  return lines.join('\n');
}
