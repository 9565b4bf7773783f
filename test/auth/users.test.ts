import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Provider } from '../../src/storage/storage.types';
import { BACKENDS, type TestApp } from '../support/app';
import { account, addProvider, expectInvalid, login, post, startAccountsApp, type Account } from './helpers';

describe.each(BACKENDS)('invites and user management (%s)', (backend) => {
  let t: TestApp;
  let providerA: Provider;
  let providerB: Provider;
  let superadmin: Account;
  let adminA: Account;
  let adminB: Account;
  let clientA: Account;

  beforeAll(async () => {
    t = await startAccountsApp(backend);
    providerA = await addProvider(t, 'PROVA');
    providerB = await addProvider(t, 'PROVB');
    superadmin = await account(t, { roles: ['superadmin'] });
    adminA = await account(t, { roles: ['admin'], providerId: providerA.organisationId });
    adminB = await account(t, { roles: ['admin'], providerId: providerB.organisationId });
    clientA = await account(t, { roles: ['client'], providerId: providerA.organisationId });
  });
  afterAll(() => t?.close());

  const invite = (token: string, body: object) => post(t, '/auth/invite', body, token);

  describe('invite and register', () => {
    it('an admin invites into its own provider; the invitee registers and signs in with the invited roles', async () => {
      const res = await invite(adminA.token, {
        email: 'New.Desk@Example.com',
        providerId: providerA.organisationId,
        roles: ['client', 'score'],
        permissions: ['deleteTournament'],
        services: ['tmx'],
      });
      expect(res.status).toBe(200);
      expect(res.body.inviteCode).toMatch(/^[0-9A-Z]{24}$/);

      // The body names no email, roles or provider: they come from the invite.
      const reg = await post(t, '/auth/register', {
        code: res.body.inviteCode,
        password: 'desk password 1',
        firstName: 'New',
        lastName: 'Desk',
        roles: ['superadmin'],
      });
      expect(reg.status).toBe(200);
      expect(reg.body).toEqual({ success: true });

      const user = await t.storage.users.get('new.desk@example.com');
      expect(user).toMatchObject({
        roles: ['client', 'score'],
        permissions: ['deleteTournament'],
        services: ['tmx'],
        providerId: providerA.organisationId,
        firstName: 'New',
        lastName: 'Desk',
      });
      await login(t, 'new.desk@example.com', 'desk password 1');
    });

    it('an admin without a providerId invites into its own provider', async () => {
      const res = await invite(adminA.token, { email: 'implicit@example.com', roles: ['client'] });
      await post(t, '/auth/register', { code: res.body.inviteCode, password: 'implicit pass' });
      expect((await t.storage.users.get('implicit@example.com'))?.providerId).toBe(providerA.organisationId);
    });

    it('a code works once', async () => {
      const { body } = await invite(superadmin.token, { email: 'once@example.com', roles: ['client'] });
      expect((await post(t, '/auth/register', { code: body.inviteCode, password: 'first password' })).body).toEqual({
        success: true,
      });
      await t.storage.users.remove('once@example.com');
      const again = await post(t, '/auth/register', { code: body.inviteCode, password: 'second password' });
      expect(again.status).toBe(200);
      expect(again.body.error.code).toBe('ERR_INVALID_CODE');
      expect(await t.storage.users.get('once@example.com')).toBeUndefined();
    });

    it('an unknown or expired code fails', async () => {
      const unknown = await post(t, '/auth/register', { code: 'NOSUCHCODE', password: 'some password' });
      expect(unknown.body.error.code).toBe('ERR_INVALID_CODE');

      const { body } = await invite(superadmin.token, { email: 'late@example.com', roles: ['client'] });
      const { codeKey } = await import('../../src/auth/codes');
      const data = await t.storage.codes.peek('invite', codeKey(body.inviteCode));
      await t.storage.codes.put('invite', codeKey(body.inviteCode), data!, Date.now() - 1000);
      const late = await post(t, '/auth/register', { code: body.inviteCode, password: 'some password' });
      expect(late.body.error.code).toBe('ERR_INVALID_CODE');
      expect(await t.storage.users.get('late@example.com')).toBeUndefined();
    });

    it('register refuses an email that already has an account', async () => {
      const { body } = await invite(superadmin.token, { email: 'taken-later@example.com', roles: ['client'] });
      const existing = await account(t, {
        email: 'taken-later@example.com',
        roles: ['client'],
        password: 'original pass',
      });
      const res = await post(t, '/auth/register', { code: body.inviteCode, password: 'hijack password' });
      expect(res.body.error.code).toBe('ERR_DUPLICATE');
      await login(t, existing.email, 'original pass');
    });

    it('invite refuses an email that already has an account', async () => {
      const res = await invite(superadmin.token, { email: clientA.email, roles: ['client'] });
      expect(res.status).toBe(200);
      expect(res.body.error.code).toBe('ERR_DUPLICATE');
    });

    it('a provider admin cannot invite a superadmin (403)', async () => {
      const res = await invite(adminA.token, {
        email: 'sneaky@example.com',
        providerId: providerA.organisationId,
        roles: ['superadmin'],
      });
      expect(res.status).toBe(403);
      expect(res.body.message).toBeTruthy();
    });

    it('a provider admin cannot invite into another provider (403)', async () => {
      const res = await invite(adminA.token, {
        email: 'elsewhere@example.com',
        providerId: providerB.organisationId,
        roles: ['client'],
      });
      expect(res.status).toBe(403);
    });

    it('a client cannot invite (403); no token is 401', async () => {
      expect((await invite(clientA.token, { email: 'x@example.com', roles: ['client'] })).status).toBe(403);
      expect((await post(t, '/auth/invite', { email: 'x@example.com', roles: ['client'] })).status).toBe(401);
    });

    it('a superadmin may invite a superadmin and into any provider', async () => {
      const a = await invite(superadmin.token, { email: 'root2@example.com', roles: ['superadmin'] });
      expect(a.body.inviteCode).toBeTruthy();
      const b = await invite(superadmin.token, {
        email: 'b-client@example.com',
        providerId: providerB.organisationId,
        roles: ['client'],
      });
      expect(b.body.inviteCode).toBeTruthy();
    });

    it('an unknown provider is a handled error', async () => {
      const res = await invite(superadmin.token, {
        email: 'np@example.com',
        providerId: 'no-such-provider',
        roles: [],
      });
      expect(res.status).toBe(200);
      expect(res.body.error.code).toBe('ERR_NOT_FOUND');
    });

    it('bad input is 400 and stores nothing', async () => {
      const before = await t.storage.users.count();
      expectInvalid(await invite(superadmin.token, { roles: ['client'] }));
      expectInvalid(await invite(superadmin.token, { email: 'not-an-email', roles: ['client'] }));
      expectInvalid(await invite(superadmin.token, { email: 'r@example.com', roles: ['emperor'] }));
      expectInvalid(await invite(superadmin.token, { email: 'r@example.com', roles: 'client' }));
      expectInvalid(await invite(superadmin.token, { email: 'r@example.com', roles: [], permissions: ['godMode'] }));
      expectInvalid(await invite(superadmin.token, { email: `${'a'.repeat(300)}@example.com`, roles: [] }));
      expectInvalid(await post(t, '/auth/register', { password: 'no code here' }));
      expectInvalid(await post(t, '/auth/register', { code: 'X', password: 'short' }));
      expectInvalid(
        await post(t, '/auth/register', { code: 'X', password: 'long enough', firstName: 'n'.repeat(101) }),
      );
      expectInvalid(await post(t, '/auth/register', { code: 'X', password: 'x'.repeat(257) }));
      expect(await t.storage.users.count()).toBe(before);
    });
  });

  describe('allusers', () => {
    it('a superadmin sees every user, never a password hash', async () => {
      const res = await post(t, '/auth/allUsers', {}, superadmin.token);
      expect(res.status).toBe(200);
      expect(res.body.success).toBe(true);
      const emails = res.body.users.map((u: { key: string }) => u.key);
      expect(emails).toEqual(expect.arrayContaining([superadmin.email, adminA.email, adminB.email, clientA.email]));
      const entry = res.body.users.find((u: { key: string }) => u.key === adminA.email);
      expect(entry.value).toEqual({
        email: adminA.email,
        firstName: '',
        lastName: '',
        roles: ['admin'],
        permissions: [],
        services: [],
        providerId: providerA.organisationId,
      });
      expect(JSON.stringify(res.body)).not.toMatch(/argon2|passwordHash|\$2[aby]\$/);
    });

    it("an admin sees only its own provider's users", async () => {
      const res = await post(t, '/auth/allusers', {}, adminB.token);
      expect(res.status).toBe(200);
      const emails: string[] = res.body.users.map((u: { key: string }) => u.key);
      expect(emails).toContain(adminB.email);
      expect(emails).not.toContain(adminA.email);
      expect(emails).not.toContain(clientA.email);
      expect(emails).not.toContain(superadmin.email);
      for (const u of res.body.users) expect(u.value.providerId).toBe(providerB.organisationId);
    });

    it('a client cannot list users (403)', async () => {
      const res = await post(t, '/auth/allusers', {}, clientA.token);
      expect(res.status).toBe(403);
      expect(res.body.users).toBeUndefined();
    });
  });

  describe('modify', () => {
    it('an admin changes roles, permissions and services of its own users', async () => {
      const target = await account(t, { roles: ['client'], providerId: providerA.organisationId });
      const res = await post(
        t,
        '/auth/modify',
        {
          email: target.email.toUpperCase(),
          roles: ['client', 'score'],
          permissions: ['deleteTournament'],
          services: ['x'],
        },
        adminA.token,
      );
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ success: true });
      expect(await t.storage.users.get(target.email)).toMatchObject({
        roles: ['client', 'score'],
        permissions: ['deleteTournament'],
        services: ['x'],
        providerId: providerA.organisationId,
      });
    });

    it("an admin cannot change another provider's user (403), nor move a user to another provider", async () => {
      const res = await post(t, '/auth/modify', { email: adminB.email, roles: ['client'] }, adminA.token);
      expect(res.status).toBe(403);
      expect((await t.storage.users.get(adminB.email))?.roles).toEqual(['admin']);

      const target = await account(t, { roles: ['client'], providerId: providerA.organisationId });
      const move = await post(
        t,
        '/auth/modify',
        { email: target.email, providerId: providerB.organisationId },
        adminA.token,
      );
      expect(move.status).toBe(403);
      expect((await t.storage.users.get(target.email))?.providerId).toBe(providerA.organisationId);
    });

    it('an admin cannot grant superadmin nor change a superadmin', async () => {
      const target = await account(t, { roles: ['client'], providerId: providerA.organisationId });
      expect((await post(t, '/auth/modify', { email: target.email, roles: ['superadmin'] }, adminA.token)).status).toBe(
        403,
      );
      expect((await t.storage.users.get(target.email))?.roles).toEqual(['client']);

      const rootA = await account(t, { roles: ['superadmin'], providerId: providerA.organisationId });
      expect((await post(t, '/auth/modify', { email: rootA.email, roles: ['client'] }, adminA.token)).status).toBe(403);
      expect((await t.storage.users.get(rootA.email))?.roles).toEqual(['superadmin']);
    });

    it('a superadmin moves a user between providers; the next token names the new provider', async () => {
      const target = await account(t, { roles: ['client'], providerId: providerA.organisationId });
      const res = await post(
        t,
        '/auth/modify',
        { email: target.email, providerId: providerB.organisationId },
        superadmin.token,
      );
      expect(res.body).toEqual({ success: true });
      const token = await login(t, target.email, target.password);
      const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
      expect(claims.provider.organisationAbbreviation).toBe('PROVB');
    });

    it('providerId null detaches a user: superadmin only', async () => {
      const target = await account(t, { roles: ['client'], providerId: providerA.organisationId });
      expect((await post(t, '/auth/modify', { email: target.email, providerId: null }, adminA.token)).status).toBe(403);
      expect((await t.storage.users.get(target.email))?.providerId).toBe(providerA.organisationId);
      const res = await post(t, '/auth/modify', { email: target.email, providerId: null }, superadmin.token);
      expect(res.body).toEqual({ success: true });
      expect((await t.storage.users.get(target.email))?.providerId).toBeUndefined();
    });

    it('a client cannot modify users (403); unknown users and bad input are refused', async () => {
      expect((await post(t, '/auth/modify', { email: clientA.email, roles: ['admin'] }, clientA.token)).status).toBe(
        403,
      );
      const unknown = await post(
        t,
        '/auth/modify',
        { email: 'ghost@example.com', roles: ['client'] },
        superadmin.token,
      );
      expect(unknown.status).toBe(200);
      expect(unknown.body.error.code).toBe('ERR_NOT_FOUND');
      expectInvalid(await post(t, '/auth/modify', { email: clientA.email, roles: ['wizard'] }, superadmin.token));
      expectInvalid(await post(t, '/auth/modify', { roles: ['client'] }, superadmin.token));
      expect((await t.storage.users.get(clientA.email))?.roles).toEqual(['client']);
    });
  });

  describe('remove', () => {
    it("an admin removes its own provider's user, not another provider's (403)", async () => {
      const mine = await account(t, { roles: ['client'], providerId: providerA.organisationId });
      const theirs = await account(t, { roles: ['client'], providerId: providerB.organisationId });
      expect((await post(t, '/auth/remove', { email: theirs.email }, adminA.token)).status).toBe(403);
      expect(await t.storage.users.get(theirs.email)).toBeDefined();

      // TMX sends the whole listed user value; the extra fields are ignored.
      const res = await post(t, '/auth/remove', { email: mine.email, roles: ['client'], firstName: '' }, adminA.token);
      expect(res.body).toEqual({ success: true });
      expect(await t.storage.users.get(mine.email)).toBeUndefined();
      expect((await post(t, '/auth/login', { email: mine.email, password: mine.password })).status).toBe(401);
    });

    it('a client cannot remove users; unknown users are a handled error; nobody removes itself', async () => {
      expect((await post(t, '/auth/remove', { email: adminA.email }, clientA.token)).status).toBe(403);
      const unknown = await post(t, '/auth/remove', { email: 'ghost@example.com' }, superadmin.token);
      expect(unknown.body.error.code).toBe('ERR_NOT_FOUND');
      const self = await post(t, '/auth/remove', { email: superadmin.email }, superadmin.token);
      expect(self.body.error.code).toBe('ERR_CONFLICT');
      expect(await t.storage.users.get(superadmin.email)).toBeDefined();
      expectInvalid(await post(t, '/auth/remove', { email: 42 }, superadmin.token));
    });
  });
});
