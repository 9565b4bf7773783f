import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCapturedApp, type CapturedApp } from '../observability/captured-app';
import { account, post, RELAXED_LIMITS } from './helpers';

/** Its own file: nestjs-pino keeps the first app's logger for the process. */
describe('refresh tokens in the log', () => {
  let t: CapturedApp;

  beforeAll(async () => {
    t = await startCapturedApp('leveldb', { NODE_ENV: 'production', LOG_LEVEL: 'trace', ...RELAXED_LIMITS });
  });
  afterAll(() => t?.close());

  it('never appear, through login, refresh, reuse and logout', async () => {
    const user = await account(t, { roles: ['client'] });
    const login = await post(t, '/auth/login', { email: user.email, password: user.password });
    const first = login.body.refreshToken as string;
    const renewed = await post(t, '/auth/refresh', { refreshToken: first });
    expect(renewed.status).toBe(200);
    const second = renewed.body.refreshToken as string;
    expect((await post(t, '/auth/refresh', { refreshToken: first })).status).toBe(401); // reuse: logged
    const again = await post(t, '/auth/login', { email: user.email, password: user.password });
    const third = again.body.refreshToken as string;
    expect((await post(t, '/auth/logout', { refreshToken: third })).body).toEqual({ success: true });

    const records = t.records();
    // The log did cover these requests and the reuse (else the check below proves nothing).
    for (const path of ['/auth/login', '/auth/refresh', '/auth/logout']) {
      expect(records.some((line) => line.req?.url === path)).toBe(true);
    }
    expect(records.some((line) => String(line.msg).includes('retired refresh token was presented again'))).toBe(true);
    const text = t.lines.join('\n');
    for (const secret of [first, second, third, login.body.token, renewed.body.token, user.password]) {
      expect(text).not.toContain(secret);
    }
  });
});
