import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deskAccount, type DeskAccount } from '../../bench/accounts';
import { prepareTournaments, runBench, SCENARIOS, type BenchOptions } from '../../bench/bench';
import { table } from '../../bench/report';
import { Desk } from '../../bench/desk';
import { upload, type BenchContext } from '../../bench/scenarios';
import { loadTournament } from '../../bench/tournaments';
import { checkLogs } from '../../bench/verify';
import { seedAccount } from '../support/accounts';
import { startTestApp, type TestApp } from '../support/app';
import { testProvider } from '../support/records';
import { closeSockets } from '../support/sockets';

/** `pnpm bench` in miniature: every scenario, tiny tournaments, a second or so each. */
const TINY: BenchOptions = {
  sizes: ['tiny'],
  scenarios: [...SCENARIOS],
  batches: 8,
  paceMs: 0,
  warmup: 2,
  durationS: 1,
  desks: 3,
  readDurationS: 0.3,
  coldReads: 2,
  connections: 2,
  inflight: 24,
  inflightDesks: 2,
  mixedReaders: 2,
  coldLoads: 3,
  coldTail: 2,
  floorLimit: 20,
  settleMs: 0,
  cacheDir: undefined,
  remove: true,
};

describe('pnpm bench (smoke)', () => {
  let t: TestApp;
  let account: DeskAccount;

  beforeAll(async () => {
    t = await startTestApp('leveldb', { SOCKET_EVENTS_PER_10S: '100000' });
    // From a superadmin token the bench makes its own provider and client desk user, over HTTP.
    const admin = await seedAccount(t, { roles: ['superadmin'] });
    account = await deskAccount(t.url, { token: admin.token });
  });
  afterAll(async () => {
    closeSockets();
    await t?.close();
  });

  it('signs the desks in as a client of a provider of their own', () => {
    expect(account.providerId).toBeTruthy();
    expect(account.canRemove).toBe(true);
    expect(account.email).toMatch(/^bench-desk-/);
  });

  it("from an admin's token, makes a client desk user in the admin's own provider", async () => {
    const provider = testProvider();
    const admin = await seedAccount(t, { provider, roles: ['admin'] });
    const desk = await deskAccount(t.url, { token: admin.token });
    expect(desk).toMatchObject({ providerId: provider.organisationId, canRemove: true });
    // A client token is used as it is.
    expect(await deskAccount(t.url, { token: desk.token })).toMatchObject({ token: desk.token, email: desk.email });
  });

  it('runs every scenario and finds every acked batch in the log exactly once', async () => {
    const sizes = await runBench(t.url, account, TINY, prepareTournaments(TINY));
    const tiny = sizes.tiny;
    expect(tiny.ok).toBe(true);
    expect(tiny.sequentialDesk).toMatchObject({ batches: TINY.batches, errors: 0 });
    expect(tiny.sequentialDesk!.latencyMs.p50).toBeGreaterThan(0);
    expect(tiny.sequentialDesk!.floorMs.count).toBe(TINY.batches);
    expect(tiny.sequentialDesk!.ratioToFloor.p50).toBeGreaterThan(0);
    // With bases: another desk scores before every second batch, so half the bases are a version behind.
    const bases = tiny.sequentialBases!;
    expect(bases).toMatchObject({ batches: TINY.batches, errors: 0, lagged: TINY.batches / 2, maxLag: 1 });
    // A second sign-in, so the server compares its batches with the desk's (finding no conflict).
    expect(bases.otherDesk).toMatchObject({ batches: TINY.batches / 2, errors: 0, sameSignIn: false });
    expect(bases.floorMs.count).toBe(TINY.batches);
    expect(bases.laggedP50Ms).toBeGreaterThan(0);
    expect(bases.currentP50Ms).toBeGreaterThan(0);
    expect(bases.p50OverPlain).toBeGreaterThan(0);
    // Another score for the matchUp the other desk just scored, on the version before it.
    expect(bases.conflictProbe).toBe('refused');
    for (const many of [tiny.desksOnTournaments!, tiny.desksOnOneTournament!]) {
      expect(many.errors).toBe(0);
      expect(many.perDesk).toHaveLength(TINY.desks);
      expect(many.perDesk.every((n) => n > 0)).toBe(true);
      expect(many.broadcasts).toMatchObject({ ok: true, missing: 0, duplicated: 0 });
    }
    // The ceiling of the cores: the same batches on the engine alone, one thread per core at once.
    const own = tiny.desksOnTournaments!;
    expect(own.parallelFloor!.threads).toBeGreaterThanOrEqual(1);
    expect(own.parallelFloor!.batches).toBeGreaterThan(0);
    expect(own.overParallelFloor).toBeCloseTo(own.throughputPerS / own.parallelFloor!.throughputPerS, 1);
    // Every desk on one tournament hears every other desk's batch, the untimed warm-up's too.
    const shared = tiny.desksOnOneTournament!;
    expect(shared.broadcasts.expected).toBe((shared.batches + TINY.desks * TINY.warmup) * (TINY.desks - 1));
    for (const route of [tiny.publicReads!.eventdata, tiny.publicReads!.scheduledmatchups]) {
      expect(route.cold.reads).toBe(TINY.coldReads);
      expect(route.warm.reads).toBeGreaterThan(0);
      expect(route.warmConcurrent.failures).toBe(0);
      expect(route.bytes).toBeGreaterThan(0);
    }
    // The server's phases around each desk scenario, from /metrics before and after it.
    const scenarios = [tiny.sequentialDesk!, bases, tiny.desksOnTournaments!, shared, tiny.inflight!];
    for (const { phases, batches } of scenarios) {
      expect(phases).toBeDefined();
      expect(phases!.batches).toBeGreaterThanOrEqual(batches);
      expect(phases!.engineMs).toBeGreaterThan(0);
      expect(phases!.storeMs).toBeGreaterThan(0);
      expect(phases!.lockWaitMs).toBeGreaterThanOrEqual(0);
      expect(phases!.loadMs).toBeGreaterThanOrEqual(0);
      expect(phases!.batchMs).toBeGreaterThanOrEqual(phases!.engineMs);
      expect(phases!.engineTotalMs).toBeGreaterThan(0);
      expect(phases!.snapshotsWritten).toBeGreaterThanOrEqual(0);
      expect(phases!.replayedEntries).toBeGreaterThanOrEqual(0);
      // The server exports cfs_snapshot_write_seconds.
      expect(typeof phases!.snapshotWriteMs).toBe('number');
      expect(typeof phases!.snapshotMsPerBatch).toBe('number');
    }
    // Nothing else ran on the server meanwhile: the window holds exactly the scenario's batches.
    expect(tiny.sequentialDesk!.phases!.batches).toBe(TINY.batches);
    // ... and with bases the other desk's and the probe's two.
    expect(bases.phases!.batches).toBe(TINY.batches + bases.otherDesk.batches + 2);
    // Every batch of the burst acked, the same batches replayed on the engine alone.
    const inflight = tiny.inflight!;
    expect(inflight).toMatchObject({ desks: 2, sent: TINY.inflight, batches: TINY.inflight, errors: 0 });
    expect(inflight.phases!.batches).toBe(TINY.inflight);
    expect(inflight.floorMs.count).toBe(TINY.inflight);
    expect(inflight.engineTotalMs).toBeGreaterThan(0);
    expect(inflight.wallMs).toBeGreaterThan(0);
    expect(inflight.wallOverEngine).toBeCloseTo(inflight.wallMs / inflight.engineTotalMs, 1);
    // Loads from the store, after the tail's batches.
    const cold = tiny.coldLoad!;
    expect(cold).toMatchObject({ loads: TINY.coldLoads, tailBatches: TINY.coldTail });
    expect(cold.latencyMs.count).toBe(TINY.coldLoads);
    expect(cold.latencyMs.p50).toBeGreaterThan(0);
    expect(cold.replayedPerLoad).toBeGreaterThanOrEqual(0);
    expect(cold.snapshotsWritten).toBeGreaterThanOrEqual(0);
    // One desk alone, then beside readers who read each new version as soon as it is acked.
    const mixed = tiny.mixed!;
    expect(mixed.readers).toBe(TINY.mixedReaders);
    for (const phase of [mixed.idle, mixed.loaded]) {
      expect(phase).toMatchObject({ batches: TINY.batches, errors: 0 });
      expect(phase.latencyMs.p99).toBeGreaterThan(0);
      expect(phase.phases!.batches).toBeGreaterThanOrEqual(TINY.batches);
    }
    // Alone, the window holds the desk's batches and nothing else.
    expect(mixed.idle.phases!.batches).toBe(TINY.batches);
    expect(mixed.p99LoadedOverIdle).toBeCloseTo(mixed.loaded.latencyMs.p99 / mixed.idle.latencyMs.p99, 1);
    expect(mixed.reads.reads).toBeGreaterThan(0);
    expect(mixed.reads.failures).toBe(0);
    expect(mixed.reads.latencyMs.p50).toBeGreaterThan(0);
    expect(mixed.reads.bytes).toBeGreaterThan(0);
    // Each version read is computed once at most, whoever asks first (a reader or the server's warming).
    expect(mixed.cache!.computes).toBeGreaterThan(0);
    expect(mixed.cache!.computes).toBeLessThanOrEqual(2 * TINY.batches + 1);
    // The bases scenario: its warm-up, both desks' batches and the probe's first (the second was refused).
    const withBases = TINY.warmup + TINY.batches + bases.otherDesk.batches + 1;
    const sent =
      TINY.warmup +
      TINY.batches +
      withBases +
      TINY.coldLoads * TINY.coldTail +
      // The many-desk scenarios: each desk's warm-up, then the timed batches.
      2 * TINY.desks * TINY.warmup +
      tiny.desksOnTournaments!.batches +
      shared.batches +
      TINY.coldReads +
      TINY.warmup +
      TINY.inflight +
      TINY.warmup +
      2 * TINY.batches;
    expect(tiny.correctness).toMatchObject({ ok: true, acked: sent, logged: sent, lost: 0, duplicated: 0 });
    expect(table(sizes)).toContain('tiny: ok');
    expect(table(sizes)).toContain(`tiny: ${bases.p50OverPlain}x`);
    expect(table(sizes)).toContain('server phases (/metrics)');
    expect(table(sizes)).toContain(`tiny: ${TINY.inflight} sent at once by 2 desks, ${TINY.inflight} acked, 0 errors`);
    expect(table(sizes)).toContain(`tiny: ${TINY.coldLoads} loads of`);
    expect(table(sizes)).toContain(`with ${TINY.mixedReaders} readers`);
  }, 60_000);

  it('reports a batch missing from the log and one acked at another version than the log says', async () => {
    const ctx: BenchContext = { url: t.url, account, ledger: new Map(), uploaded: [], progress: () => undefined };
    const target = await upload(ctx, loadTournament('tiny', undefined));
    const desk = await Desk.open(t.url, account.token, 'bench-check');
    const first = await desk.send(target.tournamentId, target.plan.next());
    const second = await desk.send(target.tournamentId, target.plan.next());
    desk.close();
    expect(first.ok && second.ok).toBe(true);
    const honest = [
      { ackId: first.ackId, ok: true, version: first.version },
      { ackId: second.ackId, ok: true, version: second.version },
    ];
    expect((await checkLogs(t.url, account.token, new Map([[target.tournamentId, honest]]))).ok).toBe(true);
    const wrong = [
      honest[0],
      { ...honest[1], version: second.version! + 5 },
      { ackId: 'never-sent', ok: true, version: 9 },
    ];
    expect(await checkLogs(t.url, account.token, new Map([[target.tournamentId, wrong]]))).toMatchObject({
      ok: false,
      lost: 1,
      versionMismatch: 1,
      duplicated: 0,
      unexpected: 0,
    });
    // A batch the bench does not know of is reported too.
    expect(await checkLogs(t.url, account.token, new Map([[target.tournamentId, [honest[0]]]]))).toMatchObject({
      ok: false,
      unexpected: 1,
    });
  }, 30_000);

  it('a desk resending an ackId gets the first answer back and the log holds the batch once', async () => {
    const ctx: BenchContext = { url: t.url, account, ledger: new Map(), uploaded: [], progress: () => undefined };
    const target = await upload(ctx, loadTournament('tiny', undefined));
    const desk = await Desk.open(t.url, account.token, 'bench-same-name');
    const first = await desk.send(target.tournamentId, target.plan.next());
    desk.close();
    // A desk of the same name numbers its batches from 1 again: the same ackId.
    const again = await Desk.open(t.url, account.token, 'bench-same-name');
    const resent = await again.send(target.tournamentId, target.plan.next());
    again.close();
    expect(resent).toMatchObject({ ackId: first.ackId, ok: true, version: first.version });
    const ledger = new Map([[target.tournamentId, [{ ackId: first.ackId, ok: true, version: first.version }]]]);
    expect(await checkLogs(t.url, account.token, ledger)).toMatchObject({ ok: true, logged: 1, duplicated: 0 });
  }, 30_000);
});
