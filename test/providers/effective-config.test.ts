import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Provider } from '../../src/storage/storage.types';
import { BACKENDS, type TestApp } from '../support/app';
import { account, addProvider, get, post, startAccountsApp, type Account } from '../auth/helpers';

/**
 * `GET /provider/:providerId/effective-config`: TMX calls it whenever a provider becomes active (at
 * start too), silenced, and applies `data.effective` (branding, permissions, policies, defaults,
 * settings.crowdScoring); without it TMX falls back to its permissive defaults.
 */
describe.each(BACKENDS)('GET /provider/:providerId/effective-config (%s)', (backend) => {
  let t: TestApp;
  let alpha: Provider;
  let beta: Provider;
  let alphaAdmin: Account;
  let alphaDesk: Account;
  let betaDesk: Account;
  let superadmin: Account;

  beforeAll(async () => {
    t = await startAccountsApp(backend);
    alpha = await addProvider(t);
    beta = await addProvider(t);
    alphaAdmin = await account(t, { roles: ['admin', 'client'], providerId: alpha.organisationId });
    alphaDesk = await account(t, { roles: ['client'], providerId: alpha.organisationId });
    betaDesk = await account(t, { roles: ['client'], providerId: beta.organisationId });
    superadmin = await account(t, { roles: ['superadmin'] });
    const modified = await post(
      t,
      '/provider/modify',
      {
        providerId: alpha.organisationId,
        providerConfigCaps: {
          branding: { appName: 'Alpha Desk', accentColor: '#0a7' },
          permissions: { canUseChat: false, canPublish: true },
        },
        providerConfigSettings: { branding: { accentColor: '#123456' }, defaults: { defaultLanguage: 'fr' } },
      },
      alphaAdmin.token,
    );
    expect(modified.body).toEqual({ success: true });
  });
  afterAll(() => t?.close());

  const path = (provider: Provider) => `/provider/${provider.organisationId}/effective-config`;

  it('answers the merged configuration TMX applies, to a member of the provider', async () => {
    const res = await get(t, path(alpha), alphaDesk.token).expect(200);
    expect(res.body).toMatchObject({ success: true, providerId: alpha.organisationId });
    const { effective } = res.body;
    // Settings override caps field by field for branding; a capped permission stays off.
    expect(effective.branding).toMatchObject({ appName: 'Alpha Desk', accentColor: '#123456' });
    expect(effective.permissions).toMatchObject({ canUseChat: false, canPublish: true, canEnterScores: true });
    expect(effective.defaults).toMatchObject({ defaultLanguage: 'fr' });
  });

  it('answers the permissive defaults for a provider that set nothing', async () => {
    const res = await get(t, path(beta), betaDesk.token).expect(200);
    expect(res.body.effective.permissions).toMatchObject({ canUseChat: true, canEnterScores: true });
  });

  it("refuses another provider's configuration, answers a superadmin, and needs a token", async () => {
    await get(t, path(alpha), betaDesk.token).expect(403);
    expect((await get(t, path(alpha), superadmin.token).expect(200)).body.effective.branding.appName).toBe(
      'Alpha Desk',
    );
    const unknown = await get(t, '/provider/no-such-provider/effective-config', superadmin.token).expect(200);
    expect(unknown.body.error.code).toBe('ERR_NOT_FOUND');
    await get(t, path(alpha)).expect(401);
  });
});
