import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CalendarService } from '../../src/providers/calendar.service';
import { MutationExecutor } from '../../src/tournaments/executor.service';
import { TournamentEvents } from '../../src/tournaments/tournament-events';
import { BACKENDS } from '../support/app';
import { executorHarness, type ExecutorHarness } from '../support/executor';
import { addParticipantDirective, mockTournament, participantNames, testProvider, testUser } from '../support/records';

const provider = testProvider();
const other = testProvider();
const desk = testUser(provider);
const stranger = testUser(other);

describe.each(BACKENDS)('mutation executor on %s', (backend) => {
  let h: ExecutorHarness;

  beforeAll(async () => {
    h = await executorHarness(backend, { LOCK_TIMEOUT_MS: '2000', MAX_BATCH_METHODS: '20' });
  });
  afterAll(() => h?.cleanup());

  async function newTournament() {
    const record = mockTournament(provider);
    const saved = await h.executor.save({ records: [record], user: desk });
    expect(saved).toEqual({ success: true, versions: { [record.tournamentId]: 1 } });
    return record.tournamentId;
  }

  async function stored(id: string) {
    const current = await h.storage.tournaments.get(id);
    if (!current) throw new Error(`tournament ${id} not stored`);
    return current;
  }

  it('applies 50 concurrent batches on one tournament exactly once, with contiguous versions', async () => {
    const id = await newTournament();
    // The first batch of the file starts the engine worker: not under 49 others' lock timeouts.
    const first = await h.executor.execute({
      tournamentIds: [id],
      methods: [addParticipantDirective(id, 'First')],
      user: desk,
    });
    expect(first).toMatchObject({ success: true, versions: { [id]: 2 } });
    const names = Array.from({ length: 50 }, (_, i) => `Player ${i}`);
    const results = await Promise.all(
      names.map((name) =>
        h.executor.execute({ tournamentIds: [id], methods: [addParticipantDirective(id, name)], user: desk }),
      ),
    );
    expect(results.filter((r) => !('success' in r))).toEqual([]);
    const versions = results.map((r) => ('versions' in r ? r.versions[id] : 0)).sort((a, b) => a - b);
    expect(versions).toEqual(Array.from({ length: 50 }, (_, i) => i + 3));
    const record = await stored(id);
    expect(record.version).toBe(52);
    expect(
      participantNames(record.record)
        .filter((n) => n.startsWith('Player '))
        .sort(),
    ).toEqual([...names].sort());
    const log = await h.storage.log.since(id, 2);
    expect(log.map((e) => e.version)).toEqual(versions);
    expect(log.every((e) => e.kind === 'mutation' && e.userId === desk.email)).toBe(true);
  });

  it('runs batches on different tournaments in parallel, not behind one lock', async () => {
    const [a, b] = [await newTournament(), await newTournament()];
    let released!: () => void;
    const held = h.executor.locks.withLocks([a], () => new Promise<void>((resolve) => (released = resolve)));
    await sleep(10);
    const onB = await h.executor.execute({
      tournamentIds: [b],
      methods: [addParticipantDirective(b, 'B1')],
      user: desk,
    });
    expect(onB).toMatchObject({ success: true, versions: { [b]: 2 } });
    const onA = h.executor.execute({ tournamentIds: [a], methods: [addParticipantDirective(a, 'A1')], user: desk });
    await sleep(20);
    expect((await stored(a)).version).toBe(1); // still waiting for A's lock
    released();
    await held;
    expect(await onA).toMatchObject({ success: true, versions: { [a]: 2 } });
  });

  it('never deadlocks when two batches name the same tournaments in opposite order', async () => {
    const [a, b] = [await newTournament(), await newTournament()];
    const batch = (ids: string[], i: number) =>
      h.executor.execute({
        tournamentIds: ids,
        methods: [addParticipantDirective(a, `AB${i}`), addParticipantDirective(b, `BA${i}`)],
        user: desk,
      });
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => batch(i % 2 ? [a, b] : [b, a], i)));
    expect(results.every((r) => 'success' in r)).toBe(true);
    expect((await stored(a)).version).toBe(21);
    expect((await stored(b)).version).toBe(21);
  });

  it('leaves record and version unchanged when the second method fails', async () => {
    const id = await newTournament();
    const before = await stored(id);
    const result = await h.executor.execute({
      tournamentIds: [id],
      methods: [
        addParticipantDirective(id, 'Ghost'),
        { method: 'setMatchUpStatus', params: { drawId: 'x', matchUpId: 'y' } },
      ],
      rollbackOnError: false,
      user: desk,
    });
    expect(result).toMatchObject({ error: { code: expect.stringMatching(/^ERR_/) } });
    const after = await stored(id);
    expect(after.version).toBe(before.version);
    expect(participantNames(after.record)).not.toContain('Ghost');
    // The executor's own copy was not poisoned either: the next batch starts from the stored record.
    await h.executor.execute({ tournamentIds: [id], methods: [addParticipantDirective(id, 'Real')], user: desk });
    const names = participantNames((await stored(id)).record);
    expect(names).toContain('Real');
    expect(names).not.toContain('Ghost');
    expect(
      h.committed.some(
        (e) => e.tournamentIds.includes(id) && e.versions[id] === before.version + 1 && e.kind === 'mutation',
      ),
    ).toBe(true);
  });

  it.each([
    ['an unknown method', [{ method: 'noSuchMethod' }], 'ERR_METHOD_NOT_ALLOWED'],
    ['reset', [{ method: 'reset' }], 'ERR_METHOD_NOT_ALLOWED'],
    ['setState', [{ method: 'setState', params: {} }], 'ERR_METHOD_NOT_ALLOWED'],
    ['a query method', [{ method: 'getEventData', params: {} }], 'ERR_METHOD_NOT_ALLOWED'],
    [
      '__proto__ in params',
      [JSON.parse('{"method":"setTournamentName","params":{"__proto__":{"x":1}}}')],
      'ERR_INVALID_INPUT',
    ],
    [
      'constructor in params',
      [{ method: 'setTournamentName', params: { a: { constructor: { prototype: 1 } } } }],
      'ERR_INVALID_INPUT',
    ],
    [
      'a batch above the method cap',
      Array.from({ length: 21 }, () => ({ method: 'setTournamentName', params: {} })),
      'ERR_BATCH_TOO_LARGE',
    ],
    ['a non-array', 'setTournamentName', 'ERR_INVALID_INPUT'],
    ['params that are not an object', [{ method: 'setTournamentName', params: 'x' }], 'ERR_INVALID_INPUT'],
  ])('refuses %s and stores nothing', async (_label, methods, code) => {
    const id = await newTournament();
    const before = h.committed.length;
    const result = await h.executor.execute({ tournamentIds: [id], methods, user: desk });
    expect(result).toMatchObject({ error: { code, message: expect.any(String) } });
    expect((await stored(id)).version).toBe(1);
    expect(h.committed.length).toBe(before);
  });

  it("refuses another provider's tournament and stores nothing", async () => {
    const id = await newTournament();
    const result = await h.executor.execute({
      tournamentIds: [id],
      methods: [addParticipantDirective(id, 'X')],
      user: stranger,
    });
    expect(result).toMatchObject({ error: { code: 'ERR_FORBIDDEN' } });
    expect((await stored(id)).version).toBe(1);
  });

  it('answers ERR_MISSING_TOURNAMENT, unchanged, for an unknown tournament', async () => {
    const result = await h.executor.execute({
      tournamentIds: ['nope'],
      methods: [addParticipantDirective('nope', 'X')],
      user: desk,
    });
    expect(result).toMatchObject({ error: { code: 'ERR_MISSING_TOURNAMENT' } });
  });

  it('runs a repeated ackId once and answers with the first versions', async () => {
    const id = await newTournament();
    const send = () =>
      h.executor.execute({
        tournamentIds: [id],
        methods: [addParticipantDirective(id, 'Once')],
        ackId: 'ack-1',
        user: desk,
      });
    const [first, second] = await Promise.all([send(), send()]);
    const third = await send();
    expect(first).toMatchObject({ success: true, versions: { [id]: 2 } });
    expect(second).toMatchObject({ success: true, versions: { [id]: 2 }, duplicate: true });
    expect(third).toMatchObject({ success: true, versions: { [id]: 2 }, duplicate: true });
    const record = await stored(id);
    expect(record.version).toBe(2);
    expect(participantNames(record.record).filter((n) => n === 'Once')).toHaveLength(1);
    // The second ran ahead of its ackId check on the held record, which was then thrown away: the
    // next batch builds on the stored one.
    const next = await h.executor.execute({
      tournamentIds: [id],
      methods: [addParticipantDirective(id, 'After')],
      user: desk,
    });
    expect(next).toMatchObject({ success: true, versions: { [id]: 3 } });
    const names = participantNames((await stored(id)).record);
    expect(names.filter((n) => n === 'Once')).toHaveLength(1);
    expect(names).toContain('After');
  });

  it("runs a held tournament's batch while the store answers its checks, not after", async () => {
    const id = await newTournament();
    const { tournaments, log } = h.storage;
    // Long enough that a loaded machine's scheduling cannot pass for waiting on the checks.
    const slow = 1000;
    let answeredAt = 0;
    const late =
      <A extends unknown[], R>(read: (...args: A) => Promise<R>) =>
      async (...args: A): Promise<R> => {
        const value = await read(...args);
        await sleep(slow);
        answeredAt = performance.timeOrigin + performance.now();
        return value;
      };
    const [getVersion, findByAckId] = [tournaments.getVersion, log.findByAckId];
    tournaments.getVersion = late(getVersion.bind(tournaments));
    log.findByAckId = late(findByAckId.bind(log));
    let runStartedAt = 0;
    const stop = h.events.onBatch((report) => {
      if (report.tournamentIds.includes(id)) runStartedAt = report.run?.startedAt ?? 0;
    });
    try {
      const result = await h.executor.execute({
        tournamentIds: [id],
        methods: [addParticipantDirective(id, 'Ahead')],
        ackId: 'ahead-1',
        user: desk,
      });
      expect(result).toMatchObject({ success: true, versions: { [id]: 2 } });
    } finally {
      tournaments.getVersion = getVersion;
      log.findByAckId = findByAckId;
      stop();
    }
    expect(runStartedAt).toBeGreaterThan(0);
    expect(runStartedAt).toBeLessThan(answeredAt - slow / 2);
    expect(participantNames((await stored(id)).record)).toContain('Ahead');
  });

  it('throws a run ahead away when another writer committed first, and builds on that commit', async () => {
    const id = await newTournament();
    await h.executor.execute({ tournamentIds: [id], methods: [addParticipantDirective(id, 'Here')], user: desk });
    // Another instance on the same store: its commit moves the stored version under the held record.
    const elsewhere = new MutationExecutor(h.config, h.storage, new TournamentEvents(), new CalendarService(h.storage));
    try {
      const theirs = await elsewhere.execute({
        tournamentIds: [id],
        methods: [addParticipantDirective(id, 'There')],
        user: desk,
      });
      expect(theirs).toMatchObject({ success: true, versions: { [id]: 3 } });
      const ours = await h.executor.execute({
        tournamentIds: [id],
        methods: [addParticipantDirective(id, 'Here again')],
        user: desk,
      });
      expect(ours).toMatchObject({ success: true, versions: { [id]: 4 } });
    } finally {
      await elsewhere.onModuleDestroy();
    }
    const record = await stored(id);
    expect(record.version).toBe(4);
    expect(
      participantNames(record.record)
        .filter((n) => n.startsWith('Here') || n === 'There')
        .sort(),
    ).toEqual(['Here', 'Here again', 'There']);
    expect((await h.storage.log.since(id, 1)).map((e) => e.version)).toEqual([2, 3, 4]);
  });

  it('times out with ERR_LOCK_TIMEOUT when the tournament stays busy', async () => {
    const id = await newTournament();
    let released!: () => void;
    const held = h.executor.locks.withLocks([id], () => new Promise<void>((resolve) => (released = resolve)));
    const result = await h.executor.execute({
      tournamentIds: [id],
      methods: [addParticipantDirective(id, 'Late')],
      user: desk,
    });
    released();
    await held;
    expect(result).toMatchObject({ error: { code: 'ERR_LOCK_TIMEOUT' } });
    expect((await stored(id)).version).toBe(1);
  });

  it('announces each commit once, after it is stored, in commit order', async () => {
    const id = await newTournament();
    const seen: number[] = [];
    const stop = h.events.onCommitted((event) => {
      if (!event.tournamentIds.includes(id)) return;
      seen.push(event.versions[id]);
    });
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        h.executor.execute({ tournamentIds: [id], methods: [addParticipantDirective(id, `E${i}`)], user: desk }),
      ),
    );
    stop();
    expect(seen).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    const last = h.committed.filter((e) => e.tournamentIds.includes(id)).at(-1)!;
    expect(last).toMatchObject({
      kind: 'mutation',
      userId: desk.email,
      providerIds: { [id]: provider.organisationId },
    });
    expect(last.methods[0]).toMatchObject({ method: 'addParticipant' });
    expect(last.changes[id].topics).toContain('addParticipants');
  });

  describe('whole-record saves', () => {
    it('refuses a stale baseVersion with ERR_CONFLICT and keeps the stored record', async () => {
      const id = await newTournament();
      await h.executor.execute({
        tournamentIds: [id],
        methods: [addParticipantDirective(id, 'Server side')],
        user: desk,
      });
      const offline = (await stored(id)).record;
      offline.tournamentName = 'Offline edit';
      const stale = await h.executor.save({ records: [offline], baseVersions: { [id]: 1 }, user: desk });
      expect(stale).toMatchObject({ error: { code: 'ERR_CONFLICT', versions: { [id]: 2 } } });
      expect((await stored(id)).record.tournamentName).not.toBe('Offline edit');

      const current = await h.executor.save({ records: [offline], baseVersions: { [id]: 2 }, user: desk });
      expect(current).toEqual({ success: true, versions: { [id]: 3 } });
      offline.tournamentName = 'Forced';
      const forced = await h.executor.save({ records: [offline], baseVersions: { [id]: 1 }, force: true, user: desk });
      expect(forced).toEqual({ success: true, versions: { [id]: 4 } });
      expect((await stored(id)).record.tournamentName).toBe('Forced');
      const log = await h.storage.log.since(id, 0);
      expect(log.map((e) => e.kind)).toEqual(['save', 'mutation', 'save', 'save']);
    });

    it("refuses records of another provider and stamps unowned ones with the caller's", async () => {
      const foreign = mockTournament(other);
      expect(await h.executor.save({ records: [foreign], user: desk })).toMatchObject({
        error: { code: 'ERR_FORBIDDEN' },
      });
      expect(await h.storage.tournaments.getVersion(foreign.tournamentId)).toBeUndefined();

      const unowned = mockTournament();
      expect(await h.executor.save({ records: [unowned], user: desk })).toMatchObject({ success: true });
      expect((await stored(unowned.tournamentId)).providerId).toBe(provider.organisationId);
      // Another provider may not overwrite it.
      const takeover = { ...unowned, parentOrganisation: { ...other } };
      expect(await h.executor.save({ records: [takeover], user: stranger })).toMatchObject({
        error: { code: 'ERR_FORBIDDEN' },
      });
    });
  });

  it('removes a tournament with its log and calendar entry', async () => {
    const id = await newTournament();
    expect((await h.storage.calendars.listByProvider(provider.organisationId)).map((e) => e.tournamentId)).toContain(
      id,
    );
    expect(await h.executor.remove([id], stranger)).toMatchObject({ error: { code: 'ERR_FORBIDDEN' } });
    expect(await h.executor.remove([id], desk)).toEqual({ success: true, removed: [id] });
    expect(await h.storage.tournaments.get(id)).toBeUndefined();
    expect(await h.storage.log.since(id, 0)).toEqual([]);
    expect(
      (await h.storage.calendars.listByProvider(provider.organisationId)).map((e) => e.tournamentId),
    ).not.toContain(id);
    expect(h.committed.at(-1)).toMatchObject({ kind: 'remove', tournamentIds: [id] });
  });
});
