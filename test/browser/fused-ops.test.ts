/**
 * The fused Gated DeltaNet ops of the Qwen3.5 `-ONNX-OPT` exports
 * (`com.microsoft` CausalConvWithState and LinearAttention, opset 1) on
 * onnxruntime-web in Chromium, through the same ORT build transformers.js
 * runs (`onnxruntime-web/webgpu`, the asyncify wasm served by the app): on
 * WASM and on WebGPU (SwiftShader here, no `shader-f16`). A tiny graph
 * (test/fixtures/forge/fused-ops.ts) is checked against a plain TypeScript
 * reference over a 5-token prefill, a 1-token decode step and a 3-token
 * chunk, each call fed the previous call's present states.
 * Semantics: docs/fused-ops.md. Node: test/unit/fused-ops.test.ts.
 */
import * as ort from 'onnxruntime-web/webgpu';
import ortMjsUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.mjs?url';
import ortWasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url';
import { beforeAll, describe, expect, test } from 'vitest';
import {
  FUSED_CALLS,
  FUSED_OUTPUTS,
  type FusedDtype,
  type FusedFeeds,
  type FusedOutputs,
  checkFusedCalls,
  fusedOpsModel,
  fusedSessionFeeds,
  fusedShapes,
  worstDiff,
} from '../fixtures/forge/fused-ops';
import { GraphBuilder } from '../fixtures/forge/onnx-builder';

beforeAll(() => {
  // As the app's worker does: the runtime files from our own origin, no CDN.
  ort.env.wasm.wasmPaths = { mjs: ortMjsUrl, wasm: ortWasmUrl };
  ort.env.wasm.numThreads = 1;
});

/** Session option that makes session creation fail if any node would run on the CPU EP instead. */
const WEBGPU_ONLY = { extra: { session: { disable_cpu_ep_fallback: '1' } } };

function open(bytes: Uint8Array, ep: 'wasm' | 'webgpu', strict = false) {
  return ort.InferenceSession.create(bytes, {
    executionProviders: [ep],
    ...(strict ? structuredClone(WEBGPU_ONLY) : {}),
  });
}

/** One session call with float32 tensors in the fixture's shapes. */
function runner(session: ort.InferenceSession) {
  return async (feeds: FusedFeeds, seq: number): Promise<FusedOutputs> => {
    const shapes = fusedShapes(seq);
    const out = await session.run(fusedSessionFeeds((data, dims) => new ort.Tensor('float32', data, dims), feeds, seq));
    const data = async (name: (typeof FUSED_OUTPUTS)[number]) => {
      const tensor = out[name];
      if (!tensor) throw new Error(`no output ${name}`);
      expect(tensor.dims, name).toEqual(shapes[name]);
      return (await tensor.getData()) as Float32Array;
    };
    return {
      output: await data('output'),
      present_conv: await data('present_conv'),
      present_recurrent: await data('present_recurrent'),
    };
  };
}

async function check(dtype: FusedDtype, ep: 'wasm' | 'webgpu', strict = false) {
  const session = await open(fusedOpsModel(dtype), ep, strict);
  try {
    const checks = await checkFusedCalls(runner(session));
    expect(checks.map((c) => c.seq)).toEqual([...FUSED_CALLS]);
    return checks;
  } finally {
    await session.release();
  }
}

describe('onnxruntime-web WASM', () => {
  test('float32: CausalConvWithState + LinearAttention match the reference, state carried across 3 calls', async () => {
    const checks = await check('float32', 'wasm');
    expect(worstDiff(checks), JSON.stringify(checks)).toBeLessThan(1e-4);
  });

  /**
   * The CPU kernels register float only (onnxruntime PR #27907), yet a
   * float16 graph runs: ORT wraps the fused nodes in inserted float32 Casts
   * at session creation (shown on onnxruntime-node, whose optimised graph
   * can be written out: test/unit/fused-ops.test.ts). Differences come
   * from the float16 rounding of inputs and states (measured ≈ 1.8e-3).
   */
  test('float16: runs, within float16 rounding of the reference', async () => {
    const checks = await check('float16', 'wasm');
    expect(worstDiff(checks), JSON.stringify(checks)).toBeLessThan(5e-3);
  });
});

describe('onnxruntime-web WebGPU (SwiftShader)', () => {
  test('the adapter is the one CI has: no shader-f16', async () => {
    const adapter = await navigator.gpu.requestAdapter();
    expect(adapter).not.toBeNull();
    expect(adapter!.features.has('shader-f16')).toBe(false);
  });

  test('float32: every node runs on the WebGPU EP and matches the reference, state carried across 3 calls', async () => {
    const checks = await check('float32', 'webgpu', true);
    expect(worstDiff(checks), JSON.stringify(checks)).toBeLessThan(1e-4);
  });

  test('the CPU-fallback guard works: a node with no WebGPU kernel (Det) is refused', async () => {
    const g = new GraphBuilder('det');
    g.output('y', 'float32', [], g.op('Det', [g.input('x', 'float32', [2, 2])]));
    await expect(open(g.toBytes(), 'webgpu', true)).rejects.toThrow(/fallback to CPU EP has been explicitly disabled/);
    // Without the guard the same graph runs, its Det on the CPU EP.
    const session = await open(g.toBytes(), 'webgpu');
    const out = await session.run({ x: new ort.Tensor('float32', Float32Array.from([1, 2, 3, 4]), [2, 2]) });
    expect(Array.from((out.y?.data ?? []) as Float32Array)).toEqual([expect.closeTo(-2, 5)]);
    await session.release();
  });

  /**
   * Without shader-f16 no float16 WebGPU program can be built; ORT does not
   * fall back to the CPU EP at run time. The first float16 node of this
   * graph is a Cast, so the fused ops' float16 WebGPU kernels are not
   * reached here (a real q4f16 decoder fails the same way at its first
   * float16 node).
   */
  test('float16 without shader-f16: the session opens, the first run fails at the first float16 program', async () => {
    const session = await open(fusedOpsModel('float16'), 'webgpu', true);
    try {
      await expect(checkFusedCalls(runner(session))).rejects.toThrow(
        /Program Cast requires f16 but the device does not support it/,
      );
    } finally {
      await session.release();
    }
  });
});
