import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineRestartedError } from '../../src/engine/host/engine-pool';
import { DeskQueue } from '../../src/gateway/desk-queue';
import { CalendarService } from '../../src/providers/calendar.service';
import type { TournamentWrite } from '../../src/storage/storage.types';
import { MutationExecutor, type ExecuteResult } from '../../src/tournaments/executor.service';
import { TournamentEvents, type BatchReport } from '../../src/tournaments/tournament-events';
import { BACKENDS } from '../support/app';
import { executorHarness, type ExecutorHarness } from '../support/executor';
import { addParticipantDirective, mockTournament, participantNames, testProvider, testUser } from '../support/records';

const provider = testProvider();
const user = testUser(provider);

/**
 * A desk's batches one after another, as the gateway's desk queue runs them: the next one starts
 * when the executor lets go of the one before (its commit on its way), docs/mutations.md, Pipelining.
 */
describe.each(BACKENDS)('pipelined batches of one desk on %s', (backend) => {
  let h: ExecutorHarness;
  const reports: BatchReport[] = [];

  beforeAll(async () => {
    h = await executorHarness(backend);
    h.events.onBatch((report) => reports.push(report));
  });
  afterAll(() => h?.cleanup());

  /** A tournament whose record its host holds (one batch run on it). */
  async function heldTournament(): Promise<string> {
    const record = mockTournament(provider);
    const id = record.tournamentId;
    await h.executor.save({ records: [record], user });
    expect(
      await h.executor.execute({ tournamentIds: [id], methods: [addParticipantDirective(id, 'Warm')], user }),
    ).toMatchObject({ success: true, versions: { [id]: 2 } });
    return id;
  }

  /** Sends the names as batches through a desk queue; resolves with their answers, in order. */
  function desk(id: string, names: string[], executor = h.executor): Promise<ExecuteResult[]> {
    const queue = new DeskQueue(1 << 30, (error) => {
      throw error;
    });
    const answers: ExecuteResult[] = [];
    for (const [index, name] of names.entries()) {
      const methods = [addParticipantDirective(id, name)];
      queue.offer({ methods }, async (advance) => {
        const request = { tournamentIds: [id], methods, ackId: `${id}-${name}`, user, onLetGo: advance };
        answers[index] = await executor.execute(request);
      });
    }
    return queue.settled.then(() => answers);
  }

  /** Wraps the store's commit for one test: `wrap` gets the original and the writes. */
  async function withCommit<T>(
    wrap: (commit: (writes: TournamentWrite[]) => Promise<void>, writes: TournamentWrite[]) => Promise<void>,
    work: () => Promise<T>,
  ): Promise<T> {
    const { tournaments } = h.storage;
    const commit = tournaments.commit;
    const original = commit.bind(tournaments);
    tournaments.commit = (writes) => wrap(original, writes);
    try {
      return await work();
    } finally {
      tournaments.commit = commit;
    }
  }

  const versionsOf = (answers: ExecuteResult[], id: string) =>
    answers.map((answer) => ('versions' in answer ? answer.versions[id] : answer.error.code));
  const reportsOf = (id: string) => reports.filter((report) => report.tournamentIds.includes(id));

  it("runs a desk's next batch on the record the one before left, while that one's commit is on its way", async () => {
    const id = await heldTournament();
    const names = ['One', 'Two', 'Three', 'Four'];
    const landedAt: Record<number, number> = {};
    const announced: number[] = [];
    const stop = h.events.onCommitted((event) => {
      if (event.tournamentIds.includes(id)) announced.push(event.versions[id]);
    });
    const answers = await withCommit(
      async (commit, writes) => {
        await sleep(150);
        await commit(writes);
        landedAt[writes[0].version] = performance.timeOrigin + performance.now();
      },
      () => desk(id, names),
    ).finally(stop);

    expect(versionsOf(answers, id)).toEqual([3, 4, 5, 6]);
    expect(announced).toEqual([3, 4, 5, 6]);
    // The first queued batch waits for the live one before it to end (desk-queue.ts); the others
    // start while the commit before them (150 ms) is on its way, on the record it left.
    const runs = reportsOf(id).slice(1);
    expect(runs.map((report) => report.continued ?? false).slice(2)).toEqual([true, true]);
    expect(runs[2].run!.startedAt).toBeLessThan(landedAt[4]);
    expect(runs[3].run!.startedAt).toBeLessThan(landedAt[5]);
    const stored = await h.storage.tournaments.get(id);
    expect(stored?.version).toBe(6);
    expect(participantNames(stored!.record).filter((name) => names.includes(name))).toEqual(names);
    expect((await h.storage.log.since(id, 2)).map((entry) => entry.version)).toEqual([3, 4, 5, 6]);
  });

  it('runs a batch again on what is stored when the commit of the one it continued fails', async () => {
    const id = await heldTournament();
    let failures = 0;
    const answers = await withCommit(
      async (commit, writes) => {
        await sleep(100);
        if (writes[0].log.ackId === `${id}-Failed` && failures++ === 0) throw new Error('disk unplugged');
        await commit(writes);
      },
      () => desk(id, ['Lead', 'Failed', 'Next']),
    );
    expect(answers[1]).toMatchObject({ error: { code: 'ERR_STORAGE_UNAVAILABLE' } });
    expect(versionsOf(answers, id)).toEqual([3, 'ERR_STORAGE_UNAVAILABLE', 4]);
    const [failed, next] = reportsOf(id).slice(2);
    expect(failed.outcome).toBe('ERR_STORAGE_UNAVAILABLE');
    expect(next).toMatchObject({ outcome: 'ok', continued: true, ranAhead: 'thrown_away' });
    const names = participantNames((await h.storage.tournaments.get(id))!.record);
    expect(names).toContain('Next');
    expect(names).not.toContain('Failed');
    // And the host holds the record as stored: the next batch builds on it.
    const after = await h.executor.execute({
      tournamentIds: [id],
      methods: [addParticipantDirective(id, 'After')],
      user,
    });
    expect(after).toMatchObject({ success: true, versions: { [id]: 5 } });
    const record = (await h.executor.read<string>(id, { op: 'json' }))!;
    expect(participantNames(JSON.parse(record.value))).toEqual(expect.arrayContaining(['Next', 'After']));
    expect(participantNames(JSON.parse(record.value))).not.toContain('Failed');
  });

  it('keeps the order when another writer commits first: the batch retries, the one after it commits after it', async () => {
    const id = await heldTournament();
    // Another instance on the same store.
    const elsewhere = new MutationExecutor(h.config, h.storage, new TournamentEvents(), new CalendarService(h.storage));
    let raced = false;
    try {
      const answers = await withCommit(
        async (commit, writes) => {
          if (!raced && writes[0].log.ackId === `${id}-Here`) {
            raced = true;
            const theirs = await elsewhere.execute({
              tournamentIds: [id],
              methods: [addParticipantDirective(id, 'There')],
              user,
            });
            expect(theirs).toMatchObject({ success: true, versions: { [id]: 4 } });
          }
          await commit(writes);
        },
        () => desk(id, ['Lead', 'Here', 'Here next']),
      );
      expect(versionsOf(answers, id)).toEqual([3, 5, 6]);
    } finally {
      await elsewhere.onModuleDestroy();
    }
    const log = await h.storage.log.since(id, 2);
    expect(log.map((entry) => [entry.version, entry.ackId])).toEqual([
      [3, `${id}-Lead`],
      [4, undefined],
      [5, `${id}-Here`],
      [6, `${id}-Here next`],
    ]);
    const ours = ['Lead', 'There', 'Here', 'Here next'];
    const names = participantNames((await h.storage.tournaments.get(id))!.record).filter((name) => ours.includes(name));
    expect(names).toEqual(ours);
    // 'Here next' ran on the record 'Here' left before its commit lost the race: thrown away, run again.
    expect(reportsOf(id).at(-1)).toMatchObject({ outcome: 'ok', continued: true, ranAhead: 'thrown_away' });
  });

  it('answers a continued batch whose worker was lost only after the batch before it', async () => {
    const id = await heldTournament();
    const { pool } = h.executor;
    const request = pool.request.bind(pool);
    // The worker is lost with the continued run, while the commit before it is slow.
    pool.request = ((slot, message) =>
      message.type === 'run' && message.after !== undefined
        ? Promise.reject(new EngineRestartedError('worker lost'))
        : request(slot, message)) as typeof pool.request;
    try {
      const answers = await withCommit(
        async (commit, writes) => {
          if (writes[0].log.ackId === `${id}-One`) await sleep(300);
          await commit(writes);
        },
        () => desk(id, ['Lead', 'One', 'Two']),
      );
      expect(answers[1]).toMatchObject({ success: true });
      expect(answers[2]).toMatchObject({ error: { code: 'ERR_ENGINE_RESTARTED' } });
    } finally {
      pool.request = request;
    }
    // Reports go out as batches end: the error after the commit before it.
    expect(reportsOf(id).map((report) => report.outcome)).toEqual(['ok', 'ok', 'ok', 'ERR_ENGINE_RESTARTED']);
  });

  it('lets a read that waits for the host go before a long stream of continued batches ends', async () => {
    const id = await heldTournament();
    const names = Array.from({ length: 150 }, (_, i) => `Stream ${i}`);
    let acked = 0;
    const stop = h.events.onCommitted((event) => {
      if (event.tournamentIds.includes(id)) acked++;
    });
    const stream = desk(id, names);
    while (acked < 5) await sleep(1);
    const asked = performance.now();
    const read = await h.executor.read<string>(id, { op: 'name' });
    const waited = performance.now() - asked;
    const ackedWhenRead = acked;
    await stream.finally(stop);
    expect(read?.value).toBeTypeOf('string');
    expect(ackedWhenRead).toBeLessThan(names.length);
    expect(waited).toBeLessThan(2000);
    expect(reportsOf(id).filter((report) => report.continued).length).toBeGreaterThan(names.length / 2);
  });
});
