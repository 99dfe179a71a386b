/**
 * `npm run smoke:real -- --plan`: the real-weights smoke run's dry run,
 * which fetches nothing and lists the files and bytes the run would fetch,
 * from the exports' manifests (bench/smoke/plan.ts).
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import { PRESETS } from '../../src/shared/presets';
import { smokePlan } from '../../bench/smoke/plan';

describe('smoke:real --plan', () => {
  test('lists each file of the WASM plan with its exact bytes where the manifest knows them', () => {
    const [vlm, router] = smokePlan(['balanced']);
    expect(vlm?.spec).toBe(PRESETS.balanced.vlm);
    expect(vlm?.unknownFiles).toBe(0);
    expect(vlm?.knownBytes).toBe(PRESETS.balanced.vlm.planBytes.wasm);
    expect(vlm?.files.map((f) => f.path)).toContain('onnx/decoder_model_merged_q4.onnx_data');
    // CLIP's exact sizes are not known: only estimates, said as such.
    expect(router?.unknownFiles).toBeGreaterThan(0);
    expect(router?.files.find((f) => f.path === 'onnx/vision_model_quantized.onnx')).toMatchObject({
      bytes: null,
      approx: 89_100_000,
    });
  });

  test('the command prints the plan and fetches nothing; an unknown option is refused', () => {
    const run = spawnSync('node', ['bench/smoke-real.mjs', '--plan', '--tiers', 'balanced'], {
      encoding: 'utf8',
      timeout: 120_000,
      // No host can be reached: a fetch would fail the run.
      env: { ...process.env, HTTPS_PROXY: 'http://127.0.0.1:9', HTTP_PROXY: 'http://127.0.0.1:9' },
    });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain(
      `balanced vlm: ${PRESETS.balanced.vlm.repo}@${PRESETS.balanced.vlm.revision} (wasm plan)`,
    );
    expect(run.stdout).toContain('onnx/decoder_model_merged_q4.onnx_data  483655680 B');
    expect(run.stdout).toContain('total 734.8 MB exactly');
    expect(run.stdout).toMatch(
      /Would fetch 18 files: 734\.8 MB exactly, ≈ 153\.6 MB more by the hub's rounded sizes, 4 files of unknown size\./,
    );
    const bad = spawnSync('node', ['bench/smoke-real.mjs', '--fast'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('Unknown option --fast');
  }, 150_000);
});
