import request from 'supertest';
import { MutationExecutor } from '../../src/tournaments/executor.service';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedAccount, type TestAccount } from '../support/accounts';
import { BACKENDS, startTestApp, type TestApp } from '../support/app';
import { mockTournament, testProvider } from '../support/records';
import { closeSockets, desk, join, record, sendBatch, sync, type Socket } from '../support/sockets';
import type { TournamentRecord } from '../../src/storage/storage.types';
import { runQuery } from '../../src/tournaments/record-queries';

interface MatchUpRef {
  matchUpId: string;
  drawId: string;
  roundPosition: number;
}

const WON_BY_1 = { scoreStringSide1: '6-3 6-4', scoreStringSide2: '3-6 4-6', winningSide: 1 };
const WON_BY_2 = { scoreStringSide1: '4-6 3-6', scoreStringSide2: '6-4 6-3', winningSide: 2 };

function outcome(result: typeof WON_BY_1) {
  const sets = result.scoreStringSide1.split(' ').map((set, index) => {
    const [side1Score, side2Score] = set.split('-').map(Number);
    return { setNumber: index + 1, side1Score, side2Score, winningSide: side1Score > side2Score ? 1 : 2 };
  });
  return {
    winningSide: result.winningSide,
    matchUpStatus: 'COMPLETED',
    score: { scoreStringSide1: result.scoreStringSide1, scoreStringSide2: result.scoreStringSide2, sets },
  };
}

/** First-round matchUps of the record's first draw, by round position (1 and 2 feed the same second-round matchUp). */
function firstRound(record: TournamentRecord): MatchUpRef[] {
  const { matchUps } = runQuery({ [record.tournamentId]: structuredClone(record) }, 'allTournamentMatchUps', {
    matchUpFilters: { roundNumbers: [1] },
  }) as { matchUps: MatchUpRef[] };
  return [...matchUps].sort((a, b) => a.roundPosition - b.roundPosition);
}

/**
 * Offline desks (issue 13): a batch carries the version its desk's copy had (`baseVersions`); the
 * server refuses it when a batch committed since changed the same things, or applies it on purpose.
 */
