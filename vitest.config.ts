import { playwright } from '@vitest/browser-playwright';
import { defineConfig, mergeConfig } from 'vitest/config';
import type { BrowserCommand } from 'vitest/node';
import { benchCliNode, benchImageReuseNode, benchMemory, benchOcrNode, benchRecord } from './bench/commands.ts';
import { testCommands } from './test/browser/commands.ts';
import { chromiumArgs, chromiumPath } from './test/support/chromium.ts';
import { freePort } from './test/support/network-guard.ts';
import viteConfig from './vite.config.ts';

/**
 * Four projects: `unit` (Node), `cli` (the command line, Node), `browser`
 * (real headless Chromium through vitest browser mode) and `e2e`
 * (Playwright driving the built site, and the packed package).
 * Browser and e2e need Chromium; without it the run stops with one line
 * saying how to install it.
 */
const needsBrowser = process.argv.some(
  (a) => a === 'browser' || a === 'e2e' || a === 'bench' || a.startsWith('--project=b') || a.startsWith('--project=e'),
);
/**
 * `npm run bench -- --gpu`: Chromium on the machine's GPU. Vulkan through
 * ANGLE reaches NVIDIA (and other) GPUs headless; without one, Chromium
 * falls back to SwiftShader and the run still completes.
 */
const gpuArgs = ['--use-angle=vulkan', '--enable-features=Vulkan,VulkanFromANGLE', '--ignore-gpu-blocklist'];
// The guard proxy's port must be in Chromium's flags before global setup starts the proxy.
const guardPort = Number(process.env.MC_GUARD_PORT ?? (await freePort()));
process.env.MC_GUARD_PORT = String(guardPort);

/** Vitest browser mode in headless system Chromium, with the usual flags plus `args`, and browser commands. */
function chromiumBrowser(args: readonly string[], commands: Record<string, BrowserCommand<never[]>>) {
  return {
    enabled: true,
    headless: true,
    screenshotFailures: false,
    provider: playwright({
      launchOptions: {
        executablePath: needsBrowser ? chromiumPath() : undefined,
        args: [...chromiumArgs(guardPort), ...args],
      },
    }),
    instances: [{ browser: 'chromium' as const }],
    commands,
  };
}

export default mergeConfig(
  viteConfig,
  defineConfig({
    test: {
      projects: [
        {
          extends: true,
          test: {
            name: 'unit',
            include: ['test/unit/**/*.test.ts'],
            environment: 'node',
            pool: 'forks',
          },
        },
        {
          extends: true,
          test: {
            // The CLI on both engines (a local OpenAI-compatible server), some runs as real processes of its build.
            name: 'cli',
            include: ['test/cli/**/*.test.ts'],
            environment: 'node',
            pool: 'forks',
            testTimeout: 60_000,
          },
        },
        {
          extends: true,
          test: {
            name: 'browser',
            include: ['test/browser/**/*.test.ts'],
            globalSetup: ['test/browser/global-setup.ts'],
            setupFiles: ['test/browser/setup.ts'],
            testTimeout: 120_000,
            hookTimeout: 120_000,
            // One Chromium page at a time: the machine has two cores and WebGPU on SwiftShader is CPU-bound.
            fileParallelism: false,
            browser: chromiumBrowser([], testCommands),
          },
        },
        {
          extends: true,
          test: {
            name: 'e2e',
            include: ['test/e2e/**/*.test.ts'],
            environment: 'node',
            // The page starts a worker, probes the GPU and loads models: UI states take seconds, not one.
            expect: { poll: { timeout: 30_000 } },
            testTimeout: 180_000,
            hookTimeout: 180_000,
            fileParallelism: false,
          },
        },
        {
          extends: true,
          test: {
            // `npm run smoke:real` (bench/smoke-real.mjs), never part of `npm test`: the real weights, from the hub.
            name: 'smoke',
            include: ['bench/smoke/**/*.smoke.ts'],
            environment: 'node',
            pool: 'forks',
          },
        },
        {
          extends: true,
          test: {
            // `npm run bench` (bench/cli.mjs), never part of `npm test`: figures, not assertions on time.
            name: 'bench',
            include: ['bench/figures/**/*.ts'],
            globalSetup: ['test/browser/global-setup.ts', 'bench/setup.ts'],
            testTimeout: 1_800_000,
            hookTimeout: 300_000,
            fileParallelism: false,
            browser: chromiumBrowser(
              [
                // Memory is measured after GC, at once rather than at the next natural GC.
                '--enable-blink-features=ForceEagerMeasureMemory',
                ...(process.env.MC_BENCH_GPU === '1' ? gpuArgs : []),
              ],
              { ...testCommands, benchRecord, benchOcrNode, benchImageReuseNode, benchMemory, benchCliNode },
            ),
          },
        },
      ],
    },
  }),
);
