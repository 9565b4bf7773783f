import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { MutationExecutor } from '../../src/tournaments/executor.service';
import { seedAccount, type TestAccount } from '../support/accounts';
import { seriesOf, type Scrape } from '../support/metrics';
import { startTestApp, type TestApp } from '../support/app';
import { addParticipantDirective, testProvider } from '../support/records';
import { closeSockets, connect, desk } from '../support/sockets';
import { cacheStats, mutate, publicTournament, publishEvent, save } from '../public/helpers';

async function scrape(t: TestApp): Promise<Scrape> {
  const res = await request(t.url).get('/metrics');
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toMatch(/^text\/plain;.*version=0\.0\.4/);
  return seriesOf(res.text);
}

describe('GET /metrics', () => {
  let t: TestApp;
  let deskUser: TestAccount;
  const provider = testProvider();

  beforeAll(async () => {
    // No background warming: every public compute below is one the test caused.
    t = await startTestApp('leveldb', { PUBLIC_CACHE_WARM: 'false' });
    deskUser = await seedAccount(t, { provider });
  });
  afterAll(async () => {
    closeSockets();
    await t?.close();
  });

  it('counts batches by outcome and times the phases of those that passed their check', async () => {
    const fixture = publicTournament(provider, { events: 1 });
    const { tournamentId } = fixture;
    await save(t, deskUser, fixture.record);
    const before = await scrape(t);

    await mutate(t, deskUser, tournamentId, [addParticipantDirective(tournamentId, 'One')]);
    await mutate(t, deskUser, tournamentId, [addParticipantDirective(tournamentId, 'Two')]);
    const refusals = [
      { tournamentIds: ['no-such-tournament'], methods: [addParticipantDirective('no-such-tournament', 'X')] },
      { tournamentIds: [tournamentId], methods: [{ method: 'reset', params: {} }] },
    ];
    for (const body of refusals) {
      const res = await request(t.url).post('/factory').set(deskUser.auth).send(body);
      expect(res.body.error.code).toMatch(/^ERR_/);
    }

    const after = await scrape(t);
    const delta = (name: string) => (after.get(name) ?? 0) - (before.get(name) ?? 0);
    expect(delta('cfs_batches_total{outcome="ok"}')).toBe(2);
    expect(delta('cfs_batches_total{outcome="ERR_MISSING_TOURNAMENT"}')).toBe(1);
    expect(delta('cfs_batches_total{outcome="ERR_METHOD_NOT_ALLOWED"}')).toBe(1);
    expect(delta('cfs_batch_duration_seconds_count')).toBe(4);
    // The method refusal never reached a lock; the missing tournament did.
    for (const phase of ['lock_wait', 'load', 'engine', 'store']) {
      expect(delta(`cfs_batch_${phase}_seconds_count`), phase).toBe(3);
      expect(after.get(`cfs_batch_${phase}_seconds_bucket{le="+Inf"}`)).toBe(
        after.get(`cfs_batch_${phase}_seconds_count`),
      );
    }
    expect(delta('cfs_batch_engine_seconds_sum')).toBeGreaterThan(0);
    // Three records loaded: the two accepted batches found theirs in memory (the save left it hot).
    expect(delta('cfs_hot_record_hits_total')).toBe(2);
    expect(delta('cfs_hot_record_misses_total')).toBe(1);
    expect(after.get('cfs_hot_records_bytes')).toBeGreaterThan(1000);
    expect(after.get('cfs_lock_queue_depth')).toBe(0);
    // Log-first commits: the counts are there from the first scrape (their values are shared by the
    // apps of this test process, so only their presence is checked here).
    for (const name of ['cfs_snapshots_written_total', 'cfs_replayed_entries_total', 'cfs_replay_mismatches_total']) {
      expect(after.get(name), name).toBeGreaterThanOrEqual(0);
    }
    expect(after.get('cfs_snapshot_write_seconds_count')).toBeGreaterThanOrEqual(0);
    // The tournament's idle check waits its 5 s.
    expect(after.get('cfs_snapshot_idle_checks_pending')).toBeGreaterThanOrEqual(1);
  });

  it('shows batches queued behind a held lock, and counts the wait of one that gave up', async () => {
    const short = await startTestApp('leveldb', { LOCK_TIMEOUT_MS: '300' });
    try {
      const owner = await seedAccount(short, { provider });
      const fixture = publicTournament(provider, { events: 1 });
      await save(short, owner, fixture.record);
      const { tournamentId } = fixture;
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      const executor = short.app.get(MutationExecutor);
      const holding = executor.locks.withLocks([tournamentId], () => held);
      const body = { tournamentIds: [tournamentId], methods: [addParticipantDirective(tournamentId, 'Late')] };
      const waiting = request(short.url).post('/factory').set(owner.auth).send(body);
      const answer = waiting.then((res) => res.body);
      await vi.waitFor(async () => expect((await scrape(short)).get('cfs_lock_queue_depth')).toBe(1));
      expect((await answer).error.code).toBe('ERR_LOCK_TIMEOUT');
      release();
      await holding;
      const after = await scrape(short);
      expect(after.get('cfs_lock_queue_depth')).toBe(0);
      expect(after.get('cfs_batches_total{outcome="ERR_LOCK_TIMEOUT"}')).toBe(1);
      expect(after.get('cfs_batch_lock_wait_seconds_count')).toBe(1);
      // Its whole wait (300 ms): a timer may fire up to a millisecond early by the high-resolution clock.
      expect(after.get('cfs_batch_lock_wait_seconds_sum')).toBeGreaterThanOrEqual(0.299);
      expect(after.get('cfs_batch_lock_wait_seconds_bucket{le="0.25"}')).toBe(0);
    } finally {
      await short.close();
    }
  });

  it('reports the public cache as CacheService counts it', async () => {
    const fixture = publicTournament(provider, { events: 1 });
    const { tournamentId } = fixture;
    const [eventId] = fixture.eventIds;
    await save(t, deskUser, fixture.record);
    await mutate(t, deskUser, tournamentId, [publishEvent(eventId)]);
    const before = await scrape(t);
    for (let read = 0; read < 3; read++) {
      await request(t.url).post('/factory/eventdata').send({ tournamentId, eventId }).expect(200);
    }
    const after = await scrape(t);
    const delta = (key: string) =>
      after.get(`cfs_public_cache_${key}_total`)! - before.get(`cfs_public_cache_${key}_total`)!;
    expect([delta('misses'), delta('computes'), delta('hits'), delta('errors')]).toEqual([1, 1, 2, 0]);
    const stats = cacheStats(t);
    for (const key of ['hits', 'misses', 'coalesced', 'computes', 'errors'] as const) {
      expect(after.get(`cfs_public_cache_${key}_total`), key).toBe(stats[key]);
    }
  });

  it('counts connected sockets per namespace', async () => {
    const sockets = async () => {
      const now = await scrape(t);
      return [
        now.get('cfs_sockets_connected{namespace="/tmx"}'),
        now.get('cfs_sockets_connected{namespace="/public"}'),
      ];
    };
    expect(await sockets()).toEqual([0, 0]);
    const a = await desk(t, deskUser.token);
    const b = await desk(t, deskUser.token);
    const viewer = await connect(t, '/public');
    expect(await sockets()).toEqual([2, 1]);
    a.disconnect();
    viewer.disconnect();
    await vi.waitFor(async () => expect(await sockets()).toEqual([1, 0]));
    b.disconnect();
  });

  it('includes process metrics with event-loop lag, and needs no token', async () => {
    const now = await scrape(t);
    for (const name of [
      'nodejs_eventloop_lag_seconds',
      'nodejs_eventloop_lag_p99_seconds',
      'process_cpu_seconds_total',
    ]) {
      expect(now.has(name), name).toBe(true);
    }
    // A stale token is ignored, as on every public route.
    await request(t.url).get('/metrics').set('Authorization', 'Bearer stale').expect(200);
  });

  it('keeps a registry per app: another app in this process reports only its own batches', async () => {
    const other = await startTestApp('leveldb');
    try {
      const fresh = await scrape(other);
      expect(fresh.get('cfs_batch_duration_seconds_count')).toBe(0);
      expect([...fresh.keys()].some((key) => key.startsWith('cfs_batches_total{'))).toBe(false);
      expect((await scrape(t)).get('cfs_batch_duration_seconds_count')).toBeGreaterThan(0);
    } finally {
      await other.close();
    }
  });
});
