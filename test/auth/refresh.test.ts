import { JwtService } from '@nestjs/jwt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeKey } from '../../src/auth/codes';
import { refreshTokenHash } from '../../src/auth/refresh-tokens';
import { UsersService } from '../../src/users/users.service';
import { BACKENDS, TEST_JWT_SECRET, type TestApp } from '../support/app';
import { account, addProvider, expectInvalid, get, post, startAccountsApp } from './helpers';

function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as Record<string, unknown>;
}

/** The same token, expired a minute ago (signed with the server's secret, as the server would). */
function expired(token: string): string {
  const now = Math.floor(Date.now() / 1000);
  return new JwtService({ secret: TEST_JWT_SECRET }).sign({ ...claimsOf(token), iat: now - 120, exp: now - 60 });
}

describe.each(BACKENDS)('refresh tokens (%s)', (backend) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startAccountsApp(backend);
  });
  afterAll(() => t?.close());

  /** Signs in over HTTP: TMX's login modal. */
  async function signIn(roles = ['client']) {
    const provider = await addProvider(t);
    const user = await account(t, { roles, providerId: provider.organisationId });
    const res = await post(t, '/auth/login', { email: user.email, password: user.password });
    expect(res.status).toBe(200);
    return { ...user, provider, token: res.body.token as string, refreshToken: res.body.refreshToken as string };
  }

  const refresh = (refreshToken: unknown) => post(t, '/auth/refresh', { refreshToken });

  it('login answers a token and an opaque refresh token, stored only as its hash', async () => {
    const user = await signIn();
    const res = await post(t, '/auth/login', { email: user.email, password: user.password });
    expect(Object.keys(res.body).sort()).toEqual(['refreshToken', 'token']);
    expect(res.body.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(res.body.refreshToken).not.toBe(user.refreshToken);
    expect(await t.storage.refreshTokens.get(res.body.refreshToken)).toBeUndefined();
    const stored = await t.storage.refreshTokens.get(refreshTokenHash(res.body.refreshToken));
    expect(stored).toMatchObject({ email: user.email, userId: claimsOf(res.body.token).sub, sv: 0 });
    // REFRESH_TOKEN_VALIDITY: 30 days by default.
    expect(stored!.expiresAt - Date.now()).toBeGreaterThan(29 * 86_400_000);
    expect(stored!.expiresAt - Date.now()).toBeLessThanOrEqual(30 * 86_400_000);
  });

  it('renews an expired access token; the old refresh token then fails, and presenting it again ends the new one', async () => {
    const user = await signIn();
    const stale = expired(user.token);
    expect((await get(t, '/auth/me', stale)).status).toBe(401);

    const renewed = await refresh(user.refreshToken);
    expect(renewed.status).toBe(200);
    expect(Object.keys(renewed.body).sort()).toEqual(['refreshToken', 'token']);
    expect(renewed.body.refreshToken).not.toBe(user.refreshToken);
    const me = await get(t, '/auth/me', renewed.body.token);
    expect(me.status).toBe(200);
    expect(me.body.email).toBe(user.email);
    expect(claimsOf(renewed.body.token)).toMatchObject({ email: user.email, roles: ['client'] });
    // A private write route takes it too.
    expect((await post(t, '/provider/my-calendars', {}, renewed.body.token)).status).toBe(200);

    // The old one is retired: refused, and its reuse ends the chain, the new token included.
    const replay = await refresh(user.refreshToken);
    expect(replay.status).toBe(401);
    expect(replay.body.message).toEqual(expect.any(String));
    expect(replay.body.token).toBeUndefined();
    expect((await refresh(renewed.body.refreshToken)).status).toBe(401);
    // The access token already issued lives on until it expires.
    expect((await get(t, '/auth/me', renewed.body.token)).status).toBe(200);
  });

  it('rotates along a chain, with claims read fresh from storage each time', async () => {
    const user = await signIn();
    let current = user.refreshToken;
    for (let i = 0; i < 3; i++) {
      const res = await refresh(current);
      expect(res.status).toBe(200);
      current = res.body.refreshToken as string;
    }
    const stored = (await t.storage.users.get(user.email))!;
    await t.storage.users.update({ ...stored, firstName: 'Renamed' });
    const res = await refresh(current);
    expect(claimsOf(res.body.token).firstName).toBe('Renamed');
    // Another sign-in of the same account is another chain, untouched by this one's end.
    const other = await post(t, '/auth/login', { email: user.email, password: user.password });
    expect((await refresh(current)).status).toBe(401);
    expect((await refresh(res.body.refreshToken)).status).toBe(401);
    expect((await refresh(other.body.refreshToken)).status).toBe(200);
  });

  it('refuses unknown, malformed and expired refresh tokens', async () => {
    const unknown = await refresh('x'.repeat(43));
    expect(unknown.status).toBe(401);
    expect(unknown.body.message).toBe('Invalid or expired refresh token');
    expectInvalid(await post(t, '/auth/refresh', {}));
    expectInvalid(await refresh(42));
    expectInvalid(await refresh('x'.repeat(5000)));
    // An access token is not a refresh token.
    const user = await signIn();
    expect((await refresh(user.token)).status).toBe(401);

    const stored = (await t.storage.refreshTokens.get(refreshTokenHash(user.refreshToken)))!;
    await t.storage.refreshTokens.put({ ...stored, hash: refreshTokenHash('old-one'), expiresAt: Date.now() - 1 });
    expect((await refresh('old-one')).status).toBe(401);
  });

  it('logout needs no access token, always answers success, and ends the chain', async () => {
    const user = await signIn();
    const renewed = await refresh(user.refreshToken);
    const out = await post(t, '/auth/logout', { refreshToken: renewed.body.refreshToken });
    expect(out.status).toBe(200);
    expect(out.body).toEqual({ success: true });
    expect((await refresh(renewed.body.refreshToken)).status).toBe(401);

    for (const body of [{ refreshToken: 'never-issued' }, {}, { refreshToken: null }]) {
      const res = await post(t, '/auth/logout', body);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ success: true });
    }
    // Logging out twice is the same answer.
    expect((await post(t, '/auth/logout', { refreshToken: renewed.body.refreshToken })).body).toEqual({
      success: true,
    });
  });

  it('of two concurrent refreshes with one token at most one succeeds, and the race ends the chain', async () => {
    const user = await signIn();
    const answers = await Promise.all([refresh(user.refreshToken), refresh(user.refreshToken)]);
    const ok = answers.filter((res) => res.status === 200);
    expect(ok.length).toBeLessThanOrEqual(1);
    expect(answers.filter((res) => res.status === 401).length).toBeGreaterThanOrEqual(1);
    // The loser looks like a stolen copy: the winner's new refresh token is ended too.
    for (const res of ok) expect((await refresh(res.body.refreshToken)).status).toBe(401);
  });

  it('every refresh token of a removed user fails, and so does one of a new account under that email', async () => {
    const admin = await signIn(['admin']);
    const user = await account(t, { roles: ['client'], providerId: admin.provider.organisationId });
    const first = await post(t, '/auth/login', { email: user.email, password: user.password });
    const second = await post(t, '/auth/login', { email: user.email, password: user.password });
    const removed = await post(t, '/auth/remove', { email: user.email }, admin.token);
    expect(removed.body).toEqual({ success: true });
    // Retired in the store, not only refused: nothing of a removed account stays usable.
    for (const answer of [first, second]) {
      expect((await t.storage.refreshTokens.get(refreshTokenHash(answer.body.refreshToken)))?.retiredAt).toEqual(
        expect.any(Number),
      );
    }
    expect((await refresh(first.body.refreshToken)).status).toBe(401);

    // The same email again: another account, which the old refresh tokens do not reach.
    await account(t, { email: user.email, roles: ['client'], providerId: admin.provider.organisationId });
    expect((await refresh(second.body.refreshToken)).status).toBe(401);
  });

  it('a password reset or a change of access ends every refresh token of the user', async () => {
    const admin = await signIn(['admin']);
    const user = await account(t, { roles: ['client'], providerId: admin.provider.organisationId });
    const signInAs = async (password: string) =>
      (await post(t, '/auth/login', { email: user.email, password })).body.refreshToken as string;
    const [first, second] = [await signInAs(user.password), await signInAs(user.password)];
    await t.app.get(UsersService).setPassword((await t.storage.users.get(user.email))!, 'another horse battery');
    expect((await refresh(first)).status).toBe(401);
    expect((await refresh(second)).status).toBe(401);

    // A sign-in after the reset works, refresh included, until the admin demotes the user.
    const renewed = await refresh(await signInAs('another horse battery'));
    expect(renewed.status).toBe(200);
    const demoted = await post(t, '/auth/modify', { email: user.email, roles: ['score'] }, admin.token);
    expect(demoted.status, JSON.stringify(demoted.body)).toBe(200);
    expect((await refresh(renewed.body.refreshToken)).status).toBe(401);
    const fresh = await refresh(await signInAs('another horse battery'));
    expect(fresh.status).toBe(200);
    expect(claimsOf(fresh.body.token).roles).toEqual(['score']);
  });

  it('a sign-in link answers a refresh token too', async () => {
    const user = await signIn();
    const code = 'MAGIC' + Date.now();
    const stored = (await t.storage.users.get(user.email))!;
    await t.storage.codes.put(
      'magic-link',
      codeKey(code),
      { email: stored.email, userId: stored.userId },
      Date.now() + 60_000,
    );
    const consumed = await post(t, '/auth/magic/consume', { code });
    expect(consumed.status).toBe(200);
    expect(Object.keys(consumed.body).sort()).toEqual(['refreshToken', 'token']);
    const renewed = await refresh(consumed.body.refreshToken);
    expect(renewed.status).toBe(200);
    expect((await get(t, '/auth/me', renewed.body.token)).body.email).toBe(user.email);
  });
});

describe('refresh is rate-limited like login', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startAccountsApp('leveldb', { LOGIN_LIMIT_PER_IP: '3' });
  });
  afterAll(() => t?.close());

  it('answers 429 with Retry-After past the per-address limit', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await post(t, '/auth/refresh', { refreshToken: `guess-${i}` })).status);
    expect(statuses).toEqual([401, 401, 401, 429]);
    const limited = await post(t, '/auth/refresh', { refreshToken: 'guess' });
    expect(limited.headers['retry-after']).toMatch(/^\d+$/);
  });
});
