import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CalendarService } from '../../src/providers/calendar.service';
import type { Provider, TournamentRecord } from '../../src/storage/storage.types';
import { BACKENDS, type TestApp } from '../support/app';
import { storeCalendarEntry } from '../support/storage';
import { account, addProvider, expectInvalid, post, startAccountsApp, type Account } from '../auth/helpers';

function tournament(providerId: string, name: string, startDate: string): TournamentRecord {
  return {
    tournamentId: randomUUID(),
    tournamentName: name,
    startDate,
    endDate: startDate,
    parentOrganisation: { organisationId: providerId, organisationName: 'x' },
    tournamentContacts: [{ emailAddress: 'director@example.com' }],
    participants: [{ participantName: 'Secret Player' }],
  };
}

describe.each(BACKENDS)('providers and calendars (%s)', (backend) => {
  let t: TestApp;
  let calendars: CalendarService;
  let superadmin: Account;
  let providerA: Provider;
  let providerB: Provider;
  let adminA: Account;
  let clientA: Account;

  beforeAll(async () => {
    t = await startAccountsApp(backend);
    calendars = t.app.get(CalendarService);
    providerA = await addProvider(t, 'ALPHA');
    providerB = await addProvider(t, 'BRAVO');
    superadmin = await account(t, { roles: ['superadmin'] });
    adminA = await account(t, { roles: ['admin'], providerId: providerA.organisationId });
    clientA = await account(t, { roles: ['client'], providerId: providerA.organisationId });
  });
  afterAll(() => t?.close());

  describe('add', () => {
    it('creates a provider with a new id, or with a client-sent free UUID', async () => {
      const res = await post(
        t,
        '/provider/add',
        { organisationAbbreviation: 'NEW1', organisationName: 'New One' },
        superadmin.token,
      );
      expect(res.status).toBe(200);
      expect(res.body.success).toBe(true);
      expect(await t.storage.providers.get(res.body.providerId)).toMatchObject({
        organisationId: res.body.providerId,
        organisationAbbreviation: 'NEW1',
        organisationName: 'New One',
      });

      const wanted = randomUUID();
      const own = await post(
        t,
        '/provider/add',
        {
          organisationAbbreviation: 'NEW2',
          organisationName: 'New Two',
          organisationId: wanted,
          onlineResources: [{ identifier: 'u' }],
        },
        superadmin.token,
      );
      expect(own.body.providerId).toBe(wanted);
      expect((await t.storage.providers.get(wanted))?.onlineResources).toEqual([{ identifier: 'u' }]);
    });

    it('makes a new id when the sent one is taken or not a UUID', async () => {
      const taken = await post(
        t,
        '/provider/add',
        { organisationAbbreviation: 'NEW3', organisationName: 'x', organisationId: providerA.organisationId },
        superadmin.token,
      );
      expect(taken.body.success).toBe(true);
      expect(taken.body.providerId).not.toBe(providerA.organisationId);
      expect((await t.storage.providers.get(providerA.organisationId))?.organisationAbbreviation).toBe('ALPHA');

      const odd = await post(
        t,
        '/provider/add',
        { organisationAbbreviation: 'NEW4', organisationName: 'x', organisationId: 'my-id' },
        superadmin.token,
      );
      expect(odd.body.providerId).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('refuses a taken abbreviation in any case with { error }', async () => {
      const res = await post(
        t,
        '/provider/add',
        { organisationAbbreviation: 'alpha', organisationName: 'Copy' },
        superadmin.token,
      );
      expect(res.status).toBe(200);
      expect(res.body.error.code).toBe('ERR_DUPLICATE');
      expect(res.body.success).toBeUndefined();
    });

    it('is for superadmins only; bad input is 400 and stores nothing', async () => {
      const before = (await t.storage.providers.list()).length;
      const body = { organisationAbbreviation: 'NOPE', organisationName: 'Nope' };
      expect((await post(t, '/provider/add', body, adminA.token)).status).toBe(403);
      expect((await post(t, '/provider/add', body)).status).toBe(401);
      expectInvalid(await post(t, '/provider/add', { organisationName: 'No abbreviation' }, superadmin.token));
      expectInvalid(
        await post(t, '/provider/add', { organisationAbbreviation: 'A B', organisationName: 'x' }, superadmin.token),
      );
      expectInvalid(
        await post(
          t,
          '/provider/add',
          { organisationAbbreviation: 'X'.repeat(65), organisationName: 'x' },
          superadmin.token,
        ),
      );
      expectInvalid(
        await post(t, '/provider/add', { organisationAbbreviation: 'OK', organisationName: 7 }, superadmin.token),
      );
      expect((await t.storage.providers.list()).length).toBe(before);
    });
  });

  describe('allproviders and detail', () => {
    it('lists every provider as { key, value } for a superadmin', async () => {
      const res = await post(t, '/provider/allProviders', {}, superadmin.token);
      expect(res.status).toBe(200);
      expect(res.body.success).toBe(true);
      const alpha = res.body.providers.find((p: { key: string }) => p.key === providerA.organisationId);
      expect(alpha.value).toMatchObject({
        organisationId: providerA.organisationId,
        organisationAbbreviation: 'ALPHA',
      });
    });

    it('refuses admins and clients (403)', async () => {
      expect((await post(t, '/provider/allproviders', {}, adminA.token)).status).toBe(403);
      expect((await post(t, '/provider/allproviders', {}, clientA.token)).status).toBe(403);
    });

    it('shows a provider to its members and superadmins only', async () => {
      const own = await post(t, '/provider/detail', { providerId: providerA.organisationId }, clientA.token);
      expect(own.status).toBe(200);
      expect(own.body).toMatchObject({ success: true, provider: { organisationAbbreviation: 'ALPHA' } });

      const other = await post(t, '/provider/detail', { providerId: providerB.organisationId }, clientA.token);
      expect(other.status).toBe(403);
      expect(other.body.provider).toBeUndefined();

      const root = await post(t, '/provider/detail', { providerId: providerB.organisationId }, superadmin.token);
      expect(root.body.provider.organisationAbbreviation).toBe('BRAVO');
      const missing = await post(t, '/provider/detail', { providerId: 'nope' }, superadmin.token);
      expect(missing.body.error.code).toBe('ERR_NOT_FOUND');
      expectInvalid(await post(t, '/provider/detail', {}, superadmin.token));
    });
  });

  describe('modify', () => {
    it('lets the admin of the provider change settings, by providerId or organisationId', async () => {
      const res = await post(
        t,
        '/provider/modify',
        { providerId: providerA.organisationId, organisationName: 'Alpha Tennis Club', settings: { theme: 'dark' } },
        adminA.token,
      );
      expect(res.body).toEqual({ success: true });
      const byOrgId = await post(
        t,
        '/provider/modify',
        { organisationId: providerA.organisationId, onlineResources: [{ identifier: 'https://alpha.example.com' }] },
        adminA.token,
      );
      expect(byOrgId.body).toEqual({ success: true });
      expect(await t.storage.providers.get(providerA.organisationId)).toMatchObject({
        organisationId: providerA.organisationId,
        organisationAbbreviation: 'ALPHA',
        organisationName: 'Alpha Tennis Club',
        settings: { theme: 'dark' },
        onlineResources: [{ identifier: 'https://alpha.example.com' }],
      });
    });

    it("refuses another provider's admin, and clients (403)", async () => {
      const res = await post(
        t,
        '/provider/modify',
        { providerId: providerB.organisationId, organisationName: 'Hijacked' },
        adminA.token,
      );
      expect(res.status).toBe(403);
      const asClient = await post(
        t,
        '/provider/modify',
        { providerId: providerA.organisationId, organisationName: 'x' },
        clientA.token,
      );
      expect(asClient.status).toBe(403);
      expect((await t.storage.providers.get(providerB.organisationId))?.organisationName).toBe('BRAVO Tennis');
    });

    it('refuses a taken abbreviation, and bad input', async () => {
      const res = await post(
        t,
        '/provider/modify',
        { providerId: providerA.organisationId, organisationAbbreviation: 'bravo' },
        superadmin.token,
      );
      expect(res.body.error.code).toBe('ERR_DUPLICATE');
      expectInvalid(await post(t, '/provider/modify', { organisationName: 'no id' }, superadmin.token));
      expectInvalid(
        await post(
          t,
          '/provider/modify',
          { providerId: providerA.organisationId, organisationName: '' },
          superadmin.token,
        ),
      );
      expectInvalid(
        await post(
          t,
          '/provider/modify',
          { providerId: providerA.organisationId, huge: 'x'.repeat(300_000) },
          superadmin.token,
        ),
      );
      expect((await t.storage.providers.get(providerA.organisationId))?.organisationAbbreviation).toBe('ALPHA');
    });
  });

  describe('calendar', () => {
    it('is public, found by abbreviation in any case, and lists only published-safe fields', async () => {
      const provider = await addProvider(t, 'CAL');
      const later = tournament(provider.organisationId, 'Autumn Cup', '2026-09-01');
      const sooner = tournament(provider.organisationId, 'Spring Cup', '2026-03-01');
      await storeCalendarEntry(t.storage, later);
      await storeCalendarEntry(t.storage, sooner);
      await storeCalendarEntry(t.storage, tournament(providerB.organisationId, 'Not here', '2026-01-01'));

      const res = await post(t, '/provider/calendar', { providerAbbr: 'cal' });
      expect(res.status).toBe(200);
      expect(res.body.success).toBe(true);
      expect(res.body.calendar.provider).toEqual({
        organisationId: provider.organisationId,
        organisationAbbreviation: 'CAL',
        organisationName: 'CAL Tennis',
      });
      expect(
        res.body.calendar.tournaments.map(
          (e: { tournament: { tournamentName: string } }) => e.tournament.tournamentName,
        ),
      ).toEqual(['Spring Cup', 'Autumn Cup']);
      expect(res.body.calendar.tournaments[0]).toEqual({
        tournamentId: sooner.tournamentId,
        providerId: provider.organisationId,
        searchText: `spring cup ${sooner.tournamentId}`,
        tournament: {
          tournamentId: sooner.tournamentId,
          tournamentName: 'Spring Cup',
          startDate: '2026-03-01',
          endDate: '2026-03-01',
        },
      });
      expect(JSON.stringify(res.body)).not.toMatch(/director@|Secret Player/);
    });

    it('follows renames, removals and a change of owner', async () => {
      const provider = await addProvider(t, 'OLDABBR');
      const record = tournament(provider.organisationId, 'Kept Cup', '2026-05-01');
      await storeCalendarEntry(t.storage, record);

      const renamed = await post(
        t,
        '/provider/modify',
        { providerId: provider.organisationId, organisationAbbreviation: 'NEWABBR' },
        superadmin.token,
      );
      expect(renamed.body).toEqual({ success: true });
      const res = await post(t, '/provider/calendar', { providerAbbr: 'NEWABBR' });
      expect(res.body.calendar.tournaments.map((e: { tournamentId: string }) => e.tournamentId)).toEqual([
        record.tournamentId,
      ]);
      expect((await post(t, '/provider/calendar', { providerAbbr: 'OLDABBR' })).body.error.code).toBe('ERR_NOT_FOUND');

      await storeCalendarEntry(t.storage, { ...record, tournamentName: 'Renamed Cup' });
      const updated = await post(t, '/provider/calendar', { providerAbbr: 'newabbr' });
      expect(updated.body.calendar.tournaments[0].tournament.tournamentName).toBe('Renamed Cup');

      await storeCalendarEntry(t.storage, {
        ...record,
        parentOrganisation: { organisationId: providerB.organisationId },
      });
      expect((await post(t, '/provider/calendar', { providerAbbr: 'NEWABBR' })).body.calendar.tournaments).toEqual([]);
      const bravo = await post(t, '/provider/calendar', { providerAbbr: 'BRAVO' });
      expect(bravo.body.calendar.tournaments.map((e: { tournamentId: string }) => e.tournamentId)).toContain(
        record.tournamentId,
      );

      await calendars.removeTournament(record.tournamentId);
      const after = await post(t, '/provider/calendar', { providerAbbr: 'BRAVO' });
      expect(after.body.calendar.tournaments.map((e: { tournamentId: string }) => e.tournamentId)).not.toContain(
        record.tournamentId,
      );
    });

    it('drops a tournament that loses its owner', async () => {
      const provider = await addProvider(t, 'ORPHAN');
      const record = tournament(provider.organisationId, 'Orphan Cup', '2026-06-01');
      await storeCalendarEntry(t.storage, record);
      await storeCalendarEntry(t.storage, { ...record, parentOrganisation: undefined });
      expect((await post(t, '/provider/calendar', { providerAbbr: 'ORPHAN' })).body.calendar.tournaments).toEqual([]);
    });

    it('answers an unknown abbreviation with { error }, ignores stale tokens, and refuses bad input', async () => {
      const res = await post(t, '/provider/calendar', { providerAbbr: 'NOSUCH' }, 'stale.token.value');
      expect(res.status).toBe(200);
      expect(res.body.error.code).toBe('ERR_NOT_FOUND');
      expectInvalid(await post(t, '/provider/calendar', {}));
      expectInvalid(await post(t, '/provider/calendar', { providerAbbr: ['ALPHA'] }));
    });
  });
});
