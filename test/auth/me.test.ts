import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Provider } from '../../src/storage/storage.types';
import { BACKENDS, type TestApp } from '../support/app';
import { account, addProvider, expectInvalid, get, login, startAccountsApp, type Account } from './helpers';

/** TMX's PATCH: `baseApi.patch('/auth/me/last-selected-provider', { providerId })`. */
function patchLastSelected(t: TestApp, token: string, providerId: string | null) {
  return request(t.url)
    .patch('/auth/me/last-selected-provider')
    .set('Authorization', `Bearer ${token}`)
    .send({ providerId });
}

function decode(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as Record<string, unknown>;
}

describe.each(BACKENDS)('GET /auth/me and the last selected provider (%s)', (backend) => {
  let t: TestApp;
  let providerA: Provider;
  let providerB: Provider;
  let adminA: Account;
  let clientA: Account;
  let superadmin: Account;

  beforeAll(async () => {
    t = await startAccountsApp(backend, { CORS_ORIGINS: 'https://tmx.example.org' });
    providerA = await addProvider(t);
    providerB = await addProvider(t);
    adminA = await account(t, { roles: ['admin'], providerId: providerA.organisationId });
    clientA = await account(t, { roles: ['client'], providerId: providerA.organisationId, firstName: 'Cleo' });
    superadmin = await account(t, { roles: ['superadmin'] });
  });
  afterAll(() => t?.close());

  it('answers the user context TMX caches (userId, providerIds, providerRoles, isSuperAdmin, contactEmail)', async () => {
    const res = await get(t, '/auth/me', clientA.token);
    expect(res.status).toBe(200);
    const user = await t.storage.users.get(clientA.email);
    const { organisationId, organisationAbbreviation, organisationName } = providerA;
    expect(res.body).toEqual({
      // What the token carries, fresh from storage (as before) ...
      sub: user!.userId,
      email: clientA.email,
      roles: ['client'],
      permissions: [],
      services: [],
      providerId: organisationId,
      providerIds: [organisationId],
      provider: { organisationId, organisationAbbreviation, organisationName },
      firstName: 'Cleo',
      lastName: '',
      lastSelectedProviderId: null,
      sv: 0,
      // ... and TMX's UserContext.
      userId: user!.userId,
      isSuperAdmin: false,
      globalRoles: ['client'],
      providerRoles: { [organisationId]: 'DIRECTOR' },
      contactEmail: clientA.email,
      emailVerifiedAt: null,
    });
    // TMX: hasProviderAccess(id) = !!providerRoles[id]; mutations check providerIds.includes(id).
    expect(res.body.providerRoles[providerB.organisationId]).toBeUndefined();
  });

  it('names an admin PROVIDER_ADMIN and a superadmin isSuperAdmin', async () => {
    const admin = await get(t, '/auth/me', adminA.token);
    expect(admin.body).toMatchObject({
      isSuperAdmin: false,
      providerIds: [providerA.organisationId],
      providerRoles: { [providerA.organisationId]: 'PROVIDER_ADMIN' },
    });
    const root = await get(t, '/auth/me', superadmin.token);
    expect(root.body).toMatchObject({
      isSuperAdmin: true,
      globalRoles: ['superadmin'],
      providerIds: [],
      providerRoles: {},
      providerId: null,
    });
    expect(typeof root.body.userId).toBe('string');
  });

  it('keeps the provider a user picks, answers it from /auth/me and puts it in the next token', async () => {
    const user = await account(t, { roles: ['client'], providerId: providerA.organisationId });
    const res = await patchLastSelected(t, user.token, providerA.organisationId);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true, lastSelectedProviderId: providerA.organisationId });
    expect((await get(t, '/auth/me', user.token)).body.lastSelectedProviderId).toBe(providerA.organisationId);
    // TMX reads lastSelectedProviderId from the decoded token (LoginState).
    expect(decode(await login(t, user.email, user.password)).lastSelectedProviderId).toBe(providerA.organisationId);

    const cleared = await patchLastSelected(t, user.token, null);
    expect(cleared.body).toEqual({ success: true, lastSelectedProviderId: null });
    expect((await get(t, '/auth/me', user.token)).body.lastSelectedProviderId).toBeNull();
    expect((await t.storage.users.get(user.email))?.lastSelectedProviderId).toBeUndefined();
  });

  it('refuses a provider the user does not belong to, and keeps the earlier pick', async () => {
    const user = await account(t, { roles: ['admin'], providerId: providerA.organisationId });
    await patchLastSelected(t, user.token, providerA.organisationId).expect(200);
    const res = await patchLastSelected(t, user.token, providerB.organisationId);
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('ERR_FORBIDDEN');
    expect((await t.storage.users.get(user.email))?.lastSelectedProviderId).toBe(providerA.organisationId);
    expect((await patchLastSelected(t, user.token, 'no-such-provider')).status).toBe(403);
  });

  it('lets a superadmin pick any existing provider, and no unknown one', async () => {
    const res = await patchLastSelected(t, superadmin.token, providerB.organisationId);
    expect(res.body).toEqual({ success: true, lastSelectedProviderId: providerB.organisationId });
    expect((await get(t, '/auth/me', superadmin.token)).body.lastSelectedProviderId).toBe(providerB.organisationId);
    const unknown = await patchLastSelected(t, superadmin.token, 'no-such-provider');
    expect(unknown.status).toBe(200);
    expect(unknown.body.error.code).toBe('ERR_NOT_FOUND');
    expect((await t.storage.users.get(superadmin.email))?.lastSelectedProviderId).toBe(providerB.organisationId);
  });

  it('drops a pick of a provider the user has since left', async () => {
    const user = await account(t, { roles: ['client'], providerId: providerA.organisationId });
    await patchLastSelected(t, user.token, providerA.organisationId).expect(200);
    const stored = await t.storage.users.get(user.email);
    await t.storage.users.update({ ...stored!, providerId: providerB.organisationId });
    expect((await get(t, '/auth/me', user.token)).body.lastSelectedProviderId).toBeNull();
  });

  it('needs a token, and a string or null providerId', async () => {
    const anonymous = await request(t.url)
      .patch('/auth/me/last-selected-provider')
      .send({ providerId: providerA.organisationId });
    expect(anonymous.status).toBe(401);
    expectInvalid(
      await request(t.url)
        .patch('/auth/me/last-selected-provider')
        .set('Authorization', `Bearer ${clientA.token}`)
        .send({ providerId: 42 }),
    );
  });

  it('answers the browser preflight for the PATCH', async () => {
    const res = await request(t.url)
      .options('/auth/me/last-selected-provider')
      .set('Origin', 'https://tmx.example.org')
      .set('Access-Control-Request-Method', 'PATCH')
      .set('Access-Control-Request-Headers', 'authorization,content-type')
      .expect(204);
    expect(res.headers['access-control-allow-origin']).toBe('https://tmx.example.org');
    expect(res.headers['access-control-allow-methods']).toContain('PATCH');
    expect(res.headers['access-control-allow-headers']?.toLowerCase()).toContain('authorization');
  });
});
