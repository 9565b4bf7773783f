import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/config/config';
import type { EnginePool, WorkerStatus } from '../../src/engine/host/engine-pool';
import type { EngineRequest, RunRequest, RunTiming } from '../../src/engine/host/protocol';
import { MutationExecutor } from '../../src/tournaments/executor.service';
import { TournamentEvents, type BatchReport } from '../../src/tournaments/tournament-events';
import {
  firstRoundMatchUps,
  mutate,
  publicTournament,
  publishEvent,
  publishOrderOfPlay,
  publishParticipants,
  save,
  scheduleOn,
  scoreDirective,
} from '../public/helpers';
import { seedAccount, type TestAccount } from '../support/accounts';
import { BACKENDS, listenApp, startTestApp, TEST_JWT_SECRET, testEnv, type TestApp } from '../support/app';
import { mockTournament, participantNames, testProvider, testUser, type TestProvider } from '../support/records';
import {
  closeSockets,
  desk,
  record,
  sendBatch,
  upgraded,
  waitForCount,
  type Ack,
  type Socket,
} from '../support/sockets';

type Batch = {
  ackId: string;
  tournamentIds: string[];
  methods: Array<{ method: string; params: Record<string, unknown> }>;
};

interface EngineHealth {
  workers: number;
  hosts: WorkerStatus[];
}

/** One batch adding `count` uniquely named participants (`<tag> <i>`): the engine's work grows with `count`. */
function addMany(tournamentId: string, tag: string, count: number) {
  const participants = Array.from({ length: count }, (_, i) => ({
    participantId: randomUUID(),
    participantType: 'INDIVIDUAL',
    participantRole: 'COMPETITOR',
    participantName: `${tag} ${i}`,
    person: { personId: randomUUID(), standardFamilyName: `${tag} ${i}`, standardGivenName: 'Pool' },
  }));
  return { method: 'addParticipants', params: { tournamentId, participants } };
}

/** A directive the engine refuses (ERR_NOT_FOUND_EVENT) after the ones before it have changed the record. */
const MISSING_EVENT = { method: 'addEventEntries', params: { eventId: 'no-such-event', participantIds: ['nobody'] } };

function range(from: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => from + i);
}

function overlap(a: RunTiming, b: RunTiming): boolean {
  return a.startedAt < b.startedAt + b.engineMs && b.startedAt < a.startedAt + a.engineMs;
}

async function until(condition: () => boolean, what: string, timeout = 60_000): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`no ${what} within ${timeout} ms`);
    await sleep(1);
  }
}

/** Saves new tournaments of `provider` until `count` of them hash to engine host `slot`. */
async function tournamentsOn(t: TestApp, provider: TestProvider, slot: number, count: number): Promise<string[]> {
  const executor = t.app.get(MutationExecutor);
  const ids: string[] = [];
  while (ids.length < count) {
    const tournament = mockTournament(provider);
    if (executor.pool.slotOf(tournament.tournamentId) !== slot) continue;
    const saved = await executor.save({ records: [tournament], user: testUser(provider) });
    expect(saved).toEqual({ success: true, versions: { [tournament.tournamentId]: 1 } });
    ids.push(tournament.tournamentId);
  }
  return ids;
}

async function engineHealth(t: TestApp): Promise<EngineHealth> {
  const res = await request(t.url).get('/health').expect(200);
  return res.body.engine as EngineHealth;
}

/** Every report of a batch that ran on `tournamentId`, in the order they were made. */
function runsOf(reports: BatchReport[], tournamentId: string): Array<BatchReport & { run: RunTiming }> {
  return reports.filter((r): r is BatchReport & { run: RunTiming } => !!r.run && r.tournamentIds[0] === tournamentId);
}

/**
 * Watches the requests the executor sends to the engine hosts (the real pool answers them): the
 * batches each host is running or has queued, and reads of a tournament sent while its batch runs.
 */
