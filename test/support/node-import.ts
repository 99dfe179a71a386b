/**
 * Loads a module for a browser command through the project's Vite module
 * runner rather than a dynamic `import()`. The vitest config imports the
 * command files, and Vite bundles the config with everything those files
 * import, dynamic imports included; the app's sources import without file
 * extensions, which the bundler warns about (forty lines on every run).
 * A module id the bundler cannot see keeps the config's graph to the
 * command files themselves.
 */
import type { BrowserCommandContext } from 'vitest/node';

/** The module at `path` (from the repository root, e.g. `/test/support/ocr-node.ts`). */
export function nodeImport<T>(ctx: BrowserCommandContext, path: `/${string}.ts`): Promise<T> {
  return ctx.project.import<T>(path);
}
