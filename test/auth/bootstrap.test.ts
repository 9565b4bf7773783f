import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app';
import { loadConfig } from '../../src/config/config';
import { Storage } from '../../src/storage/storage.types';
import { BACKENDS, TEST_JWT_SECRET, testEnv } from '../support/app';
import { RELAXED_LIMITS } from './helpers';

describe.each(BACKENDS)('first-start superadmin (%s)', (backend) => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await cleanup?.();
    cleanup = undefined;
  });

  async function start(storeEnv: Record<string, string>, env: Record<string, string>) {
    const config = loadConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      JWT_SECRET: TEST_JWT_SECRET,
      ...RELAXED_LIMITS,
      ...storeEnv,
      ...env,
    });
    const app: NestExpressApplication = await createApp(config);
    await app.listen(0, '127.0.0.1');
    const url = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
    return { app, url, storage: app.get(Storage) };
  }

  const login = (url: string, email: string, password: string) =>
    request(url).post('/auth/login').send({ email, password });

  it('creates SUPERADMIN_EMAIL once, when no user exists, and never overwrites it', async () => {
    const store = await testEnv(backend);
    cleanup = store.cleanup;

    const first = await start(store.env, {
      SUPERADMIN_EMAIL: 'Root@Example.com',
      SUPERADMIN_PASSWORD: 'first-password',
    });
    const res = await login(first.url, 'root@example.com', 'first-password');
    expect(res.status).toBe(200);
    expect(JSON.parse(Buffer.from(res.body.token.split('.')[1], 'base64url').toString()).roles).toEqual(['superadmin']);
    await first.app.close();

    // A second start with other values: the existing user stays as it is.
    const second = await start(store.env, {
      SUPERADMIN_EMAIL: 'root@example.com',
      SUPERADMIN_PASSWORD: 'second-password',
    });
    try {
      expect(await second.storage.users.count()).toBe(1);
      expect((await login(second.url, 'root@example.com', 'first-password')).status).toBe(200);
      expect((await login(second.url, 'root@example.com', 'second-password')).status).toBe(401);
    } finally {
      await second.app.close();
    }
  });

  it('does nothing when users already exist or the variables are unset', async () => {
    const store = await testEnv(backend);
    cleanup = store.cleanup;

    const bare = await start(store.env, {});
    expect(await bare.storage.users.count()).toBe(0);
    await bare.storage.users.create({
      userId: 'u1',
      email: 'someone@example.com',
      passwordHash: 'x',
      roles: ['client'],
      permissions: [],
      services: [],
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
    });
    await bare.app.close();

    const next = await start(store.env, { SUPERADMIN_EMAIL: 'root@example.com', SUPERADMIN_PASSWORD: 'root-password' });
    try {
      expect(await next.storage.users.get('root@example.com')).toBeUndefined();
      expect(await next.storage.users.count()).toBe(1);
    } finally {
      await next.app.close();
    }
  });
});
