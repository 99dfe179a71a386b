#!/usr/bin/env node
// `npm run bench:doc -- [RESULTS]`: writes BENCHMARKS.md from bench/BENCHMARKS.template.md and a bench run's
// results. With RESULTS (a bench-results.json, e.g. the one `npm run bench` just wrote), that run becomes the
// reference: it is copied to bench/reference-results.json first. bench/doc.ts renders; Vite's module runner loads it.
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runnerImport } from 'vite';

const root = fileURLToPath(new URL('..', import.meta.url));
const reference = `${root}bench/reference-results.json`;
const [results] = process.argv.slice(2);
if (results) {
  const run = JSON.parse(readFileSync(results, 'utf8'));
  if (run.quick) {
    console.error(`${results} is a --quick run: the reference must be a full run (npm run bench).`);
    process.exit(2);
  }
  copyFileSync(results, reference);
}
const { module } = await runnerImport(`${root}bench/doc.ts`, { configFile: false, logLevel: 'silent' });
const text = module.renderBenchmarks(
  readFileSync(`${root}bench/BENCHMARKS.template.md`, 'utf8'),
  JSON.parse(readFileSync(reference, 'utf8')),
);
writeFileSync(`${root}BENCHMARKS.md`, text);
console.log(`BENCHMARKS.md written from ${results ?? 'bench/reference-results.json'}.`);
