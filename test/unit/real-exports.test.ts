/**
 * The presets against the ground truth about the real exports
 * (test/fixtures/real/): every repo pinned to a commit with a ground-truth
 * folder, every plan's files listed in that repo's manifest, the sizes the
 * app shows and checks the quota with equal to the manifest's sums, and the
 * real small files byte for byte as the manifests describe them.
 */
import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { type DtypePlan, type ModelSpec, downloadBytes } from '../../src/shared/model-spec';
import { PRESETS, QWEN3_06B } from '../../src/shared/presets';
import { loadManifest, manifestPlan, realFile, realRepos } from '../support/real-exports';

const PLANS = ['webgpuF16', 'webgpu', 'wasm'] as const satisfies readonly (keyof DtypePlan)[];

/** Every model a preset names, once, by repo. */
const SPECS: ModelSpec[] = [
  ...new Map(
    [...Object.values(PRESETS).flatMap((p) => [p.vlm, p.router, ...(p.llm === 'vlm' ? [] : [p.llm])]), QWEN3_06B].map(
      (s) => [s.repo, s],
    ),
  ).values(),
];

describe('every preset repo is pinned and has its ground truth', () => {
  test.each(SPECS.map((s) => [s.repo, s] as const))('%s', (_repo, spec) => {
    expect(spec.revision).toMatch(/^[0-9a-f]{40}$/);
    const manifest = loadManifest(spec.repo, spec.revision);
    expect(manifest, `test/fixtures/real/${spec.repo}@${spec.revision}/manifest.json`).not.toBeNull();
    expect(manifest).toMatchObject({ repo: spec.repo, commit: spec.revision });
  });
});

describe('plan sizes come from the manifests', () => {
  test.each(SPECS.map((s) => [s.repo, s] as const))('%s', (_repo, spec) => {
    const manifest = loadManifest(spec.repo, spec.revision);
    if (!manifest) throw new Error(`no manifest for ${spec.repo}`);
    for (const plan of PLANS) {
      const known = manifestPlan(manifest, spec.family, spec.dtypes[plan]);
      const exact = spec.planBytes?.[plan];
      if (known.missing.length === 0) {
        // Every file is known: the figure shown and used for the quota check is their sum, nothing else.
        expect(exact, `${spec.repo} ${plan}: exact bytes known, planBytes must state them`).toBe(known.bytes);
        expect(downloadBytes(spec, spec.dtypes[plan])).toBe(known.bytes);
      } else {
        // A figure for a plan with unknown files would be invented: only the estimate is allowed.
        expect(exact, `${spec.repo} ${plan}: ${known.missing.join(', ')} not in the manifest`).toBeUndefined();
      }
    }
    if (spec.planBytes) expect(spec.approxBytes).toBe(Math.max(...Object.values(spec.planBytes)));
  });

  test('the Qwen3.5 tiers are fully known; their descriptions state the bytes of each plan', () => {
    const router = PRESETS.balanced.router.approxBytes + PRESETS.balanced.ocr.approxBytes;
    for (const preset of [PRESETS.balanced, PRESETS.quality]) {
      const manifest = loadManifest(preset.vlm.repo, preset.vlm.revision);
      if (!manifest) throw new Error('no manifest');
      const sizes = PLANS.map((plan) => manifestPlan(manifest, 'qwen3_5', preset.vlm.dtypes[plan]).bytes + router);
      const gb = (n: number) => (n / 1e9).toFixed(2);
      expect(preset.description).toContain(`${gb(Math.min(...sizes))}–${gb(Math.max(...sizes))} GB`);
    }
    // The real plans are far above the 0.65 / 1.6 GB once assumed.
    expect(PRESETS.balanced.vlm.planBytes.webgpuF16).toBe(871_363_478);
    expect(PRESETS.quality.vlm.planBytes.webgpuF16).toBe(2_221_081_189);
  });
});

describe('the real small files are the ones the manifests describe', () => {
  test.each(realRepos())('%s@%s', (repo, commit) => {
    const manifest = loadManifest(repo, commit);
    if (!manifest) throw new Error('no manifest');
    for (const file of manifest.files) {
      const bytes = realFile(repo, commit, file.path);
      if (!bytes) continue;
      expect(bytes.length, file.path).toBe(file.bytes);
      if (file.sha256) expect(createHash('sha256').update(bytes).digest('hex'), file.path).toBe(file.sha256);
    }
    // Each source named by a file is described.
    for (const file of manifest.files) expect(manifest.sources[file.source], file.source).toBeTruthy();
  });

  test('the shipped Qwen3.5 exports have their real preprocessor config, which states no normalisation', () => {
    for (const spec of [PRESETS.balanced.vlm, PRESETS.quality.vlm]) {
      const bytes = realFile(spec.repo, spec.revision, 'preprocessor_config.json');
      expect(bytes && createHash('sha256').update(bytes).digest('hex')).toBe(
        '6a970fd06f30e6943b3e2c14d5d3b42d49b06cf99b99103d56689bef462d90f8',
      );
      expect(Object.keys(JSON.parse(String(bytes)))).not.toContain('do_normalize');
    }
  });
});
