import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GENERATION_TTL_MS } from '../../src/auth/session-generations';
import { loadConfig } from '../../src/config/config';
import { MutationExecutor } from '../../src/tournaments/executor.service';
import { UsersService } from '../../src/users/users.service';
import { account, addProvider, get, login, post, RELAXED_LIMITS, type Account } from '../auth/helpers';
import { listenApp, startTestApp, TEST_JWT_SECRET, type TestApp } from '../support/app';
import { createTestDatabase, type TestDatabase } from '../support/postgres';
import { mockTournament, testUser } from '../support/records';
import { assertRedisReachable, deleteRedisPrefix, TEST_REDIS_URL, testRedisPrefix } from '../support/redis';
import { closeSockets, desk, join, type Socket } from '../support/sockets';
import type { Provider } from '../../src/storage/storage.types';

/** How long until `check` passes (polled every 20 ms); rejects past `timeout`. */
async function until(check: () => Promise<boolean>, timeout: number): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < timeout) {
    if (await check()) return Date.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`not within ${timeout} ms`);
}

function disconnected(socket: Socket, timeout: number): Promise<number> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`still connected after ${timeout} ms`)), timeout);
    socket.once('disconnect', () => {
      clearTimeout(timer);
      resolve(Date.now() - started);
    });
  });
}

/** Two apps in one process on one PostgreSQL database and one Redis (own key prefix): two instances. */
describe('session generations across two instances (PostgreSQL + Redis)', () => {
  const prefix = testRedisPrefix('sessions');
  let db: TestDatabase;
  let a: TestApp;
  let b: TestApp;
  let provider: Provider;
  let admin: Account;
  let tournamentId: string;

  beforeAll(async () => {
    await assertRedisReachable();
    db = await createTestDatabase('cfs_sessions');
    const config = loadConfig({
      ...{ NODE_ENV: 'test', LOG_LEVEL: 'silent', JWT_SECRET: TEST_JWT_SECRET, ...RELAXED_LIMITS },
      ...{ STORAGE_PROVIDER: 'postgres', DATABASE_URL: db.url, REDIS_URL: TEST_REDIS_URL, REDIS_KEY_PREFIX: prefix },
    });
    [a, b] = [await listenApp(config), await listenApp(config)];
    provider = await addProvider(a);
    admin = await account(a, { roles: ['admin'], providerId: provider.organisationId });
    const tournament = mockTournament(provider);
    await a.app.get(MutationExecutor).save({ records: [tournament], user: testUser(provider) });
    tournamentId = tournament.tournamentId;
  });
  afterAll(async () => {
    closeSockets();
    await a?.close();
    await b?.close();
    await db?.drop();
    await deleteRedisPrefix(prefix).catch(() => undefined);
  });

  const fetchOn = (t: TestApp, token: string) => post(t, '/factory/fetch', { tournamentId }, token);

  it('a removal on A ends access on B (HTTP 401, desk socket closed) well within the bound, through Redis', async () => {
    const user = await account(a, { roles: ['client'], providerId: provider.organisationId });
    // B has the user in its cache (generation current) and a desk of it open.
    expect((await fetchOn(b, user.token)).status).toBe(200);
    const socket = await desk(b, user.token);
    await join(socket, tournamentId);
    const exception = new Promise<{ code: string }>((resolve) => socket.once('exception', resolve));
    const closed = disconnected(socket, GENERATION_TTL_MS);

    expect((await post(a, '/auth/remove', { email: user.email }, admin.token)).body).toEqual({ success: true });
    const httpMs = await until(async () => (await fetchOn(b, user.token)).status === 401, GENERATION_TTL_MS);
    const socketMs = await closed;
    expect((await exception).code).toBe('ERR_TOKEN_REVOKED');
    expect((await fetchOn(b, user.token)).body.message).toBe('Token revoked');
    // The Redis message, not the time-to-live: well under a second.
    expect(httpMs).toBeLessThan(1000);
    expect(socketMs).toBeLessThan(1000);
  });

  it('a change no message announces (CLI, or Redis down) still ends access on B within the time-to-live; a new sign-in works at once', async () => {
    const user = await account(a, { roles: ['client'], providerId: provider.organisationId });
    expect((await fetchOn(b, user.token)).status).toBe(200);
    const cli = new UsersService(a.storage); // no SessionGenerations: nothing published
    const stored = await cli.get(user.email);
    const changedAt = Date.now();
    await cli.setPassword(stored!, 'a fresh password here');
    const fresh = await login(a, user.email, 'a fresh password here');
    expect((await fetchOn(a, fresh)).status).toBe(200); // at once, on the instance that signed it
    await until(async () => (await fetchOn(b, user.token)).status === 401, GENERATION_TTL_MS + 2000);
    // The time-to-live, plus the one request that finds the entry expired (slower while other suites run).
    expect(Date.now() - changedAt).toBeLessThanOrEqual(GENERATION_TTL_MS + 1000);
    expect((await get(b, '/auth/me', fresh)).status).toBe(200);
  });
});

describe('session generations while Redis is unreachable', () => {
  let t: TestApp;
  beforeAll(async () => {
    // Nothing listens on port 9: every connection attempt fails.
    t = await startTestApp('leveldb', { ...RELAXED_LIMITS, REDIS_URL: 'redis://127.0.0.1:9' });
  });
  afterAll(() => t?.close());

  it('starts, and ends sessions here at once without waiting for Redis', async () => {
    const provider = await addProvider(t);
    const admin = await account(t, { roles: ['admin'], providerId: provider.organisationId });
    const user = await account(t, { roles: ['client'], providerId: provider.organisationId });
    const socket = await desk(t, user.token);
    const closed = disconnected(socket, 2000);
    const started = Date.now();
    expect((await post(t, '/auth/remove', { email: user.email }, admin.token)).body).toEqual({ success: true });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await closed).toBeLessThan(1000);
    expect((await get(t, '/auth/me', user.token)).status).toBe(401);
    expect((await get(t, '/auth/me', admin.token)).status).toBe(200);
  });
});
