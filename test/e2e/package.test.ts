/**
 * The package as published: `npm pack`, then installed into empty projects
 * as its two kinds of user would. A web user's install pulls no native
 * binaries; a page built from it imports the library and the element. A
 * CLI user adds the optional peers, and `metacaptioner` prints its help and
 * captions offline from a model folder. Without the peers, the command
 * says what to install. The install sizes of both are printed.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { forgeAll } from '../fixtures/forge/models';
import { TINY_LLM, TINY_VLM, TINY_VLM_CAPTIONS } from '../fixtures/specs';
import { chromiumPath } from '../support/chromium';
import { solidPng } from '../support/png';
import { startStaticServer } from '../support/static-server';

const repo = process.cwd();
const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as {
  name: string;
  peerDependencies: Record<string, string>;
};
let work: string;
let tarball: string;

/** Runs npm in `cwd`, installing from the local cache where it can (the registry only for what it lacks). */
function npm(cwd: string, ...args: string[]): string {
  return execFileSync('npm', [...args, '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts'], {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** An empty project with the tarball and `extra` installed; returns its folder and its node_modules size in MB. */
function install(name: string, extra: readonly string[] = []): { dir: string; mb: number } {
  const dir = join(work, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, private: true, type: 'module' }));
  // As the project's own .npmrc: onnxruntime-node's install step would download CUDA files.
  writeFileSync(join(dir, '.npmrc'), 'onnxruntime-node-install=skip\n');
  npm(dir, 'install', tarball, ...extra);
  const kb = Number(execFileSync('du', ['-sk', join(dir, 'node_modules')], { encoding: 'utf8' }).split('\t')[0]);
  return { dir, mb: kb / 1024 };
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'mc-package-'));
  // The builds the package ships (npm test makes both before this project; alone, make them here).
  if (!existsSync(join(repo, 'dist-cli/metacaptioner.js'))) execFileSync('npm', ['run', 'build:cli'], { cwd: repo });
  if (!existsSync(join(repo, 'dist-lib/index.js'))) execFileSync('npm', ['run', 'build:lib'], { cwd: repo });
  const packed = execFileSync('npm', ['pack', '--pack-destination', work, '--silent'], { cwd: repo, encoding: 'utf8' });
  tarball = join(work, packed.trim().split('\n').at(-1) ?? '');
}, 300_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

test('a web user: no native binaries; a built page imports the library and the element', async () => {
  const web = install('web-user');
  console.log(`[package] install size for a web user: ${web.mb.toFixed(1)} MB`);
  for (const native of ['onnxruntime-node', 'sharp', '@huggingface/transformers']) {
    expect(existsSync(join(web.dir, 'node_modules', native)), native).toBe(false);
  }

  // The command says what it needs instead of failing on a missing module.
  const cli = spawnSync(join(web.dir, 'node_modules/.bin/metacaptioner'), ['--help'], { encoding: 'utf8' });
  expect(cli.status).toBe(1);
  const peers = Object.entries(pkg.peerDependencies).map(([n, v]) => `${n}@${v}`);
  expect(cli.stderr).toContain(`npm install ${peers.join(' ')}`);

  // A page built with Vite from the installed package.
  writeFileSync(
    join(web.dir, 'index.html'),
    '<!doctype html><meta charset="utf-8"><meta-captioner></meta-captioner><script type="module" src="./main.js"></script>',
  );
  writeFileSync(
    join(web.dir, 'main.js'),
    `import { createCaptioner, PRESETS } from '${pkg.name}';\nimport '${pkg.name}/element';\n` +
      'window.loaded = { createCaptioner: typeof createCaptioner, presets: Object.keys(PRESETS) };\n',
  );
  execFileSync(join(repo, 'node_modules/.bin/vite'), ['build', '--logLevel', 'error'], { cwd: web.dir });
  const site = await startStaticServer(join(web.dir, 'dist'));
  const browser = await chromium.launch({ executablePath: chromiumPath(), args: ['--no-sandbox', '--headless'] });
  try {
    const page = await browser.newPage();
    await page.goto(site.url);
    await page.waitForFunction(() => 'loaded' in window);
    expect(await page.evaluate(() => Reflect.get(window, 'loaded'))).toEqual({
      createCaptioner: 'function',
      presets: ['tiny', 'balanced', 'quality'],
    });
    expect(await page.evaluate(() => customElements.get('meta-captioner') !== undefined)).toBe(true);
    expect(await page.locator('meta-captioner').evaluate((e) => e.shadowRoot !== null)).toBe(true);
  } finally {
    await browser.close();
    await site.close();
  }
}, 300_000);

test('a CLI user: with the optional peers, help and an offline caption from a model folder', () => {
  const versions = (name: string) =>
    (JSON.parse(readFileSync(join(repo, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  // The peers at the versions this repository tests with.
  const peers = Object.keys(pkg.peerDependencies).map((name) => `${name}@${versions(name)}`);
  const cliUser = install('cli-user', peers);
  console.log(`[package] install size for a CLI user: ${cliUser.mb.toFixed(1)} MB`);
  const bin = join(cliUser.dir, 'node_modules/.bin/metacaptioner');
  const help = spawnSync(bin, ['--help'], { encoding: 'utf8' });
  expect(help.status, help.stderr).toBe(0);
  expect(help.stdout).toMatch(/^Usage:\n {2}metacaptioner caption/);

  const models = join(work, 'models');
  forgeAll(join(models, 'forge'), { dtypes: ['fp32', 'q8', 'q4'] });
  mkdirSync(join(cliUser.dir, 'imgs'));
  writeFileSync(join(cliUser.dir, 'imgs/red.png'), solidPng(230, 20, 30));
  const run = spawnSync(
    bin,
    ['caption', 'imgs', '--out', 'out.jsonl', '--mode', 'single-pass', '--models', models, '--preset', 'tiny'].concat([
      '--vlm',
      TINY_VLM.repo,
      '--llm',
      TINY_LLM.repo,
      '--router',
      'forge/tiny-clip-routed',
    ]),
    { cwd: cliUser.dir, encoding: 'utf8' },
  );
  expect(run.status, run.stderr).toBe(0);
  const [line] = readFileSync(join(cliUser.dir, 'out.jsonl'), 'utf8').trim().split('\n');
  expect(JSON.parse(line ?? '{}')).toMatchObject({
    file: 'imgs/red.png',
    ok: true,
    record: { caption: TINY_VLM_CAPTIONS.red },
  });
}, 300_000);
