import request from 'supertest';
import { mocksEngine } from 'tods-competition-factory';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PublicCommits } from '../../src/public/public-commits';
import { PublicEvents, type PublicChange } from '../../src/public/public-events';
import type { TournamentRecord } from '../../src/storage/storage.types';
import { MutationExecutor } from '../../src/tournaments/executor.service';
import { seedAccount, type TestAccount } from '../support/accounts';
import { startTestApp, type TestApp } from '../support/app';
import { addParticipantDirective, mockTournament, testProvider, testUser } from '../support/records';
import {
  closeSockets,
  connect,
  desk,
  join,
  record,
  sendBatch,
  waitFor,
  waitForCount,
  type Socket,
} from '../support/sockets';

/** A round trip on /public (which has no timestamp event): a join answers after all earlier emits. */
async function settle(viewer: Socket): Promise<void> {
  await join(viewer, `settle-${Math.random()}`);
}

describe('/public viewers', () => {
  let t: TestApp;
  let events: PublicEvents;
  const provider = testProvider();
  let account: TestAccount;

  beforeAll(async () => {
    t = await startTestApp('leveldb');
    events = t.app.get(PublicEvents);
    account = await seedAccount(t, { provider });
  });
  afterAll(async () => {
    closeSockets();
    await t?.close();
  });

  it('forwards a public change to the viewers of that tournament only, with the announced fields only', async () => {
    const [a, b] = [await connect(t, '/public'), await connect(t, '/public')];
    expect(await join(a, 'tournament-a')).toEqual({ tournamentId: 'tournament-a' });
    await join(b, 'tournament-b');
    const seen = { a: record(a, 'publicUpdate'), b: record(b, 'publicUpdate') };

    const change = {
      tournamentId: 'tournament-a',
      version: 7,
      type: 'tournamentUpdate',
      eventIds: ['e1'],
      topics: ['eventData'],
      record: { secret: 1 },
    };
    events.emit(change as PublicChange);
    events.emit({ tournamentId: 'tournament-b', version: 3, type: 'tournamentUpdate', topics: ['schedule'] });
    await waitFor(b, 'publicUpdate');
    await settle(a);
    expect(seen.a).toEqual([
      { tournamentId: 'tournament-a', version: 7, type: 'tournamentUpdate', eventIds: ['e1'], topics: ['eventData'] },
    ]);
    expect(seen.b).toEqual([
      { tournamentId: 'tournament-b', version: 3, type: 'tournamentUpdate', topics: ['schedule'] },
    ]);
  });

  it('stops after leaveTournament', async () => {
    const viewer = await connect(t, '/public');
    await join(viewer, 'tournament-c');
    const seen = record(viewer, 'publicUpdate');
    viewer.emit('leaveTournament', { tournamentId: 'tournament-c' });
    await settle(viewer);
    events.emit({ tournamentId: 'tournament-c', version: 2, type: 'tournamentUpdate', topics: ['eventData'] });
    await settle(viewer);
    expect(seen).toEqual([]);
  });

  it('refuses a malformed join, and never carries desk traffic', async () => {
    const viewer = await connect(t, '/public');
    const refused = waitFor(viewer, 'exception');
    viewer.emit('joinTournament', { tournamentId: { $ne: 1 } });
    expect(await refused).toMatchObject({ code: 'ERR_INVALID_INPUT', event: 'joinTournament' });

    const tournament = mockTournament(provider);
    const id = tournament.tournamentId;
    await t.app.get(MutationExecutor).save({ records: [structuredClone(tournament)], user: testUser(provider) });
    await join(viewer, id);
    const desks = [record(viewer, 'tournamentMutation'), record(viewer, 'tournamentSaved')];
    await request(t.url)
      .post('/factory')
      .set(account.auth)
      .send({ tournamentIds: [id], methods: [addParticipantDirective(id, 'Not for viewers')] })
      .expect(200);
    await settle(viewer);
    expect(desks).toEqual([[], []]);
  });

  describe('end to end with the public module deciding', () => {
    type Event = {
      eventId: string;
      drawDefinitions: Array<{ drawId: string; structures: Array<{ matchUps: any[] }> }>;
    };

    /** Two events of one 8-draw each; nothing published. */
    function twoEvents(): { record: TournamentRecord; events: Event[] } {
      const { tournamentRecord } = mocksEngine.generateTournamentRecord({
        drawProfiles: [{ drawSize: 8 }, { drawSize: 8, uniqueParticipants: true }],
        startDate: '2026-12-01',
        endDate: '2026-12-07',
      }) as { tournamentRecord: TournamentRecord };
      tournamentRecord.parentOrganisation = { ...provider };
      return { record: tournamentRecord, events: tournamentRecord.events as Event[] };
    }

    /** A straight-sets result for the `nth` first-round matchUp of the event's draw. */
    function score(tournamentId: string, event: Event, nth = 0) {
      const draw = event.drawDefinitions[0];
      const matchUp = draw.structures[0].matchUps.filter((m: { roundNumber: number }) => m.roundNumber === 1)[nth];
      const { outcome } = mocksEngine.generateOutcomeFromScoreString({ scoreString: '6-3 6-4', winningSide: 1 }) as {
        outcome: unknown;
      };
      return {
        method: 'setMatchUpStatus',
        params: { tournamentId, drawId: draw.drawId, matchUpId: matchUp.matchUpId, outcome },
      };
    }

    /** Sends a batch from a desk and waits until the public module has handled its commit. */
    async function run(socket: Socket, tournamentId: string, methods: unknown[]) {
      const ack = await sendBatch(socket, { tournamentIds: [tournamentId], methods });
      expect(ack.success).toBe(true);
      await t.app.get(PublicCommits).settled();
      return ack.versions[tournamentId] as number;
    }

    it('sends viewers publicUpdate after a published result, and nothing for unpublished changes', async () => {
      const {
        record: tournament,
        events: [published, hidden],
      } = twoEvents();
      const id = tournament.tournamentId;
      await t.app.get(MutationExecutor).save({ records: [structuredClone(tournament)], user: testUser(provider) });
      const deskSocket = await desk(t, account.token);
      const viewer = await connect(t, '/public');
      await join(viewer, id);
      const updates = record<PublicChange>(viewer, 'publicUpdate');

      // Unpublished tournament: a result changes nothing the public sees.
      await run(deskSocket, id, [score(id, published)]);
      await settle(viewer);
      expect(updates).toEqual([]);

      const publishedAt = await run(deskSocket, id, [
        { method: 'publishEvent', params: { tournamentId: id, eventId: published.eventId } },
      ]);
      await waitForCount(viewer, 'publicUpdate', updates, 1);
      expect(updates).toEqual([
        expect.objectContaining({ tournamentId: id, version: publishedAt, eventIds: [published.eventId] }),
      ]);

      const resultAt = await run(deskSocket, id, [score(id, published, 1)]);
      await settle(viewer);
      expect(updates).toHaveLength(2);
      expect(updates[1]).toMatchObject({
        tournamentId: id,
        version: resultAt,
        type: 'matchUpUpdate',
        eventIds: [published.eventId],
        topics: expect.arrayContaining(['eventData']),
      });
      // The result itself, never the directive that made it.
      expect(JSON.stringify(updates)).not.toMatch(/setMatchUpStatus|outcome|participantName|person/i);

      // A result in the event that is still unpublished: nothing.
      await run(deskSocket, id, [score(id, hidden)]);
      await settle(viewer);
      expect(updates).toHaveLength(2);
    });
  });
});
