import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TournamentRecord } from '../../src/storage/storage.types';
import { deleteRedisPrefix, testRedisPrefix, TEST_REDIS_URL } from '../support/redis';
import { seriesOf } from '../support/metrics';
import { addParticipantDirective } from '../support/records';
import { startServer, type ServerProcess } from '../support/server-process';
import { closeSockets, desk, join, sync, waitFor, waitForCount, type Socket } from '../support/sockets';
import { health, listen, range, seedSharedStore, send, type SharedStore } from './helpers';

const DESKS = 8;
const BATCHES = 25;
const TOTAL = DESKS * BATCHES;

/** Two real server processes sharing one PostgreSQL database and one Redis (own key prefix). */
describe('two server processes on one PostgreSQL database and one Redis', () => {
  let store: SharedStore;
  let servers: ServerProcess[] = [];
  const prefix = testRedisPrefix('scale');

  beforeAll(async () => {
    store = await seedSharedStore();
    const env = { ...store.env, REDIS_URL: TEST_REDIS_URL, REDIS_KEY_PREFIX: prefix };
    servers = await Promise.all([startServer(env), startServer(env)]);
  });
  afterAll(async () => {
    closeSockets();
    await Promise.all(servers.map((server) => server.stop()));
    await store?.cleanup();
    await deleteRedisPrefix(prefix);
  });

  it('reports the Redis broadcast link on /health', async () => {
    for (const server of servers) {
      expect((await health(server.url)).body).toMatchObject({
        status: 'ok',
        storage: { provider: 'postgres', status: 'up' },
        cache: { provider: 'redis', status: 'up' },
        broadcast: { provider: 'redis', status: 'up' },
      });
    }
  });

  it('8 desks over both instances × 25 batches on one tournament: each stored once, every desk sees every other batch in version order', async () => {
    const id = store.tournamentId;
    const desks: Socket[] = [];
    for (let d = 0; d < DESKS; d++) desks.push(await desk(servers[d % 2]!, store.token, d % 4 < 2 ? 'auth' : 'header'));
    for (const socket of desks) expect(await join(socket, id)).toEqual({ tournamentId: id, version: 1 });
    const logs = desks.map((socket) => listen(socket, id));

    const sent = desks.map((socket, d) => {
      const batches = range(0, BATCHES).map((i) => ({
        ackId: `d${d}-b${i}`,
        methods: [addParticipantDirective(id, `Desk ${d} batch ${i}`)],
      }));
      // Fired all at once: every desk's batches race every other desk's, on both instances.
      for (const { ackId, methods } of batches)
        socket.emit('executionQueue', { type: 'executionQueue', payload: { tournamentIds: [id], methods, ackId } });
      return batches;
    });
    await Promise.all(desks.map((socket, d) => waitForCount(socket, 'ack', logs[d]!.acks, BATCHES, 90_000)));

    const ackedVersions: number[] = [];
    sent.forEach((batches, d) => {
      const acks = logs[d]!.acks;
      expect(acks.filter((ack) => !ack.success)).toEqual([]);
      // A desk's own batches commit in the order it sent them.
      expect(acks.map((ack) => ack.ackId)).toEqual(batches.map((batch) => batch.ackId));
      ackedVersions.push(...acks.map((ack) => ack.versions![id]!));
    });
    expect([...ackedVersions].sort((a, b) => a - b)).toEqual(range(2, TOTAL));

    await Promise.all(
      desks.map((socket, d) =>
        waitForCount(socket, 'tournamentMutation', logs[d]!.broadcasts, TOTAL - BATCHES, 30_000),
      ),
    );
    const storage = await store.open();
    try {
      const log = await storage.log.since(id, 0);
      expect(log.map((entry) => entry.version)).toEqual(range(1, TOTAL + 1));
      const byVersion = new Map(log.map((entry) => [entry.version, entry]));
      logs.forEach(({ broadcasts, stream }) => {
        const seen = broadcasts.map((b) => b.versions[id]!);
        expect(seen).toHaveLength(TOTAL - BATCHES);
        // Acks and broadcasts together, in arrival order: every version once, in version order,
        // whichever instance committed it.
        expect(stream).toEqual(range(2, TOTAL));
        for (const broadcast of broadcasts)
          expect(broadcast.methods).toEqual(byVersion.get(broadcast.versions[id]!)?.methods);
      });

      const stored = await storage.tournaments.get(id);
      expect(stored?.version).toBe(TOTAL + 1);
      // Every acknowledged participant exactly once, and nothing else added.
      const sentIds = sent
        .flat()
        .map((b) => (b.methods[0]!.params.participant as { participantId: string }).participantId);
      const storedIds = ((stored!.record as TournamentRecord).participants as Array<{ participantId: string }>).map(
        (p) => p.participantId,
      );
      const initialIds = (store.record.participants as Array<{ participantId: string }>).map((p) => p.participantId);
      expect(new Set(storedIds).size).toBe(storedIds.length);
      expect([...storedIds].sort()).toEqual([...initialIds, ...sentIds].sort());
    } finally {
      await storage.close();
    }
  }, 150_000);

  it("runs a batch ahead of the store's checks only on a copy the other instance has not moved: relayed commits tell", async () => {
    const id = await store.addTournament();
    const [a, b] = servers as [ServerProcess, ServerProcess];
    const desks = [await desk(a, store.token), await desk(b, store.token)];
    for (const socket of desks) await join(socket, id);
    const logs = desks.map((socket) => listen(socket, id));
    const before = await Promise.all(servers.map((server) => runsAhead(server.url)));
    // A alone first: after its first batch its copy is current, so its second batch runs while the
    // store answers the checks (the first may too: joining may have loaded the record already, for
    // the chat's tournament name).
    for (const name of ['A alone', 'A alone again']) {
      expect(await send(desks[0]!, id, name, [addParticipantDirective(id, name)])).toMatchObject({ success: true });
    }
    const ahead = await runsAhead(a.url);
    await waitForCount(desks[1]!, 'tournamentMutation', logs[1]!.broadcasts, 2); // B has heard of both
    expect(ahead.kept - before[0]!.kept).toBeGreaterThanOrEqual(1);
    // Then turns: each instance's batch follows the other's commit. Once that commit has come over
    // the link, the instance knows its copy is behind and checks the store before running, so no
    // run is thrown away (without the link's word, A's first turn would be).
    for (let turn = 0; turn < 6; turn++) {
      const [writer, watcher] = [1 - (turn % 2), turn % 2];
      const seen = logs[watcher]!.broadcasts.length;
      const ack = await send(desks[writer]!, id, `turn-${turn}`, [addParticipantDirective(id, `Turn ${turn}`)]);
      expect(ack).toMatchObject({ success: true, versions: { [id]: turn + 4 } });
      await waitForCount(desks[watcher]!, 'tournamentMutation', logs[watcher]!.broadcasts, seen + 1);
    }
    const after = await Promise.all(servers.map((server) => runsAhead(server.url)));
    expect(after.map((counts, i) => counts.thrown_away - before[i]!.thrown_away)).toEqual([0, 0]);
    expect(after[0]!.kept).toBe(ahead.kept);
  }, 60_000);

  it('a desk that reconnects to the other instance gets the stored answer for a resent ackId and catches up there', async () => {
    const id = store.tournamentId;
    const [a, b] = servers as [ServerProcess, ServerProcess];
    const watcher = await desk(b, store.token);
    await join(watcher, id);
    const watched = listen(watcher, id);

    let writer = await desk(a, store.token);
    const { version: joinedAt } = await join(writer, id);
    const methods = [addParticipantDirective(id, 'Sent twice')];
    const first = await send(writer, id, 'resent-ack', methods);
    expect(first).toMatchObject({ success: true, versions: { [id]: joinedAt! + 1 } });
    await waitForCount(watcher, 'tournamentMutation', watched.broadcasts, 1);

    // The connection drops before the desk saw the ack; it reconnects, to the other instance this time.
    writer.disconnect();
    writer = await desk(b, store.token);
    await join(writer, id);
    const again = await send(writer, id, 'resent-ack', methods);
    expect(again).toEqual({ ackId: 'resent-ack', success: true, versions: { [id]: joinedAt! + 1 } });
    await sync(watcher);
    expect(watched.broadcasts).toHaveLength(1); // nothing ran, so nothing was broadcast again

    const caughtUp = waitFor(writer, 'mutationLog');
    writer.emit('mutationsSince', { tournamentId: id, sinceVersion: 1 });
    const answer = await caughtUp;
    const storage = await store.open();
    try {
      const stored = await storage.tournaments.get(id);
      expect(stored?.version).toBe(joinedAt! + 1);
      const names = (stored!.record.participants as Array<{ participantName?: string }>).map((p) => p.participantName);
      expect(names.filter((name) => name === 'Sent twice')).toHaveLength(1);
      const log = await storage.log.since(id, 1);
      expect(answer).toMatchObject({ tournamentId: id, version: stored!.version });
      expect(answer.entries.map((e: { version: number }) => e.version)).toEqual(range(2, stored!.version - 1));
      expect(answer.entries.map((e: { methods: unknown }) => e.methods)).toEqual(log.map((entry) => entry.methods));
    } finally {
      await storage.close();
    }
  }, 60_000);
});

/** `cfs_batch_runs_ahead_total` of a server, by outcome. */
async function runsAhead(url: string): Promise<{ kept: number; thrown_away: number }> {
  const series = seriesOf(await (await fetch(`${url}/metrics`)).text());
  const count = (outcome: string) => series.get(`cfs_batch_runs_ahead_total{outcome="${outcome}"}`) ?? 0;
  return { kept: count('kept'), thrown_away: count('thrown_away') };
}
