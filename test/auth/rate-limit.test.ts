import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { BACKENDS, startTestApp, type TestApp } from '../support/app';
import { account, post } from './helpers';

describe.each(BACKENDS)('sign-in rate limits (%s)', (backend) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp(backend, { LOGIN_LIMIT_PER_IP: '8', LOGIN_LIMIT_PER_ACCOUNT: '3' });
  });
  afterAll(() => t?.close());

  it('limits attempts per account (any case of the email) with a 429 JSON answer, then per IP', async () => {
    const victim = await account(t, { roles: ['client'] }); // one sign-in: 1 of 3 for this account
    const statuses = [];
    for (const email of [victim.email, victim.email.toUpperCase(), ` ${victim.email}`]) {
      statuses.push((await post(t, '/auth/login', { email, password: 'guess' })).status);
    }
    expect(statuses).toEqual([401, 401, 429]);

    // Even the right password waits for the window: the account bucket is full.
    const blocked = await post(t, '/auth/login', { email: victim.email, password: victim.password });
    expect(blocked.status).toBe(429);
    expect(blocked.body.message).toBe('Too many attempts, try again later');
    expect(blocked.body.error.code).toBe('ERR_RATE_LIMITED');
    expect(blocked.body.token).toBeUndefined();
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);

    // Other accounts from the same IP still get through until the IP bucket (8) is full.
    const more = [];
    for (let i = 0; i < 4; i++)
      more.push((await post(t, '/auth/login', { email: `u${i}@example.com`, password: 'x' })).status);
    expect(more).toEqual([401, 401, 401, 429]);
  });

  it('keeps separate buckets per route: forgot-password is limited too', async () => {
    const statuses = [];
    for (let i = 0; i < 4; i++) {
      statuses.push((await post(t, '/auth/forgot-password', { email: 'someone@example.com' })).status);
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
  });
});

describe('sign-in rate limits behind a reverse proxy', () => {
  let t: TestApp;
  let direct: TestApp;

  beforeAll(async () => {
    const limits = { LOGIN_LIMIT_PER_IP: '2', LOGIN_LIMIT_PER_ACCOUNT: '100' };
    t = await startTestApp('leveldb', { ...limits, TRUST_PROXY: 'loopback' });
    direct = await startTestApp('leveldb', limits);
  });
  afterAll(async () => {
    await t?.close();
    await direct?.close();
  });

  const attempts = async (app: TestApp, forwardedFor: string) => {
    const statuses = [];
    for (let i = 0; i < 3; i++) {
      const answer = await request(app.url)
        .post('/auth/login')
        .set('X-Forwarded-For', forwardedFor)
        .send({ email: `u${i}@example.com`, password: 'x' });
      statuses.push(answer.status);
    }
    return statuses;
  };

  it('counts each client address the trusted proxy forwards, not the proxy itself', async () => {
    expect(await attempts(t, '203.0.113.1')).toEqual([401, 401, 429]);
    expect(await attempts(t, '203.0.113.2')).toEqual([401, 401, 429]);
  });

  it('ignores X-Forwarded-For unless TRUST_PROXY says to believe it', async () => {
    expect(await attempts(direct, '203.0.113.1')).toEqual([401, 401, 429]);
    expect(await attempts(direct, '203.0.113.2')).toEqual([429, 429, 429]);
  });
});
