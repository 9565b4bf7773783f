import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config';
import { PostgresStorage } from '../../src/storage/postgres/postgres.storage';
import { MutationExecutor } from '../../src/tournaments/executor.service';
import { seedAccount, type TestAccount } from '../support/accounts';
import { listenApp, TEST_JWT_SECRET, type TestApp } from '../support/app';
import { createTestDatabase, type TestDatabase } from '../support/postgres';
import { mockTournament, testProvider, testUser, type TestProvider } from '../support/records';
import { deleteRedisPrefix, TEST_REDIS_URL, testRedisPrefix } from '../support/redis';
import { closeSockets, desk, join, record, sync, waitFor, waitForCount, type Socket } from '../support/sockets';
import { chatAccepted, joinWithHistory, tmxChat, type ChatWire } from './helpers';

const local = { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test', poolMax: 4 };

/** Two apps in one process on one PostgreSQL database and one Redis (own key prefix): two instances to the server. */
describe('chat across two instances on one PostgreSQL database and one Redis', () => {
  const prefix = testRedisPrefix('chat');
  const provider = testProvider();
  const other = testProvider();
  let db: TestDatabase;
  let a: TestApp;
  let b: TestApp;
  let deskUser: TestAccount;
  let otherUser: TestAccount;
  let superUser: TestAccount;

  beforeAll(async () => {
    db = await createTestDatabase('cfs_chat');
    const config = loadConfig({
      ...{ NODE_ENV: 'test', LOG_LEVEL: 'silent', JWT_SECRET: TEST_JWT_SECRET },
      ...{ STORAGE_PROVIDER: 'postgres', DATABASE_URL: db.url, REDIS_URL: TEST_REDIS_URL, REDIS_KEY_PREFIX: prefix },
    });
    [a, b] = [await listenApp(config), await listenApp(config)];
    deskUser = await seedAccount(a, { provider });
    otherUser = await seedAccount(a, { provider: other });
    superUser = await seedAccount(a, { roles: ['superadmin'] });
  });
  afterAll(async () => {
    closeSockets();
    await a?.close();
    await b?.close();
    await db?.drop();
    await deleteRedisPrefix(prefix);
  });

  async function saved(owner: TestProvider = provider): Promise<string> {
    const tournament = mockTournament(owner);
    const result = await a.app
      .get(MutationExecutor)
      .save({ records: [structuredClone(tournament)], user: testUser(owner) });
    expect(result).toMatchObject({ success: true });
    return tournament.tournamentId;
  }

  it('relays messages, the monitor feed and presence between instances, to the owning provider only', async () => {
    const id = await saved();
    const otherId = await saved(other);
    const onA = await desk(a, deskUser.token);
    const onB = await desk(b, deskUser.token, 'header');
    const strangerOnB = await desk(b, otherUser.token);
    const monitorOnB = await desk(b, superUser.token);
    const history = waitFor(monitorOnB, 'adminChatHistory');
    monitorOnB.emit('joinChatMonitor', {});
    await history;
    await join(strangerOnB, otherId);

    const one = waitFor(onA, 'roomPresence', (p: { count: number }) => p.count === 1);
    await joinWithHistory(onA, id);
    await one;
    // The count is of the whole room, over both instances.
    const twoOnA = waitFor(onA, 'roomPresence', (p: { tournamentId: string; count: number }) => p.count === 2);
    await joinWithHistory(onB, id);
    expect(await twoOnA).toEqual({ tournamentId: id, count: 2 });

    const strangerSaw = record(strangerOnB, 'chatMessage');
    const atB = waitFor<ChatWire>(onB, 'chatMessage');
    const fed = waitFor(monitorOnB, 'adminChatFeed');
    const accepted = waitFor(onA, 'chatAccepted');
    const { clientMsgId } = tmxChat(onA, deskUser, id, 'from instance A', provider);
    const ack = await accepted;
    expect(await atB).toEqual({
      seq: ack.seq,
      tournamentId: id,
      userName: deskUser.user.email,
      message: 'from instance A',
      timestamp: ack.timestamp,
      isAdmin: false,
      clientMsgId,
    });
    expect(await fed).toMatchObject({ seq: ack.seq, providerId: provider.organisationId, tournamentName: 'Test Open' });

    const atA = waitFor<ChatWire>(onA, 'chatMessage');
    const back = await chatAccepted(onB, deskUser, id, 'from instance B');
    expect(await atA).toMatchObject({ seq: back.seq, message: 'from instance B' });
    expect(back.seq).toBeGreaterThan(ack.seq);

    const oneAgain = waitFor(onA, 'roomPresence', (p: { count: number }) => p.count === 1);
    onB.disconnect();
    await oneAgain;

    await sync(strangerOnB);
    expect(strangerSaw).toEqual([]);
  });

  it('gives unique, per-tournament increasing seqs when desks on both instances send at once, and each desk sees every other message', async () => {
    const id = await saved();
    const desks: Socket[] = [];
    for (let i = 0; i < 4; i++) desks.push(await desk(i % 2 ? b : a, deskUser.token));
    for (const socket of desks) await join(socket, id);
    const seen = desks.map((socket) => record<ChatWire>(socket, 'chatMessage'));
    const acks = await Promise.all(
      desks.flatMap((socket, d) =>
        Array.from({ length: 5 }, (_, i) => chatAccepted(socket, deskUser, id, `desk ${d} message ${i}`)),
      ),
    );
    const seqs = acks.map((ack) => ack.seq);
    expect(new Set(seqs).size).toBe(20);
    await Promise.all(desks.map((socket, d) => waitForCount(socket, 'chatMessage', seen[d]!, 15)));
    for (const [d, list] of seen.entries()) {
      const expected = acks.filter((_, i) => Math.floor(i / 5) !== d).map((ack) => ack.seq);
      expect(list.map((m) => m.seq).sort((x, y) => x - y)).toEqual(expected.sort((x, y) => x - y));
    }
    const history = await joinWithHistory(await desk(b, deskUser.token), id);
    expect(history.messages.map((m) => m.seq)).toEqual([...seqs].sort((x, y) => x - y));
  });

  it('hands out distinct seqs to several stores writing one tournament at once', async () => {
    const stores = await Promise.all(
      [0, 1, 2].map(async () => {
        const store = new PostgresStorage({ ...local, connectionString: db.url });
        await store.open();
        return store;
      }),
    );
    try {
      const id = `race-${Date.now()}`;
      const written = await Promise.all(
        stores.flatMap((store, s) =>
          Array.from({ length: 10 }, (_, i) =>
            store.chat.append({
              tournamentId: id,
              userName: 'x',
              message: `${s}-${i}`,
              isAdmin: false,
              timestamp: Date.now(),
            }),
          ),
        ),
      );
      expect(new Set(written.map((m) => m.seq)).size).toBe(30);
      const listed = await stores[0]!.chat.list({ tournamentId: id, since: 0, limit: 100, take: 'oldest' });
      expect(listed.map((m) => m.seq)).toEqual(written.map((m) => m.seq).sort((x, y) => x - y));
    } finally {
      await Promise.all(stores.map((store) => store.close()));
    }
  });
});
