/**
 * The fused Gated DeltaNet ops of the Qwen3.5 `-ONNX-OPT` exports
 * (`com.microsoft` CausalConvWithState and LinearAttention, opset 1) on
 * onnxruntime-node: a tiny graph (test/fixtures/forge/fused-ops.ts) checked
 * against a plain TypeScript reference over a 5-token prefill, a 1-token
 * decode step and a 3-token chunk, each call fed the previous call's present
 * conv and recurrent states. Semantics: docs/fused-ops.md.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import onnxProto from 'onnx-proto';
import { afterAll, describe, expect, test } from 'vitest';
import {
  FUSED_CALLS,
  FUSED_OUTPUTS,
  type FusedDtype,
  type FusedFeeds,
  type FusedOutputs,
  checkFusedCalls,
  fusedFeeds,
  fusedOpsModel,
  fusedReference,
  fusedSessionFeeds,
  fusedShapes,
  maxAbsDiff,
  worstDiff,
} from '../fixtures/forge/fused-ops';

const ortVersion = (createRequire(import.meta.url)('onnxruntime-node/package.json') as { version: string }).version;
const dir = mkdtempSync(join(tmpdir(), 'mc-fused-ops-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** One session call with float32 tensors in the fixture's shapes. */
function runner(session: ort.InferenceSession) {
  return async (feeds: FusedFeeds, seq: number): Promise<FusedOutputs> => {
    const shapes = fusedShapes(seq);
    const out = await session.run(fusedSessionFeeds((data, dims) => new ort.Tensor('float32', data, dims), feeds, seq));
    const data = (name: (typeof FUSED_OUTPUTS)[number]) => {
      const tensor = out[name];
      if (!tensor) throw new Error(`no output ${name}`);
      expect(tensor.dims, name).toEqual(shapes[name]);
      return tensor.data as Float32Array;
    };
    return { output: data('output'), present_conv: data('present_conv'), present_recurrent: data('present_recurrent') };
  };
}

/** Opens the fixture, asking ORT to write the graph it will run (after its rewrites) to `optimized`. */
function open(dtype: FusedDtype, optimized?: string) {
  // 'extended' (not 'all'): ORT warns when it writes a graph with hardware-specific layout rewrites.
  const write = { optimizedModelFilePath: optimized, graphOptimizationLevel: 'extended' } as const;
  return ort.InferenceSession.create(fusedOpsModel(dtype), optimized ? write : {});
}

/** The com.microsoft nodes of a model file: type and input names. */
function msNodes(file: string) {
  const model = onnxProto.onnx.ModelProto.decode(readFileSync(file));
  return model
    .graph!.node!.filter((n) => n.domain === 'com.microsoft')
    .map((n) => ({ op: n.opType, inputs: n.input ?? [] }));
}

describe('the reference itself', () => {
  test('is not trivial: outputs are non-zero and the carried state changes the next call', () => {
    const first = fusedReference(fusedFeeds(0, 5));
    expect(Math.max(...first.output.map(Math.abs))).toBeGreaterThan(0.1);
    expect(Math.max(...first.present_recurrent.map(Math.abs))).toBeGreaterThan(0.1);
    // Dropping the state (a fresh sequence) must change the decode step well beyond the tolerance.
    const carried = fusedReference(
      fusedFeeds(1, 1, { past_conv: first.present_conv, past_recurrent: first.present_recurrent }),
    );
    const fresh = fusedReference(fusedFeeds(1, 1));
    expect(maxAbsDiff(carried.output, fresh.output)).toBeGreaterThan(0.01);
  });
});

describe(`onnxruntime-node ${ortVersion} (CPU)`, () => {
  test('is the version under test', () => {
    expect(ortVersion).toBe('1.30.0');
  });

  test('float32: CausalConvWithState + LinearAttention match the reference, state carried across 3 calls', async () => {
    const session = await open('float32');
    const checks = await checkFusedCalls(runner(session));
    await session.release();
    expect(checks.map((c) => c.seq)).toEqual([...FUSED_CALLS]);
    expect(worstDiff(checks), JSON.stringify(checks)).toBeLessThan(1e-4);
  });

  /**
   * The CPU kernels register float only (onnxruntime PR #27907). A float16
   * graph still runs: at session creation ORT's cast insertion wraps each
   * fused node in float16→float32 Casts (named `InsertedPrecisionFreeCast_…`)
   * and runs the float kernel. Inputs rounded to float16 upstream stay
   * rounded (the conv state stores the rounded qkv), hence the wider tolerance.
   */
  test('float16: runs, the fused nodes wrapped in inserted float32 Casts', async () => {
    const optimized = join(dir, 'fused-float16.optimized.onnx');
    const session = await open('float16', optimized);
    const checks = await checkFusedCalls(runner(session));
    await session.release();
    expect(worstDiff(checks), JSON.stringify(checks)).toBeLessThan(5e-3);
    const [conv, attention, ...rest] = msNodes(optimized);
    expect([conv?.op, attention?.op, rest.length]).toEqual(['CausalConvWithState', 'LinearAttention', 0]);
    expect(conv?.inputs[0]).toMatch(/^InsertedPrecisionFreeCast_/);
    expect(attention?.inputs.slice(0, 3)).toEqual([
      'InsertedPrecisionFreeCast_q',
      'InsertedPrecisionFreeCast_k',
      'InsertedPrecisionFreeCast_v',
    ]);
  });
});
