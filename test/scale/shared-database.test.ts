import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CalendarService } from '../../src/providers/calendar.service';
import { openStorage } from '../../src/storage/create-storage';
import type { Storage } from '../../src/storage/storage.types';
import { MutationExecutor } from '../../src/tournaments/executor.service';
import { TournamentEvents, type BatchReport } from '../../src/tournaments/tournament-events';
import { executorHarness, type ExecutorHarness } from '../support/executor';
import { addParticipantDirective, mockTournament, participantNames, testProvider, testUser } from '../support/records';

const provider = testProvider();
const desk = testUser(provider);

/**
 * Two executors, each with its own pool, locks and hot records, on one PostgreSQL database: two
 * server instances as far as the write path can tell.
 */
describe('two instances on one PostgreSQL database', () => {
  let a: ExecutorHarness;
  let bStorage: Storage;
  let b: MutationExecutor;
  const reports: { a: BatchReport[]; b: BatchReport[] } = { a: [], b: [] };

  beforeAll(async () => {
    a = await executorHarness('postgres');
    bStorage = await openStorage(a.config);
    const bEvents = new TournamentEvents();
    b = new MutationExecutor(a.config, bStorage, bEvents, new CalendarService(bStorage));
    a.events.onBatch((report) => reports.a.push(report));
    bEvents.onBatch((report) => reports.b.push(report));
  });
  afterAll(async () => {
    await bStorage?.close();
    await a?.cleanup();
  });

  async function newTournament(): Promise<string> {
    const record = mockTournament(provider);
    expect(await a.executor.save({ records: [record], user: desk })).toMatchObject({ success: true });
    return record.tournamentId;
  }

  const add = (executor: MutationExecutor, id: string, name: string, ackId?: string) =>
    executor.execute({ tournamentIds: [id], methods: [addParticipantDirective(id, name)], user: desk, ackId });

  it('reads the stored record instead of replaying a batch that replay would not reproduce', async () => {
    const id = await newTournament();
    expect(await add(a.executor, id, 'A1')).toMatchObject({ success: true, versions: { [id]: 2 } });
    const stored = (await a.storage.tournaments.get(id))!.record as unknown as {
      events: Array<{ eventId: string; entries: Array<{ participantId: string }> }>;
    };
    const [event] = stored.events;
    const entryPositions = event.entries
      .slice(0, 2)
      .map(({ participantId }, i) => ({ participantId, entryPosition: i + 1 }));
    const positioned = await b.execute({
      tournamentIds: [id],
      methods: [{ method: 'setEntryPositions', params: { tournamentId: id, eventId: event.eventId, entryPositions } }],
      user: desk,
    });
    expect(positioned).toMatchObject({ success: true, versions: { [id]: 3 } });

    a.executor.committedElsewhere([id]); // as the broadcast link tells it
    reports.a.length = 0;
    expect(await add(a.executor, id, 'A2')).toMatchObject({ success: true, versions: { [id]: 4 } });
    // B stored that batch's record with its commit; A reads it rather than replaying on its copy.
    expect(reports.a).toMatchObject([{ outcome: 'ok', hotHits: 0, hotMisses: 1 }]);
    expect((await a.storage.tournaments.get(id))?.snapshotVersion).toBe(3);
  });

  it("brings a hot record made stale by the other instance's commit up to date by replaying it, never writing it back", async () => {
    const id = await newTournament();
    expect(await add(a.executor, id, 'A1')).toMatchObject({ success: true, versions: { [id]: 2 } });
    expect(a.executor.hot.peek(id)?.version).toBe(2); // A now holds version 2 in memory

    expect(await add(b, id, 'B1')).toMatchObject({ success: true, versions: { [id]: 3 } });
    expect(a.executor.hot.peek(id)?.version).toBe(2); // ...which B's commit made stale
    a.executor.committedElsewhere([id]); // as the broadcast link tells it

    reports.a.length = 0;
    expect(await add(a.executor, id, 'A2')).toMatchObject({ success: true, versions: { [id]: 4 } });
    // A saw the stale copy before running and replayed B's log entry on it (no conflict and retry,
    // no read of the whole record).
    expect(reports.a).toMatchObject([{ outcome: 'ok', hotHits: 1, hotMisses: 0 }]);
    const stored = await a.storage.tournaments.get(id);
    expect(stored?.version).toBe(4);
    expect(participantNames(stored!.record).filter((n) => /^[AB]\d$/.test(n))).toEqual(['A1', 'B1', 'A2']);
    expect(a.executor.hot.peek(id)?.version).toBe(4);
  });

  it("throws away a batch run ahead on a record the other instance's commit made stale, then stops running ahead", async () => {
    const id = await newTournament();
    expect(await add(a.executor, id, 'A1')).toMatchObject({ success: true, versions: { [id]: 2 } });
    expect(await add(b, id, 'B1')).toMatchObject({ success: true, versions: { [id]: 3 } });

    // Not told of B's commit: A runs on its copy while the store answers, sees the version moved,
    // throws the run away and runs again on the stored record under the cross-instance lock.
    reports.a.length = 0;
    expect(await add(a.executor, id, 'A2')).toMatchObject({ success: true, versions: { [id]: 4 } });
    expect(reports.a).toMatchObject([{ outcome: 'ok', hotHits: 1, hotMisses: 1 }]);

    // Having seen it, A checks the store first for a while: B's next commit is replayed on A's copy.
    expect(await add(b, id, 'B2')).toMatchObject({ success: true, versions: { [id]: 5 } });
    reports.a.length = 0;
    expect(await add(a.executor, id, 'A3')).toMatchObject({ success: true, versions: { [id]: 6 } });
    expect(reports.a).toMatchObject([{ outcome: 'ok', hotHits: 1, hotMisses: 0 }]);
    const stored = await a.storage.tournaments.get(id);
    expect(participantNames(stored!.record).filter((n) => /^[AB]\d$/.test(n))).toEqual(['A1', 'B1', 'A2', 'B2', 'A3']);
    expect((await a.storage.log.since(id, 1)).map((entry) => entry.version)).toEqual([2, 3, 4, 5, 6]);
  });

  it('serialises concurrent batches from both instances: each stored once, versions contiguous, none refused', async () => {
    const id = await newTournament();
    const sends = Array.from({ length: 40 }, (_, i) => {
      const [executor, name] = i % 2 ? [b, `B${i}`] : [a.executor, `A${i}`];
      return add(executor, id, name).then((result) => ({ name, result }));
    });
    const outcomes = await Promise.all(sends);
    const accepted = outcomes.filter(({ result }) => 'success' in result);
    // A batch that loses a race retries under the cross-instance lock, so none is refused.
    expect(outcomes.filter(({ result }) => 'error' in result)).toEqual([]);

    const stored = await a.storage.tournaments.get(id);
    const names = participantNames(stored!.record).filter((n) => /^[AB]\d+$/.test(n));
    expect([...names].sort()).toEqual(accepted.map(({ name }) => name).sort());
    expect(stored?.version).toBe(1 + accepted.length);
    const versions = accepted.map(({ result }) => ('versions' in result ? result.versions[id] : 0));
    expect([...versions].sort((x, y) => x - y)).toEqual(accepted.map((_, i) => i + 2));
    const log = await a.storage.log.since(id, 1);
    expect(log.map((entry) => entry.version)).toEqual(accepted.map((_, i) => i + 2));
  });

  it('never deadlocks on batches over the same tournaments named in opposite orders on both instances', async () => {
    const [t1, t2] = [await newTournament(), await newTournament()];
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 ? b : a.executor).execute({
          tournamentIds: i % 2 ? [t2, t1] : [t1, t2],
          methods: [addParticipantDirective(t1, `X${i}`), addParticipantDirective(t2, `Y${i}`)],
          user: desk,
        }),
      ),
    );
    expect(outcomes.filter((result) => 'error' in result)).toEqual([]);
    for (const id of [t1, t2]) expect((await a.storage.tournaments.get(id))?.version).toBe(21);
  });

  it("holds other instances' commits of a tournament while a write lock is held, then refuses the stale one", async () => {
    const id = await newTournament();
    const lock = await a.storage.tournaments.lockForWrite!([id]);
    const current = { record: JSON.parse((await lock.getStored(id))!.snapshot) as Record<string, unknown> };
    const write = (version: number, name: string) => ({
      tournamentId: id,
      providerId: provider.organisationId,
      version,
      json: JSON.stringify({ ...current.record, tournamentName: name }),
      log: {
        tournamentId: id,
        version,
        methods: [],
        userId: desk.email,
        at: new Date().toISOString(),
        kind: 'save' as const,
      },
    });
    let otherDone = false;
    const other = bStorage.tournaments.commit([write(2, 'B')]).finally(() => (otherDone = true));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(otherDone).toBe(false); // waiting for the lock
    // Handled before the lock's commit lets it fail: a rejection without a handler yet is reported as unhandled.
    const refused = expect(other).rejects.toMatchObject({ name: 'VersionConflictError', expected: 1, actual: 2 });
    await lock.commit([write(2, 'A')]);
    await refused;
    expect((await bStorage.tournaments.get(id))?.record.tournamentName).toBe('A');
  });

  it('answers an ackId committed by the other instance with the stored versions and runs nothing', async () => {
    const id = await newTournament();
    const first = await add(a.executor, id, 'Once', 'ack-elsewhere');
    expect(first).toMatchObject({ success: true, versions: { [id]: 2 } });
    const again = await add(b, id, 'Once', 'ack-elsewhere');
    expect(again).toEqual({ success: true, results: [], versions: { [id]: 2 }, duplicate: true });
    const stored = await bStorage.tournaments.get(id);
    expect(stored?.version).toBe(2);
    expect(participantNames(stored!.record).filter((n) => n === 'Once')).toHaveLength(1);
  });

  it('runs one batch sent to both instances at once (same ackId) exactly once; both answer its versions', async () => {
    // The window is narrow: repeat so that most orders of the two runs come up.
    for (let round = 0; round < 10; round++) {
      const id = await newTournament();
      const ackId = `ack-race-${round}`;
      const directive = addParticipantDirective(id, 'Raced');
      const [fromA, fromB] = await Promise.all([
        a.executor.execute({ tournamentIds: [id], methods: [directive], user: desk, ackId }),
        b.execute({ tournamentIds: [id], methods: [directive], user: desk, ackId }),
      ]);
      expect(fromA).toMatchObject({ success: true, versions: { [id]: 2 } });
      expect(fromB).toMatchObject({ success: true, versions: { [id]: 2 } });
      const stored = await a.storage.tournaments.get(id);
      expect(stored?.version).toBe(2);
      expect(participantNames(stored!.record).filter((n) => n === 'Raced')).toHaveLength(1);
    }
  });
});
