/**
 * Figure 10's two sides of a warm load of a part model, each in a fresh
 * worker and each with its warm-up run (a 32×32 grey image, one token: what
 * the engine's `warmUp` does), handing back how to end it:
 * - ours: the app's captioner, its worker and IndexedDB weight cache (marks:
 *   each file's read from the cache beginning, the cache's `hit`);
 * - plain: transformers.js in a worker, its Cache API path (marks: each
 *   file's read beginning and ending, its `initiate` / `done` progress).
 */
import { type Remote, proxy, wrap } from 'comlink';
import { createCaptioner } from '../../src/client/captioner';
import type { Preset } from '../../src/shared/presets';
import { solidImage } from '../../test/browser/images';
import { TINY_PRESET } from '../../test/fixtures/specs';
import { forgeSpec } from '../forge-spec';
import type { LoadMark, RawVlmApi } from '../workers/raw-vlm.worker';
import type { PartModel } from './parts';

export type Device = 'wasm' | 'webgpu';

/** Where the bench serves the part models. */
export type Source = { readonly kind: 'host'; readonly host: string; readonly pathTemplate: string };

/** What one of our loads read from the weight cache (each file once), and whether every file came from it. */
export interface OursRead {
  bytes: number;
  fromCache: boolean | undefined;
}

/** Our load; `read` is filled in as the cache reports its hits. */
export async function oursLoad(
  source: Source,
  model: PartModel,
  device: Device,
  mark: (what: string) => void,
  read: OursRead = { bytes: 0, fromCache: undefined },
): Promise<() => void> {
  const weights = Object.values(model.bytes).reduce((a, b) => a + b, 0);
  const preset: Preset = { ...TINY_PRESET, id: 'forge', vlm: forgeSpec('idefics3', model.repo, weights) };
  const c = createCaptioner({ source });
  // transformers.js matches each file twice, once for its size (headers only: no chunk is read) and once for
  // its body, and the cache reports a hit each time: count each file once.
  const matched = new Set<string>();
  try {
    const report = await c.load({
      preset,
      roles: ['vlm'],
      device,
      onEvent: (e) => {
        if (e.type !== 'cached') return;
        if (!matched.has(e.file)) read.bytes += e.bytes;
        mark(`${matched.has(e.file) ? 'read begins' : 'size asked'} ${e.file}`);
        matched.add(e.file);
      },
    });
    if (report.device !== device) throw new Error(`${model.repo}: loaded on ${report.device}, not ${device}`);
    read.fromCache = report.roles[0]?.fromCache;
    return () => c.dispose();
  } catch (err) {
    c.dispose();
    throw err;
  }
}

/** The plain transformers.js load, in a fresh worker. */
export async function plainLoad(
  host: string,
  model: PartModel,
  device: Device,
  mark: (what: string) => void,
): Promise<() => void> {
  const worker = new Worker(new URL('../workers/raw-vlm.worker.ts', import.meta.url), { type: 'module' });
  try {
    const raw: Remote<RawVlmApi> = wrap(worker);
    // The engine's warm-up image: 32×32, grey.
    const image = await solidImage('rgb(128,128,128)', 32, 32);
    await raw.load(
      host,
      model.repo,
      device,
      proxy((m: LoadMark) => mark(`${m.status === 'done' ? 'read ends' : 'read begins'} ${m.file}`)),
    );
    await raw.caption(image, 'Hi', 1);
    return () => worker.terminate();
  } catch (err) {
    worker.terminate();
    throw err;
  }
}
