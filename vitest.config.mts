import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // SWC compiles the decorators and their metadata that NestJS needs; esbuild does not emit metadata.
  plugins: [swc.vite({ module: { type: 'es6' } })],
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    environment: 'node',
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: the suites talk to real PostgreSQL/Redis and spawn servers; keep parallelism modest.
    maxWorkers: 2,
    env: { TZ: 'UTC', NODE_ENV: 'test', LOG_LEVEL: 'silent' },
  },
});
