/**
 * Browser commands (run in Node, called from tests in Chromium) that read
 * the network guard started by global setup. Global setup and commands load
 * through different module graphs, so the guard is shared on `globalThis`.
 */
import type { BrowserCommand, BrowserCommandContext } from 'vitest/node';
import type { ModelServer } from '../support/model-server';
import type { NetworkGuard } from '../support/network-guard';
import { nodeImport } from '../support/node-import.ts';
import type { NodeOcr } from '../support/ocr-node';

const KEY = Symbol.for('metacaptioner.testServers');

interface Servers {
  readonly guard: NetworkGuard;
  readonly models: ModelServer;
}

/** Registers the servers for the commands below (called by global setup). */
export function shareServers(servers: Servers | undefined): void {
  (globalThis as Record<symbol, unknown>)[KEY] = servers;
}

function shared(): Servers {
  const servers = (globalThis as Record<symbol, Servers | undefined>)[KEY];
  if (!servers) throw new Error('test servers not running: is test/browser/global-setup.ts configured?');
  return servers;
}

/** App requests that left localhost since the last call. */
export const takeOutsideRequests: BrowserCommand<[]> = () => shared().guard.takeAppRequests();

/** Whole-file downloads the model server served since the last call (and forgets them); range probes excluded. */
export const takeModelRequests: BrowserCommand<[]> = () =>
  shared()
    .models.requests.splice(0)
    .filter((r) => r.status !== 206)
    .map((r) => r.path);

/** Switches the model server off (every request gets 503) or on. */
export const setModelServerOffline: BrowserCommand<[offline: boolean]> = (_ctx, offline) => {
  shared().models.faults.offline = offline;
};

/** The next response for `path` sends half its body and drops the connection. */
export const cutDownloadHalfway: BrowserCommand<[path: string]> = (_ctx, path) => {
  shared().models.faults.cutHalfway.add(path);
};

/** Answers `path` with `text` instead of its file (null: serve the file again). */
export const replaceModelFile: BrowserCommand<[path: string, text: string | null]> = (_ctx, path, text) => {
  const { replaced } = shared().models.faults;
  if (text === null) replaced.delete(path);
  else replaced.set(path, new TextEncoder().encode(text));
};

let nodeOcr: Promise<NodeOcr> | null = null;

/** A PNG (base64) read in Node, the reference the browser must match. */
/** A line as the browser test compares it: its text and the direction it was read in. */
export interface ReadLine {
  readonly text: string;
  readonly angle: number;
}

type Ctx = BrowserCommandContext;

async function withNodeReading(ctx: Ctx, png: Buffer): Promise<{ png: string; node: ReadLine[] }> {
  const { createNodeOcr } = await nodeImport<typeof import('../support/ocr-node.ts')>(ctx, '/test/support/ocr-node.ts');
  const { decodeRgb } = await nodeImport<typeof import('../support/text-images.ts')>(
    ctx,
    '/test/support/text-images.ts',
  );
  nodeOcr ??= createNodeOcr();
  const lines = await (await nodeOcr).read(await decodeRgb(png));
  return { png: png.toString('base64'), node: lines.map((l) => ({ text: l.text, angle: l.angle })) };
}

/** Renders OCR sample `index` as a PNG (base64) and reads it in Node, the reference for the browser. */
export const ocrSample: BrowserCommand<[index: number]> = async (ctx, index) => {
  // Loaded through the module runner: the vitest config imports this file, and these pull in the app's sources.
  const { OCR_SAMPLES } = await nodeImport<typeof import('../fixtures/ocr-samples.ts')>(
    ctx,
    '/test/fixtures/ocr-samples.ts',
  );
  const { renderPng } = await nodeImport<typeof import('../support/text-images.ts')>(
    ctx,
    '/test/support/text-images.ts',
  );
  const sample = OCR_SAMPLES[index];
  if (!sample) throw new Error(`no OCR sample ${index}`);
  return { ...(await withNodeReading(ctx, await renderPng(sample))), truth: sample.lines };
};

/** Renders OCR scene `index` (photos, screenshots, code, tables) and reads it in Node. */
export const ocrScene: BrowserCommand<[index: number]> = async (ctx, index) => {
  const { OCR_SCENES } = await nodeImport<typeof import('../fixtures/ocr-scenes.ts')>(
    ctx,
    '/test/fixtures/ocr-scenes.ts',
  );
  const { renderScene } = await nodeImport<typeof import('../support/ocr-scenes.ts')>(
    ctx,
    '/test/support/ocr-scenes.ts',
  );
  const scene = OCR_SCENES[index];
  if (!scene) throw new Error(`no OCR scene ${index}`);
  return { ...(await withNodeReading(ctx, await renderScene(scene))), name: scene.name };
};

/** Renders any scene (passed whole) and reads it in Node. */
export const ocrRender: BrowserCommand<[scene: import('../fixtures/ocr-scenes.ts').OcrScene]> = async (ctx, scene) => {
  const { renderScene } = await nodeImport<typeof import('../support/ocr-scenes.ts')>(
    ctx,
    '/test/support/ocr-scenes.ts',
  );
  return withNodeReading(ctx, await renderScene(scene));
};

/** Every command, for the vitest config. */
export const testCommands = {
  takeOutsideRequests,
  takeModelRequests,
  setModelServerOffline,
  cutDownloadHalfway,
  replaceModelFile,
  ocrSample,
  ocrScene,
  ocrRender,
};

declare module 'vitest/browser' {
  interface BrowserCommands {
    takeOutsideRequests(): Promise<string[]>;
    takeModelRequests(): Promise<string[]>;
    setModelServerOffline(offline: boolean): Promise<void>;
    cutDownloadHalfway(path: string): Promise<void>;
    replaceModelFile(path: string, text: string | null): Promise<void>;
    ocrSample(index: number): Promise<{ png: string; truth: readonly string[]; node: ReadLine[] }>;
    ocrScene(index: number): Promise<{ png: string; name: string; node: ReadLine[] }>;
    ocrRender(scene: import('../fixtures/ocr-scenes.ts').OcrScene): Promise<{ png: string; node: ReadLine[] }>;
  }
}