function watchPool(pool: EnginePool) {
  const original = pool.request.bind(pool);
  const running = Array.from({ length: pool.size }, () => new Map<number, RunRequest>());
  const sent: Array<{ slot: number; request: EngineRequest }> = [];
  let readsDuringRun = 0;
  let next = 0;
  const spy = vi.spyOn(pool, 'request').mockImplementation(((slot: number, engineRequest: EngineRequest) => {
    sent.push({ slot, request: engineRequest });
    if (engineRequest.type === 'read') {
      const { tournamentId } = engineRequest;
      if ([...running[slot].values()].some((run) => run.tournamentIds.includes(tournamentId))) readsDuringRun++;
    }
    const answer = original(slot, engineRequest);
    if (engineRequest.type === 'run') {
      const key = next++;
      running[slot].set(key, engineRequest);
      const done = () => void running[slot].delete(key);
      answer.then(done, done);
    }
    return answer;
  }) as EnginePool['request']);
  return {
    running,
    sent,
    get readsDuringRun() {
      return readsDuringRun;
    },
    stop: () => spy.mockRestore(),
  };
}

describe.each(BACKENDS)('engine pool with two workers on %s', (backend) => {
  let t: TestApp;
  let pool: EnginePool;
  let account: TestAccount;
  const provider = testProvider();
  const reports: BatchReport[] = [];

  beforeAll(async () => {
    t = await startTestApp(backend, { ENGINE_WORKERS: '2' });
    pool = t.app.get(MutationExecutor).pool;
    account = await seedAccount(t, { provider });
    t.app.get(TournamentEvents).onBatch((report) => reports.push(report));
  });
  afterAll(async () => {
    closeSockets();
    await t?.close();
  });

  it('runs every batch of a tournament on the thread of the worker its id hashes to; /health and /metrics show those workers', async () => {
    expect(pool.size).toBe(2);
    expect(pool.inProcess).toBe(false);
    const ids = [...(await tournamentsOn(t, provider, 0, 3)), ...(await tournamentsOn(t, provider, 1, 3))];
    const sockets = await Promise.all(ids.map(() => desk(t, account.token)));
    const BATCHES = 8;
    // Six desks at once, each sending its batches one after the other.
    await Promise.all(
      ids.map(async (id, d) => {
        for (let k = 0; k < BATCHES; k++) {
          const ack = (await sendBatch(sockets[d], {
            tournamentIds: [id],
            methods: [addMany(id, `Affinity ${d}.${k}`, 3)],
          })) as Ack;
          expect(ack).toMatchObject({ success: true, versions: { [id]: k + 2 } });
        }
      }),
    );

    const health = await engineHealth(t);
    expect(health.workers).toBe(2);
    expect(health.hosts.map((h) => h.worker)).toEqual([0, 1]);
    expect(health.hosts.map((h) => h.threadId)).toEqual(pool.status().map((s) => s.threadId));
    const [thread0, thread1] = health.hosts.map((h) => h.threadId);
    expect(thread0).toBeGreaterThan(0);
    expect(thread1).toBeGreaterThan(0);
    expect(thread0).not.toBe(thread1);

    const threadOf = new Map<string, number>();
    for (const id of ids) {
      const runs = runsOf(reports, id);
      expect(runs).toHaveLength(BATCHES);
      expect(runs.every((r) => r.outcome === 'ok')).toBe(true);
      const threads = new Set(runs.map((r) => r.run.threadId));
      expect(threads.size).toBe(1);
      const [threadId] = threads;
      expect(threadId).toBe(health.hosts[pool.slotOf(id)].threadId);
      threadOf.set(id, threadId);
    }
    // Tournaments of different workers ran on different threads; those of one worker on the same.
    expect(new Set(ids.slice(0, 3).map((id) => threadOf.get(id)))).toEqual(new Set([thread0]));
    expect(new Set(ids.slice(3).map((id) => threadOf.get(id)))).toEqual(new Set([thread1]));
    for (const host of health.hosts) {
      expect(host).toMatchObject({ queued: expect.any(Number), restarts: 0 });
      expect(host.requests).toBeGreaterThanOrEqual(3 * BATCHES);
      expect(host.held).toBeGreaterThanOrEqual(3);
      expect(host.busyMs).toBeGreaterThanOrEqual(0);
    }

    const metrics = (await request(t.url).get('/metrics').expect(200)).text;
    for (const name of ['queue_depth', 'busy_seconds', 'restarts', 'held_records']) {
      for (const worker of ['0', '1']) {
        expect(metrics).toMatch(new RegExp(`^cfs_engine_worker_${name}\\{worker="${worker}"\\} [0-9.e+-]+$`, 'm'));
      }
    }
    expect(metrics).toMatch(/^cfs_engine_worker_restarts\{worker="0"\} 0$/m);
  });

  it('runs heavy batches of two tournaments on different workers at the same time', async () => {
    const [a] = await tournamentsOn(t, provider, 0, 1);
    const [b] = await tournamentsOn(t, provider, 1, 1);
    const [deskA, deskB] = [await desk(t, account.token), await desk(t, account.token)];
    // Both desks on websocket and both records held by their workers before the timed pairs.
    await Promise.all([upgraded(deskA), upgraded(deskB)]);
    for (const [socket, id] of [
      [deskA, a],
      [deskB, b],
    ] as const) {
      const warm = (await sendBatch(socket, { tournamentIds: [id], methods: [addMany(id, 'Warm', 1)] })) as Ack;
      expect(warm).toMatchObject({ success: true, versions: { [id]: 2 } });
    }
    // Timing on a shared 2-core machine: the proof needs one pair of runs that overlapped; up to three tries.
    const pairs: Array<[RunTiming, RunTiming]> = [];
    for (let attempt = 1; attempt <= 3 && !pairs.some(([x, y]) => overlap(x, y)); attempt++) {
      const [heavyA, heavyB] = [addMany(a, `Heavy A${attempt}`, 1000), addMany(b, `Heavy B${attempt}`, 1000)];
      const sentAt = Date.now();
      const [ackA, ackB] = (await Promise.all([
        sendBatch(deskA, { tournamentIds: [a], methods: [heavyA] }),
        sendBatch(deskB, { tournamentIds: [b], methods: [heavyB] }),
      ])) as Ack[];
      const answeredAt = Date.now();
      expect(ackA).toMatchObject({ success: true, versions: { [a]: attempt + 2 } });
      expect(ackB).toMatchObject({ success: true, versions: { [b]: attempt + 2 } });
      const runA = runsOf(reports, a).at(-1)!.run;
      const runB = runsOf(reports, b).at(-1)!.run;
      // Heavy enough that running one after the other could not look like overlap.
      expect(runA.engineMs).toBeGreaterThan(20);
      expect(runB.engineMs).toBeGreaterThan(20);
      expect(runA.threadId).toBe(pool.status()[0].threadId);
      expect(runB.threadId).toBe(pool.status()[1].threadId);
      expect(runA.threadId).not.toBe(runB.threadId);
      // The workers' clocks are the test's (epoch ms): each run lies between the send and the answer.
      for (const run of [runA, runB]) {
        expect(run.startedAt).toBeGreaterThanOrEqual(sentAt - 5);
        expect(run.startedAt + run.engineMs).toBeLessThanOrEqual(answeredAt + 5);
      }
      pairs.push([runA, runB]);
    }
    const shown = pairs.map(
      ([x, y]) =>
        `A ${x.startedAt.toFixed(1)}+${x.engineMs.toFixed(1)} B ${y.startedAt.toFixed(1)}+${y.engineMs.toFixed(1)}`,
    );
    expect(
      pairs.some(([x, y]) => overlap(x, y)),
      shown.join('; '),
    ).toBe(true);
  });

  it('a read issued while its tournament runs a batch waits for it: never the uncommitted record, never an error', async () => {
    const [id] = await tournamentsOn(t, provider, 0, 1);
    const sender = await desk(t, account.token);
    const SIZE = 400;
    const reads: Array<{ version: number; good: number; bad: number; storedAfter: number }> = [];
    const goodVersions: number[] = [];
    const readOnce = async () => {
      const res = await request(t.url).post('/factory/fetch').set(account.auth).send({ tournamentId: id });
      expect(res.status).toBe(200);
      expect(res.body.success).toBe(true);
      const version = res.body.versions[id] as number;
      const names = participantNames(res.body.tournamentRecords[id]);
      const storedAfter = (await t.storage.tournaments.getVersion(id))!;
      reads.push({
        version,
        good: names.filter((name) => name.startsWith('Good ')).length,
        bad: names.filter((name) => name.startsWith('Bad ')).length,
        storedAfter,
      });
    };
    const watch = watchPool(pool);
    try {
      // Batches that commit alternate with batches the engine refuses after having changed the record.
      for (let round = 0; round < 6; round++) {
        const good = round % 2 === 0;
        const methods = good
          ? [addMany(id, `Good ${round}`, SIZE)]
          : [addMany(id, `Bad ${round}`, SIZE), MISSING_EVENT];
        let answered = false;
        const ack = sendBatch(sender, { tournamentIds: [id], methods }).finally(
          () => (answered = true),
        ) as Promise<Ack>;
        const reader = async () => {
          for (let n = 0; !answered || n < 2; n++) await readOnce();
        };
        await Promise.all([reader(), reader(), reader()]);
        const answer = await ack;
        if (good) {
          expect(answer.success).toBe(true);
          goodVersions.push(answer.versions![id]);
        } else expect(answer.error?.code).toBe('ERR_NOT_FOUND_EVENT');
      }
    } finally {
      watch.stop();
    }
    expect(goodVersions).toEqual([2, 3, 4]);
    expect(await t.storage.tournaments.getVersion(id)).toBe(4);
    // Reads did reach the worker while it ran this tournament's batches (and so waited for them).
    expect(watch.readsDuringRun).toBeGreaterThan(0);
    expect(reads.length).toBeGreaterThanOrEqual(6 * 3 * 2);
    for (const read of reads) {
      // Never the changes of a refused batch, never a version before it was stored, and exactly
      // the participants of the committed batches up to the version read.
      expect(read.bad).toBe(0);
      expect(read.storedAfter).toBeGreaterThanOrEqual(read.version);
      expect(read.good).toBe(goodVersions.filter((v) => v <= read.version).length * SIZE);
    }
  });

  it('a worker killed mid-burst of 8 desks: acked batches stored once, refused ones ERR_ENGINE_RESTARTED and stored once when resent; a new worker serves on', async () => {
    const VICTIM = 1;
    const SURVIVOR = 0;
    const BATCHES = 12;
    const HEAVY = 3;
    const ids = [...(await tournamentsOn(t, provider, SURVIVOR, 4)), ...(await tournamentsOn(t, provider, VICTIM, 4))];
    const sockets: Socket[] = await Promise.all(ids.map(() => desk(t, account.token)));
    const killedThread = pool.status()[VICTIM].threadId;
    expect(killedThread).toBeGreaterThan(0);
    const restartsBefore = pool.status().map((s) => s.restarts);
    expect(restartsBefore).toEqual([0, 0]);

    const plans: Batch[][] = ids.map((id, d) =>
      range(0, BATCHES).map((k) => ({
        ackId: `burst-${d}-${k}`,
        tournamentIds: [id],
        methods: [k === HEAVY ? addMany(id, `Heavy ${d}`, 1000) : addMany(id, `Burst ${d}.${k}`, 5)],
      })),
    );
    const acks = sockets.map((socket) => record<Ack>(socket, 'ack'));
    const watch = watchPool(pool);
    let killedAt = 0;
    try {
      // Every desk flushes its queue at once (no waiting for acks), as after a reconnect.
      plans.forEach((plan, d) => {
        for (const batch of plan) sockets[d].emit('executionQueue', { type: 'executionQueue', payload: batch });
      });
      // Killed while a heavy batch is queued or running on it (and whatever is queued behind it).
      await until(
        () => [...watch.running[VICTIM].values()].some((run) => run.directives.includes('"Heavy ')),
        'heavy batch on the victim worker',
      );
      await pool.kill(VICTIM);
      killedAt = Date.now();
      await Promise.all(sockets.map((socket, d) => waitForCount(socket, 'ack', acks[d], BATCHES, 120_000)));
    } finally {
      watch.stop();
    }

    const refused: Array<{ d: number; batch: Batch }> = [];
    for (const [d, id] of ids.entries()) {
      // Each batch answered once.
      expect(acks[d].map((a) => a.ackId).sort()).toEqual(plans[d].map((b) => b.ackId).sort());
      for (const ack of acks[d]) {
        if (ack.success) continue;
        expect(ack.error).toMatchObject({ code: 'ERR_ENGINE_RESTARTED', retryable: true });
        refused.push({ d, batch: plans[d].find((b) => b.ackId === ack.ackId)! });
      }
      if (pool.slotOf(id) === SURVIVOR) expect(acks[d].every((a) => a.success)).toBe(true);

      // What was acked is stored, once each, at the version its ack named; nothing of the refused.
      const log = await t.storage.log.since(id, 1);
      const succeeded = acks[d].filter((a) => a.success);
      expect(log.map((e) => e.version)).toEqual(range(2, succeeded.length));
      expect(log.map((e) => e.ackId).sort()).toEqual(succeeded.map((a) => a.ackId).sort());
      for (const ack of succeeded) expect(log.find((e) => e.ackId === ack.ackId)?.version).toBe(ack.versions![id]);
      expect(await t.storage.tournaments.getVersion(id)).toBe(succeeded.length + 1);
    }
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.some(({ batch }) => batch.ackId.endsWith(`-${HEAVY}`))).toBe(true);
    expect(refused.every(({ d }) => pool.slotOf(ids[d]) === VICTIM)).toBe(true);

    // The desks send the refused batches again, with the same ackIds: each is stored once.
    for (const { d, batch } of refused) {
      const ack = (await sendBatch(sockets[d], batch)) as Ack;
      expect(ack).toMatchObject({ ackId: batch.ackId, success: true });
    }
    // A batch sent once more after its success is not stored again.
    const again = plans[0][0];
    const repeat = (await sendBatch(sockets[0], again)) as Ack;
    expect(repeat).toMatchObject({
      success: true,
      versions: { [ids[0]]: acks[0].find((a) => a.ackId === again.ackId)!.versions![ids[0]] },
    });

    for (const [d, id] of ids.entries()) {
      const log = await t.storage.log.since(id, 1);
      expect(log.map((e) => e.version)).toEqual(range(2, BATCHES));
      expect(log.map((e) => e.ackId).sort()).toEqual(plans[d].map((b) => b.ackId).sort());
      const stored = await t.storage.tournaments.get(id);
      expect(stored?.version).toBe(BATCHES + 1);
      const names = participantNames(stored!.record).filter(
        (n) => n.startsWith(`Burst ${d}.`) || n.startsWith(`Heavy ${d} `),
      );
      expect(names).toHaveLength(5 * (BATCHES - 1) + 1000);
      expect(new Set(names).size).toBe(names.length);
    }

    // The replacement worker (another thread) runs whatever ran on that slot since, and the next batch.
    const replacement = pool.status()[VICTIM].threadId;
    expect(replacement).toBeGreaterThan(0);
    expect(replacement).not.toBe(killedThread);
    const victimIds = ids.filter((id) => pool.slotOf(id) === VICTIM);
    const next = await sendBatch(sockets[4], {
      tournamentIds: [victimIds[0]],
      methods: [addMany(victimIds[0], 'Next', 2)],
    });
    expect(next).toMatchObject({ success: true, versions: { [victimIds[0]]: BATCHES + 2 } });
    expect(runsOf(reports, victimIds[0]).at(-1)!.run.threadId).toBe(replacement);
    const since = victimIds.flatMap((id) => runsOf(reports, id)).filter((r) => r.run.startedAt >= killedAt);
    expect(since.length).toBeGreaterThan(refused.length);
    expect(since.every((r) => r.run.threadId === replacement)).toBe(true);
    const survivorThread = pool.status()[SURVIVOR].threadId;
    for (const id of ids.filter((x) => pool.slotOf(x) === SURVIVOR)) {
      expect(new Set(runsOf(reports, id).map((r) => r.run.threadId))).toEqual(new Set([survivorThread]));
    }

    const health = await engineHealth(t);
    expect(health.hosts[VICTIM]).toMatchObject({ restarts: 1, threadId: replacement });
    expect(health.hosts[SURVIVOR]).toMatchObject({ restarts: 0, threadId: survivorThread });
    const metrics = (await request(t.url).get('/metrics').expect(200)).text;
    expect(metrics).toMatch(new RegExp(`^cfs_engine_worker_restarts\\{worker="${VICTIM}"\\} 1$`, 'm'));
    expect(metrics).toMatch(new RegExp(`^cfs_engine_worker_restarts\\{worker="${SURVIVOR}"\\} 0$`, 'm'));
  }, 300_000);
});

