/**
 * The tiny loop's input: 16 forge images (seeded blotches, distinct dHashes)
 * and a CapFlow run log captioning them, written with the same helpers the
 * `distill prepare` tests use (test/support/distill-fixture.ts), so the
 * loop's records are the CLI's own format. Bundled and run by
 * distill/tiny-loop.sh (rolldown; Node 20 runs no TypeScript).
 *
 * Usage: node forge-run.mjs OUT_DIR
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DomainId } from '../src/shared/record';
import { noisePng, okLine, runLog } from '../test/support/distill-fixture';

/** Captions by domain: short, distinct per image, so the student has something to copy. */
const COLOURS = ['red', 'green', 'blue', 'amber', 'violet', 'teal', 'grey', 'pink'];
const DOMAINS: readonly DomainId[] = ['natural', 'ui'];

const out = process.argv[2];
if (!out) throw new Error('usage: node forge-run.mjs OUT_DIR');
mkdirSync(join(out, 'photos'), { recursive: true });
const lines = [];
for (let i = 0; i < 16; i++) {
  const file = `photos/${i + 1}.png`;
  writeFileSync(join(out, file), await noisePng(i + 1, 48));
  const domain = DOMAINS[i % DOMAINS.length] ?? 'natural';
  const colour = COLOURS[i % COLOURS.length] ?? 'red';
  const caption =
    domain === 'ui'
      ? `A ${colour} settings screen with a toolbar, two toggles and a save button.`
      : `A ${colour} kite over a field, blotches of colour around it.`;
  lines.push(okLine(file, { domain, caption }));
}
writeFileSync(join(out, 'run.jsonl'), runLog(lines));
console.log(`wrote 16 images and run.jsonl in ${out}`);
