/**
 * The ground truth about the real exports the presets name
 * (test/fixtures/real/<org>/<name>@<commit>/): each folder's manifest of
 * files (path, bytes, sha256, where the fact came from) and the real small
 * files found byte for byte. Tests check plans, pins and sizes against it,
 * and the forge takes its small files from it.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DTYPE_SUFFIXES, FAMILY_FILES, sessionDtype } from '../../src/shared/model-files';
import type { DtypeChoice, ModelFamily } from '../../src/shared/model-spec';

/** The folder that holds the ground truth. */
export const REAL_ROOT = join(import.meta.dirname, '../fixtures/real');

/** One file of a real export, as a source established it. */
export interface ManifestFile {
  readonly path: string;
  readonly bytes: number;
  readonly sha256: string | null;
  readonly source: string;
}

/** A real repo at one commit: its known files and what is not known. */
export interface Manifest {
  readonly repo: string;
  readonly commit: string;
  readonly files: readonly ManifestFile[];
  readonly sources: Readonly<Record<string, string>>;
  readonly unknown: readonly string[];
  /** Sizes known only as the hub's rounded figures (estimates, never exact plan bytes). */
  readonly approximate?: readonly { readonly path: string; readonly approxBytes: number; readonly source: string }[];
}

/** The ground-truth folder of `repo` at `commit`. */
export function realFolder(repo: string, commit: string): string {
  return join(REAL_ROOT, `${repo}@${commit}`);
}

/** Every repo@commit with a ground-truth folder, as `[repo, commit]`. */
export function realRepos(): [string, string][] {
  return readdirSync(REAL_ROOT, { withFileTypes: true })
    .filter((org) => org.isDirectory() && org.name !== 'reference')
    .flatMap((org) =>
      readdirSync(join(REAL_ROOT, org.name))
        .filter((name) => name.includes('@'))
        .map((name): [string, string] => {
          const at = name.lastIndexOf('@');
          return [`${org.name}/${name.slice(0, at)}`, name.slice(at + 1)];
        }),
    );
}

/** The manifest of `repo` at `commit`, or null when there is no ground-truth folder for it. */
export function loadManifest(repo: string, commit: string): Manifest | null {
  const file = join(realFolder(repo, commit), 'manifest.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Manifest) : null;
}

/** A real small file, byte for byte, or null where no verbatim copy was found. */
export function realFile(repo: string, commit: string, name: string): Buffer | null {
  const file = join(realFolder(repo, commit), name);
  return existsSync(file) ? readFileSync(file) : null;
}

/** What a plan fetches according to a manifest: the files it knows, their sum, and the files it does not know. */
export interface ManifestPlan {
  readonly files: readonly ManifestFile[];
  readonly bytes: number;
  readonly missing: readonly string[];
}

/**
 * The files a load of `family` with `dtype` fetches, looked up in the
 * manifest: the family's small files, then each session's graph with the
 * dtype's suffix and every external-data chunk the manifest lists for it
 * (`<graph>.onnx_data`, `_data_1`, …).
 */
export function manifestPlan(manifest: Manifest, family: ModelFamily, dtype: DtypeChoice): ManifestPlan {
  const byPath = new Map(manifest.files.map((f) => [f.path, f]));
  const wanted: string[] = [...FAMILY_FILES[family].configs];
  for (const session of FAMILY_FILES[family].sessions) {
    const graph = `onnx/${session}${DTYPE_SUFFIXES[sessionDtype(dtype, session)]}.onnx`;
    wanted.push(graph);
    const chunk = new RegExp(`^${graph.replace(/[.]/g, '\\.')}_data(_\\d+)?$`);
    wanted.push(...manifest.files.filter((f) => chunk.test(f.path)).map((f) => f.path));
  }
  const files = wanted.flatMap((path) => byPath.get(path) ?? []);
  return {
    files,
    bytes: files.reduce((sum, f) => sum + f.bytes, 0),
    missing: wanted.filter((path) => !byPath.has(path)),
  };
}