describe.each(BACKENDS)('conflicting batches on %s', (backend) => {
  let t: TestApp;
  const provider = testProvider();
  let alice: TestAccount;
  let bob: TestAccount;

  beforeAll(async () => {
    t = await startTestApp(backend);
    alice = await seedAccount(t, { provider });
    bob = await seedAccount(t, { provider });
  });
  afterAll(async () => {
    closeSockets();
    await t?.close();
  });

  const score = (tournamentId: string, m: MatchUpRef, result = WON_BY_1) => ({
    method: 'setMatchUpStatus',
    params: { tournamentId, drawId: m.drawId, matchUpId: m.matchUpId, outcome: outcome(result) },
  });
  const stored = async (id: string) => (await t.storage.tournaments.get(id))!;
  const winnerOf = async (id: string, matchUpId: string) => {
    const { record } = await stored(id);
    const { matchUp } = runQuery({ [id]: record }, 'findMatchUp', { tournamentId: id, matchUpId }) as {
      matchUp?: { winningSide?: number };
    };
    return matchUp?.winningSide;
  };

  /** A saved tournament, Alice's and Bob's desks joined to it (version 1), its first round. */
  async function setUp(drawSize = 8) {
    const saved = mockTournament(provider, drawSize);
    const id = saved.tournamentId;
    await request(t.url).post('/factory/save').set(alice.auth).send({ tournamentRecord: saved }).expect(200);
    const a = await desk(t, alice.token);
    const b = await desk(t, bob.token);
    await join(a, id);
    await join(b, id);
    return { id, a, b, round: firstRound(saved) };
  }
  const ok = async (socket: Socket, payload: Parameters<typeof sendBatch>[1]) => {
    const ack = await sendBatch(socket, payload);
    expect(ack.error, JSON.stringify(ack.error)).toBeUndefined();
    return ack;
  };

  it('refuses a second, different score of the same matchUp from an older copy, naming who changed it', async () => {
    const { id, a, b, round } = await setUp();
    await ok(a, { tournamentIds: [id], methods: [score(id, round[0])], baseVersions: { [id]: 1 } });
    const seenByAlice = record(a, 'tournamentMutation');

    const ack = await sendBatch(b, {
      tournamentIds: [id],
      methods: [score(id, round[0], WON_BY_2)],
      baseVersions: { [id]: 1 },
    });
    expect(ack.error).toMatchObject({ code: 'ERR_CONFLICT', message: expect.any(String) });
    expect(ack.error.conflicts).toEqual([
      {
        tournamentId: id,
        version: 2,
        userId: alice.user.email,
        at: expect.any(String),
        methods: ['setMatchUpStatus'],
        matchUpIds: [round[0].matchUpId],
      },
    ]);
    expect(ack.tournamentIds).toEqual([id]);
    expect((await stored(id)).version).toBe(2);
    expect(await winnerOf(id, round[0].matchUpId)).toBe(1);
    await sync(a);
    expect(seenByAlice).toEqual([]);
  });

  it('accepts other matchUps of the same draw, even one that feeds the same next-round matchUp', async () => {
    const { id, a, b, round } = await setUp();
    await ok(a, { tournamentIds: [id], methods: [score(id, round[0])], baseVersions: { [id]: 1 } });
    // Round positions 1 and 2 feed one second-round matchUp: both winners are placed in it.
    await ok(b, { tournamentIds: [id], methods: [score(id, round[1])], baseVersions: { [id]: 1 } });
    await ok(b, { tournamentIds: [id], methods: [score(id, round[2], WON_BY_2)], baseVersions: { [id]: 1 } });
    expect((await stored(id)).version).toBe(4);
    expect(await winnerOf(id, round[1].matchUpId)).toBe(1);
  });

  it('accepts the same outcome as the stored one from an older copy: no conflict', async () => {
    const { id, a, b, round } = await setUp();
    await ok(a, { tournamentIds: [id], methods: [score(id, round[0])], baseVersions: { [id]: 1 } });
    await ok(b, { tournamentIds: [id], methods: [score(id, round[0])], baseVersions: { [id]: 1 } });
    expect((await stored(id)).version).toBe(3);
  });

  it('overwrites on purpose with conflictPolicy overwrite: stored, broadcast, and the log says what it overrode', async () => {
    const { id, a, b, round } = await setUp();
    await ok(a, { tournamentIds: [id], methods: [score(id, round[0])], baseVersions: { [id]: 1 } });
    const seenByAlice = record(a, 'tournamentMutation');
    const ack = await ok(b, {
      tournamentIds: [id],
      methods: [score(id, round[0], WON_BY_2)],
      baseVersions: { [id]: 1 },
      conflictPolicy: 'overwrite',
    });
    expect(ack.versions).toEqual({ [id]: 3 });
    expect(await winnerOf(id, round[0].matchUpId)).toBe(2);
    await sync(a);
    expect(seenByAlice).toHaveLength(1);
    expect(seenByAlice[0].overrides).toEqual([2]);

    const history = await request(t.url).post('/factory/history').set(alice.auth).send({ tournamentId: id });
    const entry = history.body.entries.find((e: { version: number }) => e.version === 3);
    expect(entry).toMatchObject({ overrides: [2], userId: bob.user.email });
    expect(entry.changes).toMatchObject({ matchUpIds: [round[0].matchUpId] });
    const log = new Promise<any>((resolve) => a.once('mutationLog', resolve));
    a.emit('mutationsSince', { tournamentId: id, sinceVersion: 1 });
    expect((await log).entries.map((e: { overrides?: number[] }) => e.overrides)).toEqual([undefined, [2]]);
  });

  it('replays a 20-batch offline queue: the rest lands once and in order, conflicts are refused, a resend changes nothing', async () => {
    const { id, a, round } = await setUp(64);
    // Bob's desk was offline since version 1 and queued 20 scores; Alice meanwhile scored 5 of them differently.
    const queue = round.slice(0, 20).map((m, i) => ({
      tournamentIds: [id],
      methods: [score(id, m)],
      baseVersions: { [id]: 1 },
      ackId: `offline-${i}`,
    }));
    const contested = [2, 5, 9, 14, 17];
    for (const i of contested) await ok(a, { tournamentIds: [id], methods: [score(id, round[i], WON_BY_2)] });

    const back = await desk(t, bob.token);
    await join(back, id);
    const seenByAlice = record(a, 'tournamentMutation');
    const acks = await Promise.all(queue.map((batch) => sendBatch(back, batch)));
    const accepted = acks.filter((ack) => ack.success);
    expect(acks.filter((ack) => ack.error).map((ack) => ack.ackId)).toEqual(contested.map((i) => `offline-${i}`));
    for (const ack of acks.filter((x) => x.error)) expect(ack.error.code).toBe('ERR_CONFLICT');
    // In emit order, one version each after Alice's 5 (versions 2-6).
    expect(accepted.map((ack) => ack.versions[id])).toEqual(accepted.map((_, i) => 7 + i));
    for (const i of contested) expect(await winnerOf(id, round[i].matchUpId)).toBe(2);
    await sync(a);
    expect(seenByAlice).toHaveLength(15);

    // The whole queue again: committed ackIds answer their stored versions, conflicts stay refused.
    const again = await Promise.all(queue.map((batch) => sendBatch(back, batch)));
    expect(again.map((ack) => ack.versions?.[id])).toEqual(acks.map((ack) => ack.versions?.[id]));
    expect((await stored(id)).version).toBe(21);
    expect((await t.storage.log.since(id, 0)).map((e) => e.version)).toEqual(
      Array.from({ length: 21 }, (_, i) => i + 1),
    );
  });

  it("does not hold a desk's own earlier batches against its later ones (a correction made offline)", async () => {
    const { id, b, round } = await setUp();
    await ok(b, { tournamentIds: [id], methods: [score(id, round[0])], baseVersions: { [id]: 1 } });
    await ok(b, { tournamentIds: [id], methods: [score(id, round[0], WON_BY_2)], baseVersions: { [id]: 1 } });
    expect(await winnerOf(id, round[0].matchUpId)).toBe(2);
  });

  it('refuses a base older than the log (HISTORY_TRUNCATED) unless overwrite, and without a base behaves as before', async () => {
    const { id, a, b, round } = await setUp();
    await ok(a, { tournamentIds: [id], methods: [score(id, round[0])] });
    await ok(a, { tournamentIds: [id], methods: [score(id, round[1])] });
    // The store keeps entries after its snapshot: the snapshot catches up first, as before a prune.
    await t.app.get(MutationExecutor).snapshots.write(id);
    await t.storage.log.prune(id, 3); // entries 1 and 2 gone
    const truncated = await sendBatch(b, {
      tournamentIds: [id],
      methods: [score(id, round[3])],
      baseVersions: { [id]: 1 },
    });
    expect(truncated.error.conflicts).toEqual([
      expect.objectContaining({ tournamentId: id, reason: 'HISTORY_TRUNCATED' }),
    ]);
    await ok(b, {
      tournamentIds: [id],
      methods: [score(id, round[3])],
      baseVersions: { [id]: 1 },
      conflictPolicy: 'overwrite',
    });
    // No base: last write wins, as before.
    await ok(b, { tournamentIds: [id], methods: [score(id, round[0], WON_BY_2)] });
    expect(await winnerOf(id, round[0].matchUpId)).toBe(2);
  });

  it('refuses bad conflict fields before anything runs', async () => {
    const { id, b, round } = await setUp();
    for (const bad of [{ baseVersions: { [id]: -1 } }, { baseVersions: [1] }, { conflictPolicy: 'merge' }]) {
      const ack = await sendBatch(b, { tournamentIds: [id], methods: [score(id, round[0])], ...bad });
      expect(ack.error.code).toBe('ERR_INVALID_INPUT');
    }
    expect((await stored(id)).version).toBe(1);
  });

  it('answers the same over REST (200 with the error body), and returnResults puts results in the ack', async () => {
    const { id, a, b, round } = await setUp();
    await ok(a, { tournamentIds: [id], methods: [score(id, round[0])] });
    const rest = await request(t.url)
      .post('/factory')
      .set(bob.auth)
      .send({ tournamentIds: [id], methods: [score(id, round[0], WON_BY_2)], baseVersions: { [id]: 1 } })
      .expect(200);
    expect(rest.body.error).toMatchObject({
      code: 'ERR_CONFLICT',
      conflicts: [{ version: 2, userId: alice.user.email }],
    });

    // A server-authoritative client learns the ids the engine generated from the ack itself.
    const withResults = await ok(b, {
      tournamentIds: [id],
      methods: [{ method: 'addVenue', params: { tournamentId: id, venue: { venueName: 'Centre Courts' } } }],
      returnResults: true,
    });
    expect(withResults.results).toEqual([
      expect.objectContaining({ success: true, venue: expect.objectContaining({ venueId: expect.any(String) }) }),
    ]);
    const venueId = withResults.results[0].venue.venueId;
    const venues = (await stored(id)).record.venues as Array<{ venueId: string }>;
    expect(venues.map((venue) => venue.venueId)).toContain(venueId);
    const without = await ok(b, { tournamentIds: [id], methods: [score(id, round[1])] });
    expect(without.results).toBeUndefined();
  });
});
