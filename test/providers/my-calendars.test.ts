import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Provider, TournamentRecord } from '../../src/storage/storage.types';
import { BACKENDS, type TestApp } from '../support/app';
import { mockTournament } from '../support/records';
import { account, addProvider, expectInvalid, get, post, startAccountsApp, type Account } from '../auth/helpers';

describe.each(BACKENDS)('POST /provider/my-calendars (%s)', (backend) => {
  let t: TestApp;
  let providerA: Provider;
  let providerB: Provider;
  let clientA: Account;
  let clientB: Account;
  let superadmin: Account;
  let recordA: TournamentRecord;
  let recordB: TournamentRecord;

  /** A desk saves a tournament as TMX does; the save puts it on its provider's calendar. */
  async function save(desk: Account, provider: Provider, tournamentName: string): Promise<TournamentRecord> {
    const record = mockTournament(provider, 4, { tournamentName, startDate: '2027-03-01', endDate: '2027-03-03' });
    const res = await post(t, '/factory/save', { tournamentRecord: record }, desk.token);
    expect(res.body.success, JSON.stringify(res.body)).toBe(true);
    return record;
  }

  beforeAll(async () => {
    t = await startAccountsApp(backend);
    providerA = await addProvider(t);
    providerB = await addProvider(t);
    clientA = await account(t, { roles: ['client'], providerId: providerA.organisationId });
    clientB = await account(t, { roles: ['client'], providerId: providerB.organisationId });
    superadmin = await account(t, { roles: ['superadmin'] });
    recordA = await save(clientA, providerA, 'Alpha Open');
    recordB = await save(clientB, providerB, 'Bravo Cup');
  });
  afterAll(() => t?.close());

  const identity = (p: Provider) => ({
    organisationId: p.organisationId,
    organisationAbbreviation: p.organisationAbbreviation,
    organisationName: p.organisationName,
  });

  it("with /auth/me answering userId, TMX's switch to my-calendars lists the provider's tournaments", async () => {
    // TMX: fetchUserContext() caches /auth/me when data.userId is set; then the tournaments table
    // calls getMyCalendars({}) and flattens data.calendars[].tournaments[].
    const me = await get(t, '/auth/me', clientA.token);
    expect(me.body.userId).toBeTruthy();

    const res = await post(t, '/provider/my-calendars', {}, clientA.token);
    expect(res.status).toBe(200);
    expect(res.body.success).toBe(true);
    expect(res.body.calendars).toHaveLength(1);
    const [calendar] = res.body.calendars;
    expect(calendar.providerAbbr).toBe(providerA.organisationAbbreviation);
    expect(calendar.provider).toEqual(identity(providerA));
    expect(calendar.tournaments).toHaveLength(1);
    const [entry] = calendar.tournaments;
    expect(entry).toMatchObject({
      tournamentId: recordA.tournamentId,
      providerId: providerA.organisationId,
      tournament: {
        tournamentId: recordA.tournamentId,
        tournamentName: 'Alpha Open',
        startDate: '2027-03-01',
        endDate: '2027-03-03',
      },
    });
    expect(typeof entry.searchText).toBe('string');
    // The same entries as the public calendar of the provider.
    const pub = await post(t, '/provider/calendar', { providerAbbr: providerA.organisationAbbreviation });
    expect(calendar.tournaments).toEqual(pub.body.calendar.tournaments);
    expect(JSON.stringify(res.body)).not.toContain(recordB.tournamentId);
  });

  it("filters to providerAbbr (any case), and never to another provider's", async () => {
    const own = await post(
      t,
      '/provider/my-calendars',
      { providerAbbr: providerA.organisationAbbreviation.toLowerCase() },
      clientA.token,
    );
    expect(own.body.calendars.map((c: { providerAbbr: string }) => c.providerAbbr)).toEqual([
      providerA.organisationAbbreviation,
    ]);
    const other = await post(
      t,
      '/provider/my-calendars',
      { providerAbbr: providerB.organisationAbbreviation },
      clientA.token,
    );
    expect(other.body).toEqual({ success: true, calendars: [] });
    const unknown = await post(t, '/provider/my-calendars', { providerAbbr: 'NOPE' }, clientA.token);
    expect(unknown.body).toEqual({ success: true, calendars: [] });
  });

  it('gives a superadmin every provider, or the one it names', async () => {
    const all = await post(t, '/provider/my-calendars', {}, superadmin.token);
    const abbrs = all.body.calendars.map((c: { providerAbbr: string }) => c.providerAbbr);
    expect(abbrs).toEqual(
      expect.arrayContaining([providerA.organisationAbbreviation, providerB.organisationAbbreviation]),
    );
    const ids = all.body.calendars.flatMap((c: { tournaments: { tournamentId: string }[] }) =>
      c.tournaments.map((e) => e.tournamentId),
    );
    expect(ids).toEqual(expect.arrayContaining([recordA.tournamentId, recordB.tournamentId]));

    const one = await post(
      t,
      '/provider/my-calendars',
      { providerAbbr: providerB.organisationAbbreviation },
      superadmin.token,
    );
    expect(one.body.calendars).toHaveLength(1);
    expect(one.body.calendars[0].tournaments.map((e: { tournamentId: string }) => e.tournamentId)).toEqual([
      recordB.tournamentId,
    ]);
  });

  it('shows a newly saved tournament', async () => {
    const record = await save(clientA, providerA, 'Alpha Winter');
    await vi.waitFor(async () => {
      const res = await post(t, '/provider/my-calendars', {}, clientA.token);
      const ids = res.body.calendars[0].tournaments.map((e: { tournamentId: string }) => e.tournamentId);
      expect(ids).toContain(record.tournamentId);
    });
  });

  it('gives a user without a provider no calendars', async () => {
    const loner = await account(t, { roles: ['client'] });
    expect((await post(t, '/provider/my-calendars', {}, loner.token)).body).toEqual({ success: true, calendars: [] });
  });

  it('needs a token and a sensible providerAbbr', async () => {
    const anonymous = await request(t.url).post('/provider/my-calendars').send({});
    expect(anonymous.status).toBe(401);
    expectInvalid(await post(t, '/provider/my-calendars', { providerAbbr: { $ne: 1 } }, clientA.token));
    // What TMX sends when it shows no single provider: `{ providerAbbr: undefined }`, i.e. `{}`; null and '' mean the same.
    expect(
      (await post(t, '/provider/my-calendars', { providerAbbr: null }, clientA.token)).body.calendars,
    ).toHaveLength(1);
    expect((await post(t, '/provider/my-calendars', { providerAbbr: '' }, clientA.token)).body.calendars).toHaveLength(
      1,
    );
  });
});
