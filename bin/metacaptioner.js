#!/usr/bin/env node
// The `metacaptioner` command: runs the CLI build (`npm run build:cli` makes it; the package ships it).
import { existsSync } from 'node:fs';

const entry = new URL('../dist-cli/metacaptioner.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('The CLI is not built: run `npm run build:cli` in the metacaptioner-web folder first.\n');
  process.exit(1);
}
await import(entry.href);
