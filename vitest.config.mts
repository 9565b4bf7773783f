import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

/** Files that measure latency ratios: they run after the rest of the suite, one at a time. */
const TIMING = 'test/**/*.timing.test.ts';

export default defineConfig({
  // SWC compiles the decorators and their metadata that NestJS needs; esbuild does not emit metadata.
  plugins: [swc.vite({ module: { type: 'es6' } })],
  test: {
    environment: 'node',
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    env: { TZ: 'UTC', NODE_ENV: 'test', LOG_LEVEL: 'silent' },
    projects: [
      {
        extends: true,
        // Two cores: the suites talk to real PostgreSQL/Redis and spawn servers; keep parallelism modest.
        test: { name: 'suite', include: ['test/**/*.test.ts', 'src/**/*.test.ts'], exclude: [TIMING], maxWorkers: 2 },
      },
      {
        extends: true,
        // A ratio of latencies is only meaningful on a machine no other test file is loading.
        test: { name: 'timing', include: [TIMING], maxWorkers: 1, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
