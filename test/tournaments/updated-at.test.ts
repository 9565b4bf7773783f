import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildClaims } from '../../src/auth/claims';
import { TokenService } from '../../src/auth/token.service';
import { seedAccount, type TestAccount } from '../support/accounts';
import { BACKENDS, startTestApp, type TestApp } from '../support/app';
import { addParticipantDirective, mockTournament, testProvider } from '../support/records';
import { closeSockets, desk, join, sendBatch, sync, waitFor } from '../support/sockets';

/** `POST /factory/updated-at`: TMX's staleness probe (stalenessGuard.ts reads `data.updatedAt`). */
describe.each(BACKENDS)('POST /factory/updated-at on %s', (backend) => {
  let t: TestApp;
  const provider = testProvider();
  let desk: TestAccount;
  let scorer: TestAccount;
  let stranger: TestAccount;

  beforeAll(async () => {
    t = await startTestApp(backend);
    desk = await seedAccount(t, { provider });
    scorer = await seedAccount(t, { provider, roles: ['score'] });
    stranger = await seedAccount(t, { provider: testProvider() });
  });
  afterAll(() => t?.close());

  const post = (path: string, body: object, account?: TestAccount) => {
    const req = request(t.url).post(path).send(body);
    return account ? req.set(account.auth) : req;
  };
  /** Exactly what TMX sends. */
  const probe = (tournamentId: string, account = desk) => post('/factory/updated-at', { tournamentId }, account);

  async function saved() {
    const record = mockTournament(provider);
    await post('/factory/save', { tournamentRecord: record }, desk).expect(200);
    return record.tournamentId;
  }

  it('answers the commit time of the stored version, the same value the fetched record carries', async () => {
    const id = await saved();
    const res = await probe(id).expect(200);
    expect(res.body).toEqual({ success: true, tournamentId: id, updatedAt: expect.any(String), version: 1 });
    expect(new Date(res.body.updatedAt).toISOString()).toBe(res.body.updatedAt);
    const fetched = await post('/factory/fetch', { tournamentId: id }, desk).expect(200);
    expect(fetched.body.tournamentRecords[id].updatedAt).toBe(res.body.updatedAt);
    // The probe never carries the record.
    expect(JSON.stringify(res.body).length).toBeLessThan(200);
  });

  it('moves with every accepted version, even two in the same millisecond, and not with a refused one', async () => {
    const id = await saved();
    const seen = [(await probe(id).expect(200)).body.updatedAt as string];
    for (let i = 0; i < 4; i++) {
      const methods = [addParticipantDirective(id, `Player ${i}`)];
      await post('/factory', { tournamentIds: [id], methods }, desk).expect(200);
      seen.push((await probe(id).expect(200)).body.updatedAt);
    }
    const times = seen.map((iso) => Date.parse(iso));
    for (let i = 1; i < times.length; i++) expect(times[i]).toBeGreaterThan(times[i - 1]);
    expect((await probe(id)).body.version).toBe(5);

    const refused = await post('/factory', { tournamentIds: [id], methods: [{ method: 'noSuchMethod' }] }, desk);
    expect(refused.body.error).toBeDefined();
    expect((await probe(id)).body.updatedAt).toBe(seen.at(-1));
  });

  it('answers any signed-in user of the provider (a scoring desk too)', async () => {
    const id = await saved();
    expect((await probe(id, scorer).expect(200)).body.success).toBe(true);
  });

  it("refuses another provider's tournament without revealing its time", async () => {
    const id = await saved();
    const res = await probe(id, stranger);
    expect(res.body.error).toMatchObject({ code: 'ERR_FORBIDDEN' });
    expect(res.body.updatedAt).toBeUndefined();
  });

  it('answers { error } for an unknown tournament and bad input, 401 without a token', async () => {
    const unknown = await probe('no-such-tournament').expect(200);
    expect(unknown.body).toEqual({ error: expect.objectContaining({ code: 'ERR_MISSING_TOURNAMENT' }) });
    const bad = await post('/factory/updated-at', { tournamentId: 42 }, desk).expect(400);
    expect(bad.body.error.code).toBe('ERR_INVALID_INPUT');
    await post('/factory/updated-at', { tournamentId: 'x' }).expect(401);
  });
});

/**
 * TMX marks its copy stale when the probe's `updatedAt` is later than the `updatedAt` of the record
 * it fetched, which it never moves when it applies changes live. The probe answers per sign-in.
 */
