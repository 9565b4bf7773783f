import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { openStorage } from '../../src/storage/create-storage';
import type { TournamentWrite } from '../../src/storage/storage.types';
import { snapshotStats } from '../../src/tournaments/snapshots';
import { BACKENDS } from '../support/app';
import { executorHarness, type ExecutorHarness } from '../support/executor';
import { mockTournament, testProvider, testUser } from '../support/records';

const provider = testProvider();
const user = testUser(provider);

/** A participant without an id: the engine makes one up with Math.random, which replay must repeat. */
const addPlayer = (tournamentId: string, name: string) => ({
  method: 'addParticipant',
  params: {
    tournamentId,
    participant: {
      participantType: 'INDIVIDUAL',
      participantRole: 'COMPETITOR',
      person: { standardFamilyName: name, standardGivenName: 'Test' },
    },
  },
});

const rename = (tournamentId: string, tournamentName: string) => ({
  method: 'setTournamentName',
  params: { tournamentId, tournamentName },
});

async function until(check: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe.each(BACKENDS)('log-first commits (%s)', (backend) => {
  let h: ExecutorHarness;
  afterEach(() => h?.cleanup());

  async function saved(): Promise<string> {
    const record = mockTournament(provider, 16);
    expect(await h.executor.save({ records: [record], user })).toMatchObject({ success: true });
    return record.tournamentId;
  }

  async function run(id: string, methods: unknown[]): Promise<number> {
    const result = await h.executor.execute({ tournamentIds: [id], methods, user });
    if (!('success' in result)) throw new Error(JSON.stringify(result.error));
    return result.versions[id];
  }

  // The held record's own text (the `json` read adds the commit time for desks).
  const live = async (id: string) =>
    (await h.executor.read<{ json: string }>(id, { op: 'serialise', above: -1 }))!.value.json;

  it('stores only the log entry of a batch, and a new process rebuilds the same record by replay', async () => {
    h = await executorHarness(backend, { SNAPSHOT_IDLE_MS: '600000' });
    const id = await saved();
    for (let i = 0; i < 5; i++) await run(id, [addPlayer(id, `Replayed ${i}`)]);
    const expected = await live(id);

    const entries = await h.storage.log.since(id, 1);
    expect(entries).toHaveLength(5);
    for (const entry of entries) expect(entry).toMatchObject({ seed: expect.any(Number), engine: expect.any(String) });

    // Another store instance (a restart, or another server) has only the snapshot and the log.
    const other = backend === 'leveldb' ? undefined : await openStorage(h.config);
    if (!other) await h.storage.close();
    const reader = other ?? (await openStorage(h.config));
    try {
      const stored = await reader.tournaments.get(id);
      expect(stored).toMatchObject({ version: 6, snapshotVersion: 1 });
      expect(JSON.stringify(stored!.record)).toBe(expected);
    } finally {
      await reader.close();
    }
    if (!other) h.storage = await openStorage(h.config); // for cleanup
  });

  it('writes a snapshot off the ack path once the replay budget is spent, and at shutdown', async () => {
    h = await executorHarness(backend, { SNAPSHOT_REPLAY_BUDGET_MS: '1', SNAPSHOT_IDLE_MS: '600000' });
    const id = await saved();
    const stored = async () => (await h.storage.tournaments.get(id))!;
    // About a millisecond of engine time each: ten of them spend a budget of one.
    for (let i = 0; i < 10; i++) await run(id, [addPlayer(id, `Budget ${i}`)]);
    await until(async () => (await stored()).snapshotVersion! > 1);
    expect(JSON.stringify((await stored()).record)).toBe(await live(id));

    h.executor.snapshots['options'].replayBudgetMs = 60_000;
    const version = await run(id, [addPlayer(id, 'Before shutdown')]);
    expect((await stored()).snapshotVersion).toBeLessThan(version);
    await h.executor.flushSnapshots();
    expect(await stored()).toMatchObject({ version, snapshotVersion: version });
  });

  it('writes budget snapshots while batches keep coming on the same worker, not only when it falls quiet', async () => {
    h = await executorHarness(backend, {
      ...{ ENGINE_WORKERS: '1', SNAPSHOT_REPLAY_BUDGET_MS: '30', SNAPSHOT_IDLE_MS: '600000' },
    });
    const ids = await Promise.all(Array.from({ length: 8 }, () => saved()));
    const { written } = snapshotStats;
    let stop = false;
    // Eight desks back to back on one worker: while it runs one batch, the others' are queued, so
    // its queue of batches never runs dry.
    const batch = (id: string, i: number) => Array.from({ length: 100 }, (_, j) => addPlayer(id, `Busy ${i}.${j}`));
    const desks = ids.map(async (id) => {
      for (let i = 0; !stop; i++) await run(id, batch(id, i));
    });
    try {
      await until(async () => snapshotStats.written > written, 10_000);
    } finally {
      stop = true;
      await Promise.all(desks);
      await h.executor.flushSnapshots(); // the last budget snapshots, before the store closes
    }
  });

  it('checks an idle tournament by replaying its log, then stores its snapshot', async () => {
    // Only the idle check may write: on a loaded machine two small batches can pass the replay
    // budget (engine time is wall time), and that snapshot, written unchecked, leaves the idle
    // check nothing newer to verify. Seen once in a full run on PostgreSQL.
    h = await executorHarness(backend, { SNAPSHOT_IDLE_MS: '150', SNAPSHOT_REPLAY_BUDGET_MS: '600000' });
    const id = await saved();
    const { verified, mismatches } = snapshotStats;
    await run(id, [addPlayer(id, 'Idle 1')]);
    const version = await run(id, [addPlayer(id, 'Idle 2')]);
    expect(h.executor.snapshots.idleChecksPending).toBe(1);
    await until(async () => (await h.storage.tournaments.get(id))?.snapshotVersion === version);
    expect(snapshotStats.verified).toBeGreaterThan(verified);
    expect(snapshotStats.mismatches).toBe(mismatches);
    expect(h.executor.snapshots.idleChecksPending).toBe(0);
  });

  it('lets a reader wait for the batch holding the hot copy instead of rebuilding the record by replay', async () => {
    h = await executorHarness(backend, { SNAPSHOT_IDLE_MS: '600000' });
    const id = await saved();
    for (let i = 0; i < 3; i++) await run(id, [addPlayer(id, `Before ${i}`)]); // a tail to replay
    // Rebuilding would read the stored record (snapshot + log) or the log tail: count both.
    const rebuilds: string[] = [];
    const tournaments = h.storage.tournaments;
    const log = h.storage.log;
    const [get, since] = [tournaments.get.bind(tournaments), log.since.bind(log)];
    const getStored = tournaments.getStored.bind(tournaments);
    tournaments.get = (tid) => (rebuilds.push('get'), get(tid));
    tournaments.getStored = (tid) => (rebuilds.push('get'), getStored(tid));
    log.since = (tid, v, limit) => (rebuilds.push('since'), since(tid, v, limit));
    const batches = Array.from({ length: 10 }, (_, i) => run(id, [addPlayer(id, `During ${i}`)]));
    const reads = Array.from({ length: 10 }, () => h.executor.read(id, { op: 'name' }));
    const versions = (await Promise.all(reads)).map((read) => read!.version);
    await Promise.all(batches);
    expect(versions.every((version) => version >= 4 && version <= 14)).toBe(true);
    expect(rebuilds).toEqual([]);
  });

  it('writes the calendar entry with the commit only when it changed', async () => {
    h = await executorHarness(backend, { SNAPSHOT_IDLE_MS: '600000' });
    const id = await saved();
    const writes: TournamentWrite[] = [];
    const tournaments = h.storage.tournaments;
    const commit = tournaments.commit.bind(tournaments);
    tournaments.commit = (batch) => {
      writes.push(...batch);
      return commit(batch);
    };
    const name = `Renamed ${randomUUID().slice(0, 6)}`;
    await run(id, [rename(id, name)]);
    await run(id, [addPlayer(id, 'No calendar change')]);
    expect(writes.map((write) => write.calendar?.tournament.tournamentName)).toEqual([name, undefined]);
    expect(writes.every((write) => write.json === undefined)).toBe(true);
    const [entry] = await h.storage.calendars.listByProvider(provider.organisationId);
    expect(entry.tournament.tournamentName).toBe(name);
  });
});
