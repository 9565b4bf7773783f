import bcrypt from 'bcryptjs';
import { JwtService } from '@nestjs/jwt';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, TEST_JWT_SECRET, type TestApp } from '../support/app';
import { account, addProvider, expectInvalid, get, login, post, startAccountsApp } from './helpers';

function payloadOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
}

function base64url(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

describe.each(BACKENDS)('sign-in and tokens (%s)', (backend) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startAccountsApp(backend);
  });
  afterAll(() => t?.close());

  it('answers 200 with a token carrying every claim the clients read', async () => {
    const provider = await addProvider(t, 'CLAIMS');
    const email = `claims-${randomUUID().slice(0, 6)}@example.com`;
    await account(t, {
      email,
      roles: ['client', 'score'],
      permissions: ['deleteTournament'],
      services: ['tmx'],
      providerId: provider.organisationId,
      firstName: 'Ada',
      lastName: 'Lovelace',
    });
    const res = await post(t, '/auth/login', { email, password: 'correct horse battery' });
    expect(res.status).toBe(200);
    const claims = payloadOf(res.body.token);
    expect(claims).toMatchObject({
      email,
      roles: ['client', 'score'],
      permissions: ['deleteTournament'],
      services: ['tmx'],
      providerId: provider.organisationId,
      providerIds: [provider.organisationId],
      provider: {
        organisationId: provider.organisationId,
        organisationAbbreviation: 'CLAIMS',
        organisationName: 'CLAIMS Tennis',
      },
      firstName: 'Ada',
      lastName: 'Lovelace',
      iss: t.config.jwt.issuer,
    });
    const user = await t.storage.users.get(email);
    expect(claims.sub).toBe(user?.userId);
    expect(claims.exp).toBe((claims.iat as number) + 86_400);
    const header = JSON.parse(Buffer.from(res.body.token.split('.')[0], 'base64url').toString());
    expect(header.alg).toBe('HS256');
  });

  it('matches the email in any case and with spaces, and stores only an argon2id hash', async () => {
    const { email, password } = await account(t, { roles: ['client'] });
    await login(t, `  ${email.toUpperCase()} `, password);
    const stored = await t.storage.users.get(email);
    expect(stored?.passwordHash).toMatch(/^\$argon2id\$/);
    expect(stored?.passwordHash).not.toContain(password);
  });

  it('answers 401 with a JSON message for a wrong password or an unknown email', async () => {
    const { email } = await account(t, { roles: ['client'] });
    for (const body of [
      { email, password: 'wrong password' },
      { email: 'nobody@example.com', password: 'correct horse battery' },
    ]) {
      const res = await post(t, '/auth/login', body);
      expect(res.status).toBe(401);
      expect(res.body.message).toBe('Invalid email or password');
      expect(res.body.token).toBeUndefined();
    }
  });

  it('answers 400 ERR_INVALID_INPUT for missing or wrongly typed fields', async () => {
    expectInvalid(await post(t, '/auth/login', {}));
    expectInvalid(await post(t, '/auth/login', { email: 'a@example.com' }));
    expectInvalid(await post(t, '/auth/login', { email: ['a@example.com'], password: 'x' }));
    expectInvalid(await post(t, '/auth/login', { email: 'a@example.com', password: 12345678 }));
    expectInvalid(await post(t, '/auth/login', { email: 'a'.repeat(300), password: 'x' }));
    const proto = await request(t.url, '{"email":"a@example.com","password":"x","__proto__":{"admin":true}}');
    expect(proto.status).toBe(400);
  });

  it('accepts a legacy bcrypt hash once and replaces it with argon2id', async () => {
    const email = `legacy-${randomUUID().slice(0, 6)}@example.com`;
    const now = new Date().toISOString();
    await t.storage.users.create({
      userId: randomUUID(),
      email,
      passwordHash: bcrypt.hashSync('old-password', 10),
      roles: ['client'],
      permissions: [],
      services: [],
      createdAt: now,
      updatedAt: now,
    });
    expect((await post(t, '/auth/login', { email, password: 'wrong-password' })).status).toBe(401);
    expect((await t.storage.users.get(email))?.passwordHash).toMatch(/^\$2[aby]\$/);

    await login(t, email, 'old-password');
    expect((await t.storage.users.get(email))?.passwordHash).toMatch(/^\$argon2id\$/);
    await login(t, email, 'old-password');
  });

  it('GET /auth/me answers the caller as storage has it now', async () => {
    const { email, token } = await account(t, { roles: ['client'] });
    const user = await t.storage.users.get(email);
    await t.storage.users.update({ ...user!, roles: ['client', 'score'], firstName: 'Later' });

    const res = await get(t, '/auth/me', token);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ email, roles: ['client', 'score'], firstName: 'Later', sub: user!.userId });
    expect(JSON.stringify(res.body)).not.toContain('$argon2');

    await t.storage.users.remove(email);
    expect((await get(t, '/auth/me', token)).status).toBe(401);
  });

  describe('refuses with 401', () => {
    let token: string;
    let claims: Record<string, unknown>;

    beforeAll(async () => {
      token = (await account(t, { roles: ['superadmin'] })).token;
      claims = payloadOf(token);
    });

    const resign = (secret: string, options: Record<string, unknown> = {}) => {
      const { iss: _iss, exp: _exp, iat: _iat, ...rest } = claims;
      return new JwtService({ secret }).sign(rest, { issuer: t.config.jwt.issuer, expiresIn: 3600, ...options });
    };

    it('accepts the control: a valid token', async () => {
      expect((await get(t, '/auth/me', token)).status).toBe(200);
      expect((await get(t, '/auth/me', resign(TEST_JWT_SECRET))).status).toBe(200);
    });

    it('no token, or a malformed one', async () => {
      expect((await get(t, '/auth/me')).status).toBe(401);
      const res = await get(t, '/auth/me', 'not.a.token');
      expect(res.status).toBe(401);
      expect(res.body.message).toBe('Invalid token');
    });

    it('a token signed with another secret', async () => {
      const res = await post(t, '/auth/allusers', {}, resign('another-secret-another-secret-another-secret'));
      expect(res.status).toBe(401);
    });

    it('an expired token', async () => {
      const { iss: _iss, iat: _iat, ...rest } = claims;
      const expired = new JwtService({ secret: TEST_JWT_SECRET }).sign(
        { ...rest, exp: Math.floor(Date.now() / 1000) - 60 },
        { issuer: t.config.jwt.issuer },
      );
      const res = await get(t, '/auth/me', expired);
      expect(res.status).toBe(401);
      expect(res.body.message).toBe('Token expired');
    });

    it('an alg "none" token and a token with another HMAC algorithm', async () => {
      const unsigned = `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(claims)}.`;
      expect((await get(t, '/auth/me', unsigned)).status).toBe(401);
      expect((await get(t, '/auth/me', resign(TEST_JWT_SECRET, { algorithm: 'HS512' }))).status).toBe(401);
    });

    it('a token from another issuer', async () => {
      expect((await get(t, '/auth/me', resign(TEST_JWT_SECRET, { issuer: 'someone-else' }))).status).toBe(401);
    });

    it('but a public route ignores a stale or forged Authorization header', async () => {
      const { iss: _iss, iat: _iat, ...rest } = claims;
      const expired = new JwtService({ secret: TEST_JWT_SECRET }).sign(
        { ...rest, exp: Math.floor(Date.now() / 1000) - 60 },
        { issuer: t.config.jwt.issuer },
      );
      for (const stale of [expired, resign('another-secret-another-secret-another-secret'), 'garbage']) {
        const res = await post(t, '/auth/forgot-password', { email: 'nobody@example.com' }, stale);
        expect(res.status).toBe(200);
        expect(res.body).toEqual({ success: true });
      }
    });
  });
});

/** Sends a raw JSON text (to carry keys such as `__proto__` that object literals swallow). */
function request(url: string, json: string) {
  return fetch(`${url}/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: json });
}
