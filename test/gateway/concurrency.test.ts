import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDirectives } from '../../src/engine/run-directives';
import type { Directive, TournamentRecord } from '../../src/storage/storage.types';
import { MutationExecutor } from '../../src/tournaments/executor.service';
import { seedAccount, type TestAccount } from '../support/accounts';
import { BACKENDS, startTestApp, type TestApp } from '../support/app';
import { addParticipantDirective, mockTournament, participantNames, testProvider, testUser } from '../support/records';
import { closeSockets, desk, join, record, waitFor, waitForCount, type Socket } from '../support/sockets';

interface Broadcast {
  methods: Directive[];
  tournamentIds: string[];
  userId: string;
  versions: Record<string, number>;
}

/** Applies directives to a copy of a record, as a desk does with what it receives. */
function replay(record: TournamentRecord, batches: Directive[][]): TournamentRecord {
  const copy = structuredClone(record);
  for (const methods of batches) {
    const outcome = runDirectives({ [copy.tournamentId]: copy }, structuredClone(methods));
    expect(outcome.success).toBe(true);
  }
  return copy;
}

/** Without the engine's stamp of its last run and the server's `updatedAt` of the fetched version. */
function withoutEngineStamp(record: TournamentRecord): TournamentRecord {
  const { factory, updatedAt: _updatedAt, ...rest } = record as TournamentRecord & { factory?: { timeStamp?: number } };
  return { ...rest, factory: { ...factory, timeStamp: 0 } } as TournamentRecord;
}

