import swc from 'unplugin-swc';
import { defineConfig, type TestUserConfig } from 'vitest/config';

/** Files that measure latency ratios: they run after the rest of the suite, one at a time. */
const TIMING = 'test/**/*.timing.test.ts';

/**
 * What both projects share. Not `extends: true`: a project would inherit the global setup and run
 * it again, beside the root's, both building the same bundles at once.
 */
function project(test: TestUserConfig) {
  return {
    // SWC compiles the decorators and their metadata that NestJS needs; esbuild does not emit metadata.
    plugins: [swc.vite({ module: { type: 'es6' } })],
    test: {
      environment: 'node',
      testTimeout: 30_000,
      hookTimeout: 60_000,
      env: { TZ: 'UTC', NODE_ENV: 'test', LOG_LEVEL: 'silent' },
      ...test,
    },
  };
}

export default defineConfig({
  test: {
    // Once per run: services answering, and the bundles the servers under test load.
    globalSetup: ['test/global-setup.ts'],
    projects: [
      // Two cores: the suites talk to real PostgreSQL/Redis and spawn servers; keep parallelism modest.
      project({ name: 'suite', include: ['test/**/*.test.ts', 'src/**/*.test.ts'], exclude: [TIMING], maxWorkers: 2 }),
      // A ratio of latencies is only meaningful on a machine no other test file is loading.
      project({ name: 'timing', include: [TIMING], maxWorkers: 1, sequence: { groupOrder: 1 } }),
    ],
  },
});
