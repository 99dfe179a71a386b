#!/usr/bin/env node
// `npm run smoke:real -- [--plan] [--tiers tiny,balanced,quality] [--cache-dir DIR] [--host URL]`:
// the shipped tiers on their real weights (bench/smoke/real.smoke.ts), on this machine's CPU.
// Needs the model hub or a mirror (--host). --plan: prints the files and bytes it would fetch, nothing else.
import { spawnSync } from 'node:child_process';

const usage = 'Usage: npm run smoke:real -- [--plan] [--tiers tiny,balanced,quality] [--cache-dir DIR] [--host URL]';
const args = process.argv.slice(2);
const env = { ...process.env, MC_SMOKE_PLAN: '0' };
for (let i = 0; i < args.length; i++) {
  const arg = args[i];
  const value = () => {
    const next = args[++i];
    if (next === undefined || next.startsWith('--')) {
      console.error(`${arg} needs a value. ${usage}`);
      process.exit(2);
    }
    return next;
  };
  if (arg === '--plan') env.MC_SMOKE_PLAN = '1';
  else if (arg === '--tiers') env.MC_SMOKE_TIERS = value();
  else if (arg === '--cache-dir') env.MC_SMOKE_CACHE = value();
  else if (arg === '--host') env.MC_SMOKE_HOST = value();
  else {
    console.error(`Unknown option ${arg}. ${usage}`);
    process.exit(2);
  }
}
const run = spawnSync('npx', ['vitest', 'run', '--project', 'smoke', '--silent=false', '--reporter=dot'], {
  stdio: 'inherit',
  env,
});
process.exit(run.status ?? 1);
