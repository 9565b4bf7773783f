import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MutationExecutor } from '../../src/tournaments/executor.service';
import { seedAccount, type TestAccount } from '../support/accounts';
import { BACKENDS, startTestApp, type TestApp } from '../support/app';
import { addParticipantDirective, mockTournament, testProvider, testUser, type TestProvider } from '../support/records';
import {
  closeSockets,
  desk,
  handshakeTransport,
  join,
  record,
  sendBatch,
  sync,
  upgraded,
  waitFor,
} from '../support/sockets';

describe.each(BACKENDS)('/tmx desks on %s', (backend) => {
  let t: TestApp;
  const provider = testProvider();
  const other = testProvider();
  let deskUser: TestAccount;
  let otherUser: TestAccount;

  beforeAll(async () => {
    t = await startTestApp(backend);
    deskUser = await seedAccount(t, { provider });
    otherUser = await seedAccount(t, { provider: other });
  });
  afterAll(async () => {
    closeSockets();
    await t?.close();
  });

  async function saved(owner: TestProvider = provider) {
    const tournament = mockTournament(owner);
    const result = await t.app
      .get(MutationExecutor)
      .save({ records: [structuredClone(tournament)], user: testUser(owner) });
    expect(result).toMatchObject({ success: true });
    return tournament.tournamentId;
  }

  it('connects with the token in auth.token and as a polling extra header, polling first then websocket', async () => {
    for (const way of ['auth', 'header'] as const) {
      const socket = await desk(t, deskUser.token, way);
      expect(handshakeTransport(socket)).toBe('polling');
      expect(await upgraded(socket)).toBe('websocket');
      // The token was read from the handshake: a join (which needs it) is accepted.
      const id = await saved();
      expect(await join(socket, id)).toEqual({ tournamentId: id, version: 1 });
      socket.disconnect();
    }
  });

  it('acks a batch to the sender and broadcasts it exactly once to the other desk of the provider only', async () => {
    const id = await saved();
    const otherId = await saved(other);
    const a = await desk(t, deskUser.token, 'auth');
    const b = await desk(t, deskUser.token, 'header');
    const stranger = await desk(t, otherUser.token);
    await join(a, id);
    await join(b, id);
    const refused = waitFor(stranger, 'exception');
    stranger.emit('joinTournament', { tournamentId: id });
    expect(await refused).toMatchObject({ code: 'ERR_FORBIDDEN', event: 'joinTournament', tournamentId: id });
    await join(stranger, otherId);
    const seen = {
      a: record(a, 'tournamentMutation'),
      b: record(b, 'tournamentMutation'),
      s: record(stranger, 'tournamentMutation'),
    };

    const directive = addParticipantDirective(id, 'Desk A');
    const ack = await sendBatch(a, { tournamentIds: [id], methods: [directive], ackId: 'batch-1' });
    expect(ack).toEqual({ ackId: 'batch-1', success: true, versions: { [id]: 2 } });

    await Promise.all([sync(a), sync(b), sync(stranger)]);
    expect(seen.a).toEqual([]);
    expect(seen.s).toEqual([]);
    expect(seen.b).toHaveLength(1);
    expect(seen.b[0]).toEqual({
      methods: [directive],
      tournamentIds: [id],
      userId: deskUser.user.email,
      timestamp: expect.any(Number),
      seed: expect.any(Number),
      at: expect.any(String),
      versions: { [id]: 2 },
    });
  });

  it('sends a batch over two tournaments once to a desk in both rooms', async () => {
    const [first, second] = [await saved(), await saved()];
    const a = await desk(t, deskUser.token);
    const b = await desk(t, deskUser.token);
    for (const id of [first, second]) {
      await join(a, id);
      await join(b, id);
    }
    const seen = record(b, 'tournamentMutation');
    const methods = [addParticipantDirective(first, 'One'), addParticipantDirective(second, 'Two')];
    const ack = await sendBatch(a, { tournamentIds: [first, second], methods });
    expect(ack).toMatchObject({ success: true, versions: { [first]: 2, [second]: 2 } });
    await sync(b);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ methods, versions: { [first]: 2, [second]: 2 } });
  });

  it('broadcasts REST mutations to every desk in the room, and nothing to desks of another provider', async () => {
    const id = await saved();
    const a = await desk(t, deskUser.token);
    const b = await desk(t, deskUser.token);
    const stranger = await desk(t, otherUser.token);
    await join(a, id);
    await join(b, id);
    // Joined before the stranger was refused: an earlier id of its own provider must not leak either.
    const seen = [
      record(a, 'tournamentMutation'),
      record(b, 'tournamentMutation'),
      record(stranger, 'tournamentMutation'),
    ];
    const directive = addParticipantDirective(id, 'Over REST');
    const res = await request(t.url)
      .post('/factory')
      .set(deskUser.auth)
      .send({ tournamentIds: [id], methods: [directive] });
    expect(res.body).toMatchObject({ success: true, versions: { [id]: 2 } });
    await Promise.all([sync(a), sync(b), sync(stranger)]);
    for (const list of seen.slice(0, 2)) {
      expect(list).toEqual([expect.objectContaining({ methods: [directive], versions: { [id]: 2 } })]);
    }
    expect(seen[2]).toEqual([]);
  });

  it('tells desks to re-fetch after a whole-record save, and announces a removal', async () => {
    const id = await saved();
    const a = await desk(t, deskUser.token);
    await join(a, id);
    const mutations = record(a, 'tournamentMutation');
    const savedEvent = waitFor(a, 'tournamentSaved');
    const res = await request(t.url)
      .post('/factory/save')
      .set(deskUser.auth)
      .send({ tournamentRecord: { ...mockTournament(provider), tournamentId: id } });
    expect(res.body).toMatchObject({ success: true, versions: { [id]: 2 } });
    expect(await savedEvent).toEqual({
      tournamentIds: [id],
      userId: deskUser.user.email,
      timestamp: expect.any(Number),
      versions: { [id]: 2 },
    });

    const removedEvent = waitFor(a, 'tournamentRemoved');
    const admin = await seedAccount(t, { provider, permissions: ['deleteTournament'] });
    await request(t.url).post('/factory/remove').set(admin.auth).send({ tournamentId: id }).expect(200);
    expect(await removedEvent).toEqual({
      tournamentIds: [id],
      userId: admin.user.email,
      timestamp: expect.any(Number),
    });
    // A save or removal is never disguised as a replayable batch.
    expect(mutations).toEqual([]);
  });

  it('keeps a desk that joined before the tournament existed out of another provider’s tournament of that id', async () => {
    const squatter = await desk(t, otherUser.token);
    const tournament = mockTournament(provider);
    const id = tournament.tournamentId;
    expect(await join(squatter, id)).toEqual({ tournamentId: id });
    const seen = [...record(squatter, 'tournamentSaved'), ...record(squatter, 'tournamentMutation')];
    await t.app.get(MutationExecutor).save({ records: [structuredClone(tournament)], user: testUser(provider) });
    const owner = await desk(t, deskUser.token);
    await join(owner, id);
    await request(t.url)
      .post('/factory')
      .set(deskUser.auth)
      .send({ tournamentIds: [id], methods: [addParticipantDirective(id, 'Private')] })
      .expect(200);
    await sync(squatter);
    expect(seen).toEqual([]);
  });
});