describe.each(BACKENDS)('/tmx under concurrency on %s', (backend) => {
  let t: TestApp;
  const provider = testProvider();
  let account: TestAccount;

  beforeAll(async () => {
    t = await startTestApp(backend);
    account = await seedAccount(t, { provider });
  });
  afterAll(async () => {
    closeSockets();
    await t?.close();
  });

  async function saved(): Promise<TournamentRecord> {
    const tournament = mockTournament(provider);
    await t.app.get(MutationExecutor).save({ records: [structuredClone(tournament)], user: testUser(provider) });
    return tournament;
  }

  async function stored(id: string) {
    const res = await request(t.url).post('/factory/fetch').set(account.auth).send({ tournamentId: id }).expect(200);
    return { record: res.body.tournamentRecords[id] as TournamentRecord, version: res.body.versions[id] as number };
  }

  it('8 desks × 25 batches on one tournament: every desk sees every other desk’s batches in commit order', async () => {
    const DESKS = 8;
    const BATCHES = 25;
    const TOTAL = DESKS * BATCHES;
    const initial = await saved();
    const id = initial.tournamentId;
    const desks: Socket[] = [];
    for (let d = 0; d < DESKS; d++) desks.push(await desk(t, account.token, d % 2 ? 'header' : 'auth'));
    for (const socket of desks) await join(socket, id);
    const received = desks.map((socket) => record<Broadcast>(socket, 'tournamentMutation'));
    // Each desk's acks and broadcasts together, in arrival order.
    const streams = desks.map((socket) => {
      const versions: number[] = [];
      socket.on('ack', (a: { versions?: Record<string, number> }) => versions.push(a.versions?.[id] ?? -1));
      socket.on('tournamentMutation', (b: Broadcast) => versions.push(b.versions[id]));
      return versions;
    });

    const sent = desks.map((socket, d) => {
      const acks = record<{ ackId: string; success?: true; versions: Record<string, number> }>(socket, 'ack');
      const batches = Array.from({ length: BATCHES }, (_, i) => ({
        ackId: `d${d}-b${i}`,
        methods: [addParticipantDirective(id, `Desk ${d} batch ${i}`)],
      }));
      // Fired all at once: the desk's batches race every other desk's.
      for (const batch of batches)
        socket.emit('executionQueue', { type: 'executionQueue', payload: { ...batch, tournamentIds: [id] } });
      return { acks, batches };
    });
    await Promise.all(desks.map((socket, d) => waitForCount(socket, 'ack', sent[d].acks, BATCHES, 30_000)));

    const allVersions: number[] = [];
    for (const { acks, batches } of sent) {
      expect(acks.every((a) => a.success)).toBe(true);
      // A desk's own batches commit in the order it sent them.
      expect(acks.map((a) => a.ackId)).toEqual(batches.map((b) => b.ackId));
      const versions = acks.map((a) => a.versions[id]);
      expect([...versions].sort((x, y) => x - y)).toEqual(versions);
      allVersions.push(...versions);
    }
    expect(allVersions.sort((x, y) => x - y)).toEqual(Array.from({ length: TOTAL }, (_, i) => i + 2));

    await Promise.all(
      desks.map((socket, d) => waitForCount(socket, 'tournamentMutation', received[d], TOTAL - BATCHES, 30_000)),
    );
    const log = await t.storage.log.since(id, 0);
    const byVersion = new Map(log.map((entry) => [entry.version, entry]));
    sent.forEach(({ acks }, d) => {
      const own = new Set(acks.map((a) => a.versions[id]));
      const seen = received[d].map((b) => b.versions[id]);
      expect(seen).toHaveLength(TOTAL - BATCHES);
      // Commit order, no gaps once the desk's own versions are added back, never its own batches.
      expect([...seen].sort((x, y) => x - y)).toEqual(seen);
      expect(seen.some((v) => own.has(v))).toBe(false);
      expect([...seen, ...own].sort((x, y) => x - y)).toEqual(Array.from({ length: TOTAL }, (_, i) => i + 2));
      for (const broadcast of received[d]) {
        expect(broadcast.methods).toEqual(byVersion.get(broadcast.versions[id])?.methods);
      }
    });

    // Acks are sent at commit, so a desk's whole stream is in version order: 2, 3, ... 201.
    for (const stream of streams) expect(stream).toEqual(Array.from({ length: TOTAL }, (_, i) => i + 2));

    const { record: final, version } = await stored(id);
    expect(version).toBe(TOTAL + 1);
    expect(log.map((e) => e.version)).toEqual(Array.from({ length: TOTAL + 1 }, (_, i) => i + 1));
    expect(participantNames(final).filter((n) => n.startsWith('Desk ')).length).toBe(TOTAL);
    const rebuilt = replay(
      initial,
      log.filter((e) => e.kind === 'mutation').map((e) => e.methods),
    );
    expect(rebuilt.participants).toEqual(final.participants);
  });

  it('a desk that missed broadcasts catches up with mutationsSince and ends identical to the server', async () => {
    const initial = await saved();
    const id = initial.tournamentId;
    const writer = await desk(t, account.token);
    await join(writer, id);
    let late = await desk(t, account.token, 'header');
    await join(late, id);
    const local = await stored(id);
    late.disconnect();

    const send = (name: string) =>
      new Promise((resolve) => {
        const ackId = `w-${name}`;
        waitFor(writer, 'ack', (a: { ackId: string }) => a.ackId === ackId).then(resolve);
        writer.emit('executionQueue', {
          type: 'executionQueue',
          payload: { tournamentIds: [id], ackId, methods: [addParticipantDirective(id, name)] },
        });
      });
    for (let i = 0; i < 10; i++) await send(`Missed ${i}`);

    // Back online: join first (so nothing after the answer is lost), then ask for what was missed
    // while the writer keeps going.
    late = await desk(t, account.token, 'header');
    const live = record<Broadcast>(late, 'tournamentMutation');
    await join(late, id);
    const logAnswer = waitFor(late, 'mutationLog');
    late.emit('mutationsSince', { tournamentId: id, sinceVersion: local.version });
    const more = Array.from({ length: 5 }, (_, i) => send(`Live ${i}`));
    const log = await logAnswer;
    await Promise.all(more);
    const finalVersion = local.version + 15;
    const reached = () => log.version === finalVersion || live.some((b) => b.versions[id] === finalVersion);
    if (!reached()) await waitFor(late, 'tournamentMutation', reached);

    expect(log.entries.length).toBeGreaterThanOrEqual(10);
    const batches = [
      ...log.entries.map((e: { methods: Directive[] }) => e.methods),
      ...live.filter((b) => b.versions[id] > log.version).map((b) => b.methods),
    ];
    const caughtUp = replay(local.record, batches);
    expect(local.version + batches.length).toBe(finalVersion);
    const server = await stored(id);
    expect(server.version).toBe(finalVersion);
    // Identical but for the engine's wall-clock stamp of its last run.
    expect(withoutEngineStamp(caughtUp)).toEqual(withoutEngineStamp(server.record));
  });
});
