import { describe, expect, it, afterAll, beforeAll } from 'vitest';
import request from 'supertest';
import { DEFAULT_SCORING_LAUNCH } from '@courthive/provider-config';
import { publicBranding, scoringLaunch } from '../../src/providers/provider-lookups';
import type { Provider } from '../../src/storage/storage.types';
import { BACKENDS, type TestApp } from '../support/app';
import { mockTournament } from '../support/records';
import { account, addProvider, expectInvalid, get, post, startAccountsApp, type Account } from '../auth/helpers';

const BRANDING = {
  appName: 'Alpha Tennis',
  accentColor: '#0a7',
  navbarLogoUrl: 'https://cdn.example.org/alpha.svg',
  navbarLogoAlt: 'Alpha',
  navbarLogoHeight: 28,
  splashLogoUrl: 'https://cdn.example.org/alpha-splash.svg',
  stylesheetUrl: 'https://cdn.example.org/alpha.css',
  themeTokens: { '--chc-text-link': '#0a7' },
};

describe.each(BACKENDS)('GET /provider/by-tournament/:tournamentId/... (%s)', (backend) => {
  let t: TestApp;
  let providerA: Provider;
  let providerB: Provider;
  let adminA: Account;
  let adminB: Account;
  let tournamentA: string;
  let tournamentB: string;

  async function saved(provider: Provider, desk: Account): Promise<string> {
    const record = mockTournament(provider, 4);
    const res = await post(t, '/factory/save', { tournamentRecord: record }, desk.token);
    expect(res.body.success, JSON.stringify(res.body)).toBe(true);
    return record.tournamentId;
  }

  beforeAll(async () => {
    t = await startAccountsApp(backend);
    providerA = await addProvider(t);
    providerB = await addProvider(t);
    adminA = await account(t, { roles: ['admin', 'client'], providerId: providerA.organisationId });
    adminB = await account(t, { roles: ['admin', 'client'], providerId: providerB.organisationId });
    tournamentA = await saved(providerA, adminA);
    tournamentB = await saved(providerB, adminB);
    // Each admin sets its provider's settings through POST /provider/modify, private fields included.
    const modifyA = await post(
      t,
      '/provider/modify',
      {
        providerId: providerA.organisationId,
        providerConfigCaps: {
          branding: { ...BRANDING, internalNote: 'do not show' },
          integrations: { scoringLaunch: { app: 'EXTERNAL', urlTemplate: 'https://score.example.org/${matchUpId}' } },
          permissions: { canPublish: false },
        },
        providerConfigSettings: { secretKey: 'alpha-private-setting' },
        contactEmail: 'office@alpha.example.org',
      },
      adminA.token,
    );
    expect(modifyA.body).toEqual({ success: true });
    const modifyB = await post(
      t,
      '/provider/modify',
      {
        providerId: providerB.organisationId,
        branding: { appName: 'Bravo' },
        integrations: { scoringLaunch: { app: 'EMBEDDED' }, apiToken: 'bravo-private-token' },
      },
      adminB.token,
    );
    expect(modifyB.body).toEqual({ success: true });
  });
  afterAll(() => t?.close());

  // courthive-public: baseApi.get(`/provider/by-tournament/${tournamentId}/branding`) → data.branding.
  it("answers only the owning provider's branding, without a token", async () => {
    const res = await get(t, `/provider/by-tournament/${tournamentA}/branding`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true, branding: BRANDING });
    const text = JSON.stringify(res.body);
    for (const secret of ['do not show', 'alpha-private-setting', 'office@alpha', 'canPublish', 'score.example.org']) {
      expect(text).not.toContain(secret);
    }

    const other = await get(t, `/provider/by-tournament/${tournamentB}/branding`);
    expect(other.body).toEqual({ success: true, branding: { appName: 'Bravo' } });
    expect(JSON.stringify(other.body)).not.toContain('Alpha');
    expect(JSON.stringify(other.body)).not.toContain('bravo-private-token');
  });

  // courthive-public: data.scoringLaunch ?? DEFAULT_SCORING_LAUNCH, reading .app and .urlTemplate.
  it("answers the owning provider's scoring launch", async () => {
    const a = await get(t, `/provider/by-tournament/${tournamentA}/scoring-launch`);
    expect(a.body).toEqual({
      success: true,
      scoringLaunch: { app: 'EXTERNAL', urlTemplate: 'https://score.example.org/${matchUpId}' },
    });
    const b = await get(t, `/provider/by-tournament/${tournamentB}/scoring-launch`);
    expect(b.body).toEqual({ success: true, scoringLaunch: { app: 'EMBEDDED' } });
  });

  it('ignores a stale token, as public routes do', async () => {
    const res = await request(t.url)
      .get(`/provider/by-tournament/${tournamentB}/scoring-launch`)
      .set('Authorization', 'Bearer expired.or.forged');
    expect(res.status).toBe(200);
    expect(res.body.scoringLaunch).toEqual({ app: 'EMBEDDED' });
  });

  it('defaults: no branding and the Epixodic app for a provider that set nothing, or an unowned tournament', async () => {
    const plain = await addProvider(t);
    const desk = await account(t, { roles: ['client'], providerId: plain.organisationId });
    const id = await saved(plain, desk);
    expect((await get(t, `/provider/by-tournament/${id}/branding`)).body).toEqual({ success: true, branding: null });
    expect((await get(t, `/provider/by-tournament/${id}/scoring-launch`)).body).toEqual({
      success: true,
      scoringLaunch: { app: 'EPIXODIC' },
    });

    const superadmin = await account(t, { roles: ['superadmin'] });
    const unowned = mockTournament(undefined, 4);
    expect((await post(t, '/factory/save', { tournamentRecord: unowned }, superadmin.token)).body.success).toBe(true);
    expect((await get(t, `/provider/by-tournament/${unowned.tournamentId}/branding`)).body).toEqual({
      success: true,
      branding: null,
    });
    expect((await get(t, `/provider/by-tournament/${unowned.tournamentId}/scoring-launch`)).body).toEqual({
      success: true,
      scoringLaunch: DEFAULT_SCORING_LAUNCH,
    });
  });

  it('answers a handled error for an unknown tournament, and 400 for an absurd id', async () => {
    for (const route of ['branding', 'scoring-launch']) {
      const res = await get(t, `/provider/by-tournament/no-such-tournament/${route}`);
      expect(res.status).toBe(200);
      expect(res.body.error).toMatchObject({ code: 'ERR_MISSING_TOURNAMENT' });
      expect(res.body.success).toBeUndefined();
      expectInvalid(await get(t, `/provider/by-tournament/${'x'.repeat(300)}/${route}`));
    }
  });
});

describe('provider lookups', () => {
  const provider = (extra: Record<string, unknown>): Provider => ({
    organisationId: 'p',
    organisationAbbreviation: 'P',
    organisationName: 'P',
    ...extra,
  });

  it('keep only branding fields of the right types and CSS custom properties as theme tokens', () => {
    const branding = publicBranding(
      provider({
        branding: {
          appName: 42,
          accentColor: 'red',
          navbarLogoHeight: '32',
          themeTokens: { '--ok': 'blue', color: 'red', '--bad': { x: 1 } },
        },
      }),
    );
    expect(branding).toEqual({ accentColor: 'red', themeTokens: { '--ok': 'blue' } });
    expect(publicBranding(provider({ branding: { nothing: 'useful' } }))).toBeNull();
    expect(publicBranding(provider({ branding: ['not', 'an', 'object'] }))).toBeNull();
  });

  it('fall back to the default scoring app for an unknown app', () => {
    expect(scoringLaunch(provider({ integrations: { scoringLaunch: { app: 'SOMETHING' } } }))).toEqual({
      app: 'EPIXODIC',
    });
    expect(scoringLaunch(undefined)).toEqual({ app: 'EPIXODIC' });
  });
});
