import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedAccount, type TestAccount } from '../support/accounts';
import { BACKENDS, startTestApp, type TestApp } from '../support/app';
import { addParticipantDirective, mockTournament, participantNames, testProvider } from '../support/records';

describe.each(BACKENDS)('private /factory routes on %s', (backend) => {
  let t: TestApp;
  const provider = testProvider();
  const other = testProvider();
  let desk: TestAccount;
  let deleter: TestAccount;
  let scorer: TestAccount;
  let generator: TestAccount;
  let stranger: TestAccount;
  let strangerDeleter: TestAccount;

  beforeAll(async () => {
    t = await startTestApp(backend, { MAX_BODY_BYTES: String(2 * 1024 * 1024) });
    desk = await seedAccount(t, { provider });
    deleter = await seedAccount(t, { provider, permissions: ['deleteTournament'] });
    scorer = await seedAccount(t, { provider, roles: ['score'] });
    generator = await seedAccount(t, { provider, roles: ['generate'] });
    stranger = await seedAccount(t, { provider: other });
    strangerDeleter = await seedAccount(t, { provider: other, permissions: ['deleteTournament'] });
  });
  afterAll(() => t?.close());

  const post = (path: string, body: unknown, account?: TestAccount) => {
    const req = request(t.url)
      .post(path)
      .send(body as object);
    return account ? req.set(account.auth) : req;
  };

  async function saved(account = desk, drawSize = 8) {
    const record = mockTournament(provider, drawSize);
    const res = await post('/factory/save', { tournamentRecord: record }, account).expect(200);
    expect(res.body).toEqual({ success: true, versions: { [record.tournamentId]: 1 } });
    return record;
  }

  async function fetchRecord(id: string, account = desk) {
    const res = await post('/factory/fetch', { tournamentId: id }, account).expect(200);
    return { record: res.body.tournamentRecords[id], version: res.body.versions[id] as number };
  }

  it('applies 50 concurrent POST /factory batches exactly once, versions 2..51 without gaps', async () => {
    const { tournamentId: id } = await saved();
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        post('/factory', { tournamentIds: [id], methods: [addParticipantDirective(id, `Http ${i}`)] }, desk),
      ),
    );
    expect(responses.every((r) => r.status === 200 && r.body.success === true)).toBe(true);
    const versions = responses.map((r) => r.body.versions[id] as number).sort((a, b) => a - b);
    expect(versions).toEqual(Array.from({ length: 50 }, (_, i) => i + 2));
    const { record, version } = await fetchRecord(id);
    expect(version).toBe(51);
    expect(participantNames(record).filter((n) => n.startsWith('Http ')).length).toBe(50);
    const history = await post('/factory/history', { tournamentId: id }, desk).expect(200);
    expect(history.body.entries.map((e: { version: number }) => e.version)).toEqual(
      Array.from({ length: 51 }, (_, i) => i + 1),
    );
    expect(history.body.entries[1]).toMatchObject({ userId: desk.user.email, methods: [{ method: 'addParticipant' }] });
    // Replay inputs (contract: log entries carry seed and at); a save has no seed.
    expect(history.body.entries[1]).toMatchObject({ seed: expect.any(Number), at: expect.any(String) });
    expect(history.body.entries[0].seed).toBeUndefined();
  });

  it('answers POST routes with 200 and matches paths case-insensitively', async () => {
    const { tournamentId: id } = await saved();
    const res = await post('/Factory/FETCH', { tournamentIds: [id] }, desk).expect(200);
    expect(res.body.success).toBe(true);
  });

  describe('refusals (nothing stored)', () => {
    it.each([
      ['no token', undefined, 401],
      ['a score-only user', 'scorer', 403],
      ["another provider's desk", 'stranger', 403],
    ])('POST /factory with %s', async (_label, who, status) => {
      const { tournamentId: id } = await saved();
      const account = who === 'scorer' ? scorer : who === 'stranger' ? stranger : undefined;
      const res = await post('/factory', { tournamentIds: [id], methods: [addParticipantDirective(id, 'X')] }, account);
      expect(res.status).toBe(status);
      expect(res.body.message).toEqual(expect.any(String));
      expect((await fetchRecord(id)).version).toBe(1);
    });

    it.each([
      ['an unknown method', [{ method: 'noSuchMethod' }], 'ERR_METHOD_NOT_ALLOWED'],
      ['reset', [{ method: 'reset' }], 'ERR_METHOD_NOT_ALLOWED'],
      ['a methods string', 'setTournamentName', 'ERR_INVALID_INPUT'],
    ])('POST /factory with %s → 400', async (_label, methods, code) => {
      const { tournamentId: id } = await saved();
      const res = await post('/factory', { tournamentIds: [id], methods }, desk).expect(400);
      expect(res.body.error).toMatchObject({ code, message: expect.any(String) });
      expect((await fetchRecord(id)).version).toBe(1);
    });

    it('POST /factory with __proto__ in params → 400', async () => {
      const { tournamentId: id } = await saved();
      const raw = `{"tournamentIds":["${id}"],"methods":[{"method":"setTournamentName","params":{"__proto__":{"polluted":true},"tournamentName":"x"}}]}`;
      const res = await request(t.url)
        .post('/factory')
        .set(desk.auth)
        .set('Content-Type', 'application/json')
        .send(raw);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('ERR_INVALID_INPUT');
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect((await fetchRecord(id)).record.tournamentName).not.toBe('x');
    });

    it('malformed JSON → 400, oversized body → 413, server stays up', async () => {
      const malformed = await request(t.url)
        .post('/factory')
        .set(desk.auth)
        .set('Content-Type', 'application/json')
        .send('{"methods":[');
      expect(malformed.status).toBe(400);
      expect(malformed.body.error.code).toBe('ERR_INVALID_INPUT');
      const huge = JSON.stringify({
        tournamentIds: ['x'],
        methods: [{ method: 'setTournamentName', params: { pad: 'x'.repeat(3 * 1024 * 1024) } }],
      });
      const oversized = await request(t.url)
        .post('/factory')
        .set(desk.auth)
        .set('Content-Type', 'application/json')
        .send(huge);
      expect(oversized.status).toBe(413);
      expect(oversized.body.error.code).toBe('ERR_PAYLOAD_TOO_LARGE');
      await request(t.url).get('/health').expect(200);
    });

    it('an unknown tournament answers 200 with ERR_MISSING_TOURNAMENT', async () => {
      const res = await post(
        '/factory',
        { tournamentIds: ['unknown'], methods: [addParticipantDirective('unknown', 'X')] },
        desk,
      ).expect(200);
      expect(res.body.error).toMatchObject({ code: 'ERR_MISSING_TOURNAMENT' });
    });
  });

  it("fetch refuses another provider's tournament with 403", async () => {
    const { tournamentId: id } = await saved();
    await post('/factory/fetch', { tournamentId: id }, stranger).expect(403);
  });

  it('save detects a stale baseVersion (ERR_CONFLICT) and accepts current or forced uploads', async () => {
    const record = await saved();
    const id = record.tournamentId;
    await post('/factory', { tournamentIds: [id], methods: [addParticipantDirective(id, 'Online')] }, desk).expect(200);
    const offline = { ...record, tournamentName: 'Offline' };
    const stale = await post('/factory/save', { tournamentRecord: offline, baseVersion: 1 }, desk).expect(200);
    expect(stale.body.error).toMatchObject({ code: 'ERR_CONFLICT', versions: { [id]: 2 } });
    expect((await fetchRecord(id)).record.tournamentName).not.toBe('Offline');
    const current = await post('/factory/save', { tournamentRecord: offline, versions: { [id]: 2 } }, desk).expect(200);
    expect(current.body).toEqual({ success: true, versions: { [id]: 3 } });
    const forced = await post('/factory/save', { tournamentRecord: offline, baseVersion: 1, force: true }, desk).expect(
      200,
    );
    expect(forced.body).toEqual({ success: true, versions: { [id]: 4 } });
    const legacy = await post('/factory/save', { tournamentRecords: [offline] }, desk).expect(200);
    expect(legacy.body).toEqual({ success: true, versions: { [id]: 5 } });
  });

  it('remove needs deleteTournament and clears record, log and calendar', async () => {
    const { tournamentId: id } = await saved();
    // Refusals as TMX shows them: 200, a readable `error` string and `errorCode`; nothing removed.
    for (const caller of [desk, stranger, strangerDeleter]) {
      const refused = await post('/factory/remove', { tournamentId: id }, caller).expect(200);
      expect(refused.body).toEqual({ error: expect.stringMatching(/\w+ \w+/), errorCode: 'ERR_DELETE_FORBIDDEN' });
    }
    const viaProvider = { tournamentId: id, providerId: provider.organisationId };
    expect((await post('/factory/remove', viaProvider, strangerDeleter).expect(200)).body.errorCode).toBe(
      'ERR_DELETE_FORBIDDEN',
    );
    expect(await t.storage.tournaments.getVersion(id)).toBe(1);
    const res = await post('/factory/remove', { tournamentIds: [id] }, deleter).expect(200);
    expect(res.body).toEqual({ success: true, removed: [id] });
    expect((await post('/factory/fetch', { tournamentId: id }, desk).expect(200)).body.error.code).toBe(
      'ERR_MISSING_TOURNAMENT',
    );
    expect(await t.storage.log.since(id, 0)).toEqual([]);
  });

  it('query runs read-only methods only', async () => {
    const { tournamentId: id } = await saved();
    const info = await post(
      '/factory/query',
      { tournamentId: id, method: 'getTournamentInfo', params: {} },
      desk,
    ).expect(200);
    expect(info.body.tournamentInfo).toMatchObject({ tournamentId: id, tournamentName: 'Test Open' });
    const refused = await post(
      '/factory/query',
      { tournamentId: id, method: 'setTournamentName', params: { tournamentName: 'x' } },
      desk,
    );
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('ERR_METHOD_NOT_ALLOWED');
    await post('/factory/query', { tournamentId: id, method: 'getTournamentInfo' }, stranger).expect(403);
  });

  it('score accepts the flat body and the { params } wrapper, and finds the draw itself', async () => {
    const { tournamentId: id } = await saved();
    const matchUps = (await post('/factory/matchups', { tournamentId: id }, scorer).expect(200)).body.matchUps;
    const ready = matchUps.filter((m: { readyToScore?: boolean }) => m.readyToScore);
    expect(ready.length).toBeGreaterThanOrEqual(2);
    const flat = await post(
      '/factory/score',
      { tournamentId: id, matchUpId: ready[0].matchUpId, outcome: { winningSide: 1 } },
      scorer,
    ).expect(200);
    expect(flat.body).toEqual({ success: true, versions: { [id]: 2 } });
    const wrapped = await post(
      '/factory/score',
      {
        params: {
          tournamentId: id,
          drawId: ready[1].drawId,
          matchUpId: ready[1].matchUpId,
          outcome: { winningSide: 2 },
        },
      },
      scorer,
    ).expect(200);
    expect(wrapped.body).toEqual({ success: true, versions: { [id]: 3 } });
    const completed = await post(
      '/factory/matchups',
      { tournamentId: id, matchUpStatuses: ['COMPLETED'] },
      scorer,
    ).expect(200);
    expect(completed.body.matchUps.map((m: { matchUpId: string }) => m.matchUpId).sort()).toEqual(
      [ready[0].matchUpId, ready[1].matchUpId].sort(),
    );
    await post('/factory/score', { tournamentId: id, matchUpId: ready[0].matchUpId, outcome: {} }, stranger).expect(
      403,
    );
  });

  it('generate saves a mock tournament for the caller and caps its size', async () => {
    const res = await post(
      '/factory/generate',
      { tournamentName: 'Mock', drawProfiles: [{ drawSize: 16 }] },
      generator,
    ).expect(200);
    const record = res.body.tournamentRecord;
    expect(record.parentOrganisation.organisationId).toBe(provider.organisationId);
    expect(res.body.versions).toEqual({ [record.tournamentId]: 1 });
    expect((await fetchRecord(record.tournamentId)).version).toBe(1);
    const huge = await post('/factory/generate', { drawProfiles: [{ drawSize: 4096 }] }, generator);
    expect(huge.status).toBe(400);
    await post('/factory/generate', { drawProfiles: [{ drawSize: 8 }] }, desk).expect(403);
  });
});
