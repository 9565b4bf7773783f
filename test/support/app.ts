import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { createApp } from '../../src/app';
import { loadConfig, type AppConfig } from '../../src/config/config';
import { Storage } from '../../src/storage/storage.types';
import { createTestDatabase, type TestDatabase } from './postgres';

export type Backend = 'leveldb' | 'postgres';
export const BACKENDS: Backend[] = ['leveldb', 'postgres'];

export const TEST_JWT_SECRET = 'test-secret-test-secret-test-secret-0123456789';

export interface TestApp {
  app: NestExpressApplication;
  config: AppConfig;
  storage: Storage;
  /** http://127.0.0.1:<port> */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Environment for a fresh, isolated store of the given kind; `cleanup` removes it. */
export async function testEnv(backend: Backend): Promise<{ env: Record<string, string>; cleanup(): Promise<void> }> {
  if (backend === 'leveldb') {
    const dir = mkdtempSync(join(tmpdir(), 'cfs-test-'));
    return {
      env: { STORAGE_PROVIDER: 'leveldb', LEVELDB_PATH: join(dir, 'leveldb') },
      cleanup: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const db: TestDatabase = await createTestDatabase();
  return { env: { STORAGE_PROVIDER: 'postgres', DATABASE_URL: db.url }, cleanup: () => db.drop() };
}

/**
 * Starts the real server on a free 127.0.0.1 port with a fresh store of the given kind.
 * `env` adds or overrides variables (e.g. REDIS_URL).
 */
export async function startTestApp(backend: Backend, env: Record<string, string> = {}): Promise<TestApp> {
  const store = await testEnv(backend);
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    JWT_SECRET: TEST_JWT_SECRET,
    ...store.env,
    ...env,
  });
  const t = await listenApp(config);
  return {
    ...t,
    close: async () => {
      await t.close();
      await store.cleanup();
    },
  };
}

/** Creates the app for `config` and listens on a free 127.0.0.1 port; `close` closes the app only. */
export async function listenApp(config: AppConfig, options?: Parameters<typeof createApp>[2]): Promise<TestApp> {
  const app = await createApp(config, undefined, options);
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as { port: number };
  return {
    app,
    config,
    storage: app.get(Storage),
    url: `http://127.0.0.1:${port}`,
    port,
    close: () => app.close(),
  };
}
