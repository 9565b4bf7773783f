import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedAccount, type TestAccount } from '../support/accounts';
import { BACKENDS, startTestApp, type TestApp } from '../support/app';
import { addParticipantDirective, mockTournament, testProvider } from '../support/records';

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