interface RawAnswer {
  status: number;
  etag?: string;
  encoding?: string;
  body: Buffer;
}

/** A request whose answer is kept as the bytes sent (no decompression). */
function raw(url: string, method: 'GET' | 'POST', path: string, body: object | undefined, encoding: string) {
  return new Promise<RawAnswer>((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(
      `${url}${path}`,
      {
        method,
        headers: {
          'accept-encoding': encoding,
          ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            etag: res.headers.etag,
            encoding: res.headers['content-encoding'],
            body: Buffer.concat(chunks),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

describe.each(BACKENDS)('public answers computed in a worker and in process on %s', (backend) => {
  it('are byte for byte the same for every public route', async () => {
    const store = await testEnv(backend);
    const configFor = (workers: string) =>
      loadConfig({
        NODE_ENV: 'test',
        LOG_LEVEL: 'silent',
        JWT_SECRET: TEST_JWT_SECRET,
        ...store.env,
        ENGINE_WORKERS: workers,
      });
    const provider = testProvider();
    const fixture = publicTournament(provider, { events: 3, drawSize: 16 });
    const { tournamentId, eventIds } = fixture;
    const routes: Array<[string, 'GET' | 'POST', string, object | undefined]> = [
      ['tournamentinfo by GET', 'GET', `/factory/tournamentinfo/${tournamentId}`, undefined],
      [
        'tournamentinfo',
        'POST',
        '/factory/tournamentinfo',
        { tournamentId, withMatchUpStats: true, withVenueData: true },
      ],
      ...eventIds.map((eventId, i): [string, 'POST', string, object] => [
        `eventdata ${i}`,
        'POST',
        '/factory/eventdata',
        { tournamentId, eventId, hydrateParticipants: i === 0 },
      ]),
      ['scheduledmatchups', 'POST', '/factory/scheduledmatchups', { params: { tournamentId } }],
      [
        'scheduledmatchups with options',
        'POST',
        '/factory/scheduledmatchups',
        { params: { tournamentId, courtCompletedMatchUps: true, hydrateParticipants: true, withCourtGridRows: true } },
      ],
      ['participants', 'POST', '/factory/participants', { params: { tournamentId } }],
      [
        'participants with options',
        'POST',
        '/factory/participants',
        { params: { tournamentId, withIndividualParticipants: true, withISO2: true, withIOC: true } },
      ],
    ];
    const answers = async (t: TestApp) => {
      const out: Record<string, { gzip: RawAnswer; plain: RawAnswer }> = {};
      for (const [name, method, path, body] of routes) {
        out[name] = {
          gzip: await raw(t.url, method, path, body, 'gzip'),
          plain: await raw(t.url, method, path, body, 'identity'),
        };
      }
      return out;
    };

    let inProcess: Awaited<ReturnType<typeof answers>>;
    let inWorkers: Awaited<ReturnType<typeof answers>>;
    try {
      // The store is made and published by an in-process server, then served by each in turn
      // (LevelDB is one process's at a time).
      const t0 = await listenApp(configFor('0'));
      try {
        const pool = t0.app.get(MutationExecutor).pool;
        expect(pool.inProcess).toBe(true);
        const reports: BatchReport[] = [];
        t0.app.get(TournamentEvents).onBatch((report) => reports.push(report));
        const account = await seedAccount(t0, { provider });
        await save(t0, account, fixture.record);
        const [e1, e2] = eventIds;
        const firstRound = firstRoundMatchUps(fixture.record, e1);
        await mutate(t0, account, tournamentId, [
          scheduleOn(firstRound.map((m) => m.matchUpId)),
          publishEvent(e1),
          publishEvent(e2),
          publishOrderOfPlay(),
          publishParticipants(),
        ]);
        await mutate(t0, account, tournamentId, [
          scoreDirective(firstRound[0]),
          scoreDirective(firstRound[1], '7-5 6-7(4) 6-2'),
        ]);
        expect(runsOf(reports, tournamentId).map((r) => r.run.threadId)).toEqual([0, 0]);
        expect((await engineHealth(t0)).workers).toBe(0);
        inProcess = await answers(t0);
      } finally {
        await t0.close();
      }

      const t2 = await listenApp(configFor('2'));
      try {
        const pool = t2.app.get(MutationExecutor).pool;
        expect(pool.inProcess).toBe(false);
        const watch = watchPool(pool);
        try {
          inWorkers = await answers(t2);
        } finally {
          watch.stop();
        }
        // Computed by the workers: public reads went to the pool, whose hosts are threads.
        const publicReads = watch.sent.filter(({ request }) => request.type === 'read' && request.read.op === 'public');
        expect(publicReads.length).toBeGreaterThan(0);
        const health = await engineHealth(t2);
        expect(health.workers).toBe(2);
        for (const { slot } of publicReads) expect(health.hosts[slot].threadId).toBeGreaterThan(0);
      } finally {
        await t2.close();
      }
    } finally {
      await store.cleanup();
    }

    for (const [name] of routes) {
      const a = inProcess[name];
      const b = inWorkers[name];
      expect(b.plain.status, name).toBe(a.plain.status);
      expect(b.plain.body.toString('utf8'), name).toBe(a.plain.body.toString('utf8'));
      expect(b.plain.body.equals(a.plain.body), name).toBe(true);
      expect(b.gzip.status, name).toBe(a.gzip.status);
      expect(b.gzip.encoding, name).toBe(a.gzip.encoding);
      expect(b.gzip.body.equals(a.gzip.body), name).toBe(true);
      expect(b.gzip.etag, name).toBe(a.gzip.etag);
      expect(b.plain.etag, name).toBe(a.plain.etag);
    }
    // Real answers, not the same refusal twice.
    const info = JSON.parse(inWorkers['tournamentinfo'].plain.body.toString('utf8')) as { success?: boolean };
    expect(info.success).toBe(true);
    const event = JSON.parse(inWorkers['eventdata 0'].plain.body.toString('utf8')) as { eventData?: unknown };
    expect(event.eventData).toBeDefined();
  }, 180_000);
});
