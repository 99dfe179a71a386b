#!/usr/bin/env node
// `npm run bench -- [--quick] [--gpu]`: runs the bench project of vitest
// (real Chromium, the forge's models) with these settings, and passes its
// exit status on. --quick: a few rounds, small sizes (what CI runs).
// --gpu: Chromium on the machine's GPU through Vulkan instead of SwiftShader.
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
const known = new Set(['--quick', '--gpu']);
const unknown = args.filter((a) => !known.has(a));
if (unknown.length > 0) {
  console.error(`Unknown option ${unknown.join(' ')}. Usage: npm run bench -- [--quick] [--gpu]`);
  process.exit(2);
}
const env = {
  ...process.env,
  MC_BENCH_QUICK: args.includes('--quick') ? '1' : '0',
  MC_BENCH_GPU: args.includes('--gpu') ? '1' : '0',
};
const run = spawnSync('npx', ['vitest', 'run', '--project', 'bench'], {
  stdio: 'inherit',
  env,
});
process.exit(run.status ?? 1);