describe.each(BACKENDS)('updated-at follows each desk copy on %s', (backend) => {
  let t: TestApp;
  const provider = testProvider();
  let director: TestAccount;
  let colleague: TestAccount;

  beforeAll(async () => {
    t = await startTestApp(backend);
    director = await seedAccount(t, { provider });
    colleague = await seedAccount(t, { provider });
  });
  afterAll(async () => {
    closeSockets();
    await t?.close();
  });

  /** A second sign-in of the same account (another device). */
  const otherDevice = (account: TestAccount) => {
    const token = t.app.get(TokenService).sign(buildClaims(account.user, provider));
    expect(token).not.toBe(account.token);
    return { Authorization: `Bearer ${token}` };
  };
  const fetchStamp = async (auth: Record<string, string>, id: string): Promise<string> =>
    (await request(t.url).post('/factory/fetch').set(auth).send({ tournamentId: id }).expect(200)).body
      .tournamentRecords[id].updatedAt;
  const probe = async (auth: Record<string, string>, id: string) =>
    (await request(t.url).post('/factory/updated-at').set(auth).send({ tournamentId: id }).expect(200)).body;
  /** TMX's own test: stalenessGuard.ts marks the copy stale when this is true. */
  const stale = (answer: { updatedAt: string }, localUpdatedAt: string) =>
    new Date(answer.updatedAt).getTime() > new Date(localUpdatedAt).getTime();

  it('keeps a desk that received every change fresh, and tells one that missed a change', async () => {
    const record = mockTournament(provider);
    const id = record.tournamentId;
    await request(t.url).post('/factory/save').set(director.auth).send({ tournamentRecord: record }).expect(200);

    const deskA = await desk(t, director.token);
    const deskB = await desk(t, colleague.token);
    await join(deskA, id);
    await join(deskB, id);
    const local = await fetchStamp(director.auth, id);

    // Another desk's batch reaches A live; A's own batch is acked to it.
    const seen = waitFor(deskA, 'tournamentMutation');
    expect(
      (await sendBatch(deskB, { tournamentIds: [id], methods: [addParticipantDirective(id, 'B1')] })).success,
    ).toBe(true);
    await seen;
    expect(await probe(director.auth, id)).toMatchObject({ updatedAt: local, version: 2 });
    expect(
      (await sendBatch(deskA, { tournamentIds: [id], methods: [addParticipantDirective(id, 'A1')] })).success,
    ).toBe(true);
    const fresh = await probe(director.auth, id);
    expect(fresh).toMatchObject({ updatedAt: local, version: 3 });
    expect(stale(fresh, local)).toBe(false);

    // The same account on a device that fetched but is not connected misses the next change.
    const tablet = otherDevice(director);
    const tabletLocal = await fetchStamp(tablet, id);
    expect(
      (await sendBatch(deskB, { tournamentIds: [id], methods: [addParticipantDirective(id, 'B2')] })).success,
    ).toBe(true);
    expect(stale(await probe(tablet, id), tabletLocal)).toBe(true);
    expect(stale(await probe(director.auth, id), local)).toBe(false);

    // A drops off, a change lands meanwhile: A is stale until it fetches again.
    deskA.disconnect();
    await sync(deskB);
    expect(
      (await sendBatch(deskB, { tournamentIds: [id], methods: [addParticipantDirective(id, 'B3')] })).success,
    ).toBe(true);
    const behind = await probe(director.auth, id);
    expect(stale(behind, local)).toBe(true);
    expect(behind.updatedAt).toBe((await probe(colleague.auth, id)).updatedAt);
    const refetched = await fetchStamp(director.auth, id);
    expect(refetched).toBe(behind.updatedAt);
    expect(stale(await probe(director.auth, id), refetched)).toBe(false);
  });

  it('marks every copy stale after a whole-record save, which desks cannot replay', async () => {
    const record = mockTournament(provider);
    const id = record.tournamentId;
    await request(t.url).post('/factory/save').set(director.auth).send({ tournamentRecord: record }).expect(200);
    const deskA = await desk(t, director.token);
    await join(deskA, id);
    const local = await fetchStamp(director.auth, id);
    const renamed = { ...record, tournamentName: 'Renamed elsewhere' };
    await request(t.url).post('/factory/save').set(colleague.auth).send({ tournamentRecord: renamed }).expect(200);
    expect(stale(await probe(director.auth, id), local)).toBe(true);
    deskA.disconnect();
  });
});
