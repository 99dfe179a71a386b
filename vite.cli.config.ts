/**
 * The `metacaptioner` CLI as one Node ES module (`dist-cli/metacaptioner.js`):
 * the app's TypeScript compiled for Node 20, its dependencies left as
 * imports of node_modules (transformers.js resolves to its Node build there).
 */
import { defineConfig } from 'vite';

export default defineConfig({
  build: {
    ssr: 'src/cli/bin.ts',
    outDir: 'dist-cli',
    target: 'node20',
    emptyOutDir: true,
    sourcemap: true,
    rollupOptions: { output: { entryFileNames: 'metacaptioner.js', format: 'es' } },
  },
  publicDir: false,
  logLevel: 'warn',
});
