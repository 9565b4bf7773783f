import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PublicEvents, type PublicChange } from '../../src/public/public-events';
import { MutationExecutor } from '../../src/tournaments/executor.service';
import { seedAccount, type TestAccount } from '../support/accounts';
import { startTestApp, type TestApp } from '../support/app';
import { addParticipantDirective, mockTournament, testProvider, testUser } from '../support/records';
import { closeSockets, connect, join, record, waitFor, type Socket } from '../support/sockets';

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
      eventIds: ['e1'],
      topics: ['eventData'],
      record: { secret: 1 },
    };
    events.emit(change as PublicChange);
    events.emit({ tournamentId: 'tournament-b', version: 3, topics: ['schedule'] });
    await waitFor(b, 'publicUpdate');
    await settle(a);
    expect(seen.a).toEqual([{ tournamentId: 'tournament-a', version: 7, eventIds: ['e1'], topics: ['eventData'] }]);
    expect(seen.b).toEqual([{ tournamentId: 'tournament-b', version: 3, topics: ['schedule'] }]);
  });

  it('stops after leaveTournament', async () => {
    const viewer = await connect(t, '/public');
    await join(viewer, 'tournament-c');
    const seen = record(viewer, 'publicUpdate');
    viewer.emit('leaveTournament', { tournamentId: 'tournament-c' });
    await settle(viewer);
    events.emit({ tournamentId: 'tournament-c', version: 2, topics: ['eventData'] });
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
});
