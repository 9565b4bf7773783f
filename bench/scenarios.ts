import { randomBytes } from 'node:crypto';
import type { Directive, TournamentRecord } from '../src/storage/storage.types';
import type { DeskAccount } from './accounts';
import { Desk, type BatchResult } from './desk';
import { engineFloor, parallelFloor, type ParallelFloor, type Replay } from './floor';
import { postOk } from './http';
import { phaseMeter, scrapeMetrics, waitForQuiet, type PhaseFigures } from './metrics';
import { ratios, round, summarize, type Summary } from './stats';
import { copyTournament, rescored, ScorePlan, type BenchTournament } from './tournaments';
import { checkBroadcasts, type BroadcastCheck, type SentBatch } from './verify';

/** What every scenario needs: the server, the desk account, and the ledger of everything sent. */
export interface BenchContext {
  url: string;
  account: DeskAccount;
  /** Every batch sent, per tournament, for the lost/duplicate check at the end. */
  ledger: Map<string, SentBatch[]>;
  /** Tournaments uploaded (to remove afterwards). */
  uploaded: string[];
  progress: (message: string) => void;
}

export interface Uploaded {
  tournamentId: string;
  json: string;
  plan: ScorePlan;
}

/** Uploads a fresh copy of the tournament (new id) as a desk does, with `/factory/save`. */
export async function upload(ctx: BenchContext, tournament: BenchTournament): Promise<Uploaded> {
  const { json, record } = copyTournament(tournament);
  const answer = await postOk<{ versions: Record<string, number> }>(
    `${ctx.url}/factory/save`,
    `{"tournamentRecord":${json}}`,
    ctx.account.token,
  );
  if (answer.versions?.[record.tournamentId] !== 1) throw new Error(`upload answered ${JSON.stringify(answer)}`);
  ctx.uploaded.push(record.tournamentId);
  ctx.ledger.set(record.tournamentId, []);
  return { tournamentId: record.tournamentId, json, plan: new ScorePlan(record) };
}

/** Puts a desk's batch in the ledger, for the log check at the end. */
export function note(ctx: BenchContext, result: BatchResult): void {
  ctx.ledger.get(result.tournamentId)?.push({
    ackId: result.ackId,
    ok: result.ok,
    version: result.version,
    unanswered: result.error?.code === 'TIMEOUT' || result.error?.code === 'DISCONNECTED',
  });
}

/** One desk's (or several desks') batches: how many were acked, how fast, how long each took. */
export interface AckFigures {
  batches: number;
  errors: number;
  /** First error codes seen (at most 5), to explain `errors`. */
  errorCodes: string[];
  elapsedS: number;
  throughputPerS: number;
  latencyMs: Summary;
}

/** Latencies of acked batches, and the same batches replayed on the engine alone. */
export interface LatencyFigures extends AckFigures {
  floorMs: Summary;
  /** Server latency / engine floor, per percentile. */
  ratioToFloor: { p50: number; p95: number; p99: number; mean: number };
  /** Batches per second the engine alone sustains on one thread (1000 / floor mean). */
  floorThroughputPerS: number;
  /** The server's phases over the timed batches (and the settle after them), from `/metrics`. */
  phases?: PhaseFigures;
}

export function ackFigures(results: BatchResult[], elapsedMs: number): AckFigures {
  const ok = results.filter((r) => r.ok);
  return {
    batches: ok.length,
    errors: results.length - ok.length,
    errorCodes: errorCodesOf(results),
    elapsedS: round(elapsedMs / 1000),
    throughputPerS: round(ok.length / (elapsedMs / 1000)),
    latencyMs: summarize(ok.map((r) => r.ms)),
  };
}

function figures(results: BatchResult[], elapsedMs: number, floor: number[]): LatencyFigures {
  const acks = ackFigures(results, elapsedMs);
  const { latencyMs } = acks;
  const floorMs = summarize(floor);
  return {
    ...acks,
    floorMs,
    ratioToFloor: ratios(latencyMs, floorMs),
    floorThroughputPerS: floorMs.mean > 0 ? round(1000 / floorMs.mean) : 0,
  };
}

/** The first error codes among the results (at most 5). */
export function errorCodesOf(results: BatchResult[]): string[] {
  return [...new Set(results.filter((r) => !r.ok).map((r) => r.error?.code ?? 'UNKNOWN'))].slice(0, 5);
}

/** Background work the batches left behind (cache warming, calendar) must not land in the floor's timing. */
export async function settle(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Until the server has done its background work (snapshots, idle checks): before the engine-alone
 * replay, and before a phase whose figures would otherwise hold the scenario before's.
 */
export async function untilQuiet(ctx: BenchContext): Promise<void> {
  const { quiet, waitedMs } = await waitForQuiet(ctx.url);
  if (!quiet) ctx.progress(`  the server was still busy after ${Math.round(waitedMs / 1000)} s: going on anyway`);
}

/** The batches a tournament received, in the order the server committed them (after the untimed `before`). */
function replayOf(target: Uploaded, results: BatchResult[], before: BatchResult[] = []): Replay {
  const inOrder = (list: BatchResult[]) =>
    list
      .filter((r) => r.ok && r.tournamentId === target.tournamentId)
      .sort((a, b) => a.version! - b.version!)
      .map((r) => r.methods);
  return { json: target.json, batches: inOrder(results), before: inOrder(before) };
}

/**
 * `count` untimed batches from `desk` on the scenario's own tournament, before the timed ones: the
 * engine worker that holds it warms its JIT on them (each worker compiles the engine on its own, and
 * a spare tournament may belong to the other one). The floor applies them untimed too (`before`).
 */
export async function warmUp(ctx: BenchContext, desk: Desk, target: Uploaded, count: number): Promise<BatchResult[]> {
  const warm: BatchResult[] = [];
  for (let i = 0; i < count; i++) {
    const result = await desk.send(target.tournamentId, target.plan.next());
    note(ctx, result);
    warm.push(result);
  }
  return warm;
}

/**
 * The end of a timed scenario: the settle pause (whose background work the phases include), then,
 * once the server is quiet, the same batches on the engine alone (the floor).
 */
async function phasesAndFloor(
  ctx: BenchContext,
  meter: { stop(): Promise<PhaseFigures | undefined> },
  replays: Replay[],
  { settleMs, warmup }: { settleMs: number; warmup: number },
  limit: number,
): Promise<{ phases: PhaseFigures | undefined; floor: number[] }> {
  await settle(settleMs);
  const phases = await meter.stop();
  await untilQuiet(ctx);
  const batches = replays.reduce((sum, replay) => sum + replay.batches.length, 0);
  ctx.progress(`  floor: replaying ${Math.min(limit, batches)} batches on the engine alone`);
  return { phases, floor: engineFloor(replays, limit, warmup) };
}

/** The many-desk figures. */
export interface ConcurrentFigures extends LatencyFigures {
  desks: number;
  tournaments: number;
  /** On tournaments of their own: the same batches on the engine alone, one thread per core at once. */
  parallelFloor?: ParallelFloor;
  /** Batches/s over the parallel floor's: how much of what the cores can do with the engine the server gets. */
  overParallelFloor?: number;
  broadcasts: BroadcastCheck;
  perDesk: number[];
}

export interface SequentialOptions {
  batches: number;
  /** Pause between an ack and the next batch (a scorer's pace); 0: back to back. */
  paceMs: number;
  warmup: number;
  floorLimit: number;
  settleMs: number;
}

/**
 * One desk scoring matches one after another, each batch sent when the previous one is acked:
 * the latency a scorer at a desk feels. A few untimed batches first (JIT, connection, hot caches),
 * as the floor gets its own warm-up.
 */
export async function sequentialDesk(
  ctx: BenchContext,
  tournament: BenchTournament,
  options: SequentialOptions,
): Promise<LatencyFigures & { tournamentId: string; plan: ScorePlan }> {
  const target = await upload(ctx, tournament);
  const desk = await Desk.open(ctx.url, ctx.account.token, `bench-${randomBytes(3).toString('hex')}-seq`);
  try {
    await desk.join(target.tournamentId);
    const warm = await warmUp(ctx, desk, target, options.warmup);
    const meter = await phaseMeter(ctx.url);
    const { results, elapsedMs: elapsed } = await pacedBatches(ctx, desk, target, options);
    const replays = [replayOf(target, results, warm)];
    const { phases, floor } = await phasesAndFloor(ctx, meter, replays, options, options.floorLimit);
    return { tournamentId: target.tournamentId, plan: target.plan, ...figures(results, elapsed, floor), phases };
  } finally {
    desk.close();
  }
}

/**
 * `batches` batches on `target` from one desk, each sent when the last is acked (after `paceMs`);
 * `elapsedMs` is the server's time only, not the pauses.
 */
export async function pacedBatches(
  ctx: BenchContext,
  desk: Desk,
  target: Uploaded,
  options: { batches: number; paceMs: number },
  onAck: () => void = () => undefined,
): Promise<{ results: BatchResult[]; elapsedMs: number }> {
  const results: BatchResult[] = [];
  const started = performance.now();
  for (let i = 0; i < options.batches; i++) {
    if (i > 0 && options.paceMs) await settle(options.paceMs);
    const result = await desk.send(target.tournamentId, target.plan.next());
    note(ctx, result);
    results.push(result);
    onAck();
  }
  return { results, elapsedMs: performance.now() - started - options.paceMs * Math.max(0, options.batches - 1) };
}

/** The one-desk figures when every batch carries `baseVersions`, with what the bases met. */
export interface BasesFigures extends LatencyFigures {
  /** The desk's acked batches whose base was behind the stored version (the other desk had committed since). */
  lagged: number;
  /** The most versions a base was behind. */
  maxLag: number;
  /** Ack p50 of the lagged batches, and of those whose base was the stored version. */
  laggedP50Ms: number;
  currentP50Ms: number;
  /**
   * The other desk's batches (untimed), with bases too: a refusal of one of them is an error as
   * well. `sameSignIn`: it had to use the desk's own token (only a token was given), so the server
   * takes its batches for the desk's own and compares nothing.
   */
  otherDesk: { batches: number; errors: number; errorCodes: string[]; sameSignIn: boolean };
  /**
   * After the timed batches, the other desk scores one of its matchUps and the desk sends another
   * score for it, based on the version before: `refused` (ERR_CONFLICT: the server checks bases),
   * `applied` (it ignores them), or `failed: CODE`. Not counted in the figures above.
   */
  conflictProbe: string;
  /** Ack p50 here / ack p50 of the plain one-desk scenario of the same run (when both ran). */
  p50OverPlain?: number;
}

/**
 * The one-desk scenario with `baseVersions` on every batch: the version the desk's copy holds (its
 * last ack's, the join version first). Before every second batch another desk commits a score on
 * the same tournament (untimed; in an event of its own, whose players are in no other event: no
 * matchUp, draw or participant in common), so half the bases are one version behind the stored one
 * and the server reads the log after them, finding no conflict; the other half equal the stored
 * version. The other desk's batch is acked before the measured one
 * is sent, so the measured latency holds no wait on the tournament's lock, and compares with the
 * plain scenario's.
 */
export async function sequentialWithBases(
  ctx: BenchContext,
  tournament: BenchTournament,
  options: SequentialOptions,
): Promise<BasesFigures> {
  const target = await upload(ctx, tournament);
  if (tournament.eventIds.length < 2) throw new Error('the bases scenario needs a tournament of two events or more');
  // The other desk scores the second event (players of its own), the desk every other event.
  const record = JSON.parse(target.json) as TournamentRecord;
  const plan = new ScorePlan(record, (event) => event !== 1);
  const otherPlan = new ScorePlan(record, (event) => event === 1);
  const run = randomBytes(3).toString('hex');
  const desk = await Desk.open(ctx.url, ctx.account.token, `bench-${run}-bases`);
  // Another sign-in of the user: the server finds no conflict with a sign-in's own batches.
  const other = await Desk.open(ctx.url, ctx.account.otherToken ?? ctx.account.token, `bench-${run}-other`);
  try {
    let base = (await desk.join(target.tournamentId)) ?? 1;
    let otherBase = (await other.join(target.tournamentId)) ?? 1;
    // Untimed first, on this tournament (see warmUp), with bases as well.
    const warm: BatchResult[] = [];
    for (let i = 0; i < options.warmup; i++) {
      const result = await desk.send(target.tournamentId, plan.next(), base);
      note(ctx, result);
      warm.push(result);
      if (result.ok) base = result.version!;
    }
    const results: BatchResult[] = [];
    const others: BatchResult[] = [];
    let otherMs = 0;
    const meter = await phaseMeter(ctx.url);
    const started = performance.now();
    for (let i = 0; i < options.batches; i++) {
      if (i > 0 && options.paceMs) await settle(options.paceMs);
      if (i % 2 === 1) {
        const before = performance.now();
        const result = await other.send(target.tournamentId, otherPlan.next(), otherBase);
        otherMs += performance.now() - before;
        note(ctx, result);
        others.push(result);
        if (result.ok) otherBase = result.version!;
      }
      const result = await desk.send(target.tournamentId, plan.next(), base);
      note(ctx, result);
      results.push(result);
      if (result.ok) base = result.version!;
    }
    // Throughput counts the measured desk's batches only: not the pauses, not the other desk's.
    const elapsed = performance.now() - started - otherMs - options.paceMs * Math.max(0, options.batches - 1);

    // The probe: the other desk scores a matchUp, then the desk, on the version before, another score for it.
    const stored = Math.max(base, otherBase);
    const change = otherPlan.next();
    const first = await other.send(target.tournamentId, change, otherBase);
    note(ctx, first);
    let conflictProbe = `failed: the other desk's batch: ${first.error?.code ?? 'UNKNOWN'}`;
    if (first.ok) {
      const probe = await desk.send(target.tournamentId, rescored(change), stored);
      note(ctx, probe);
      conflictProbe = probe.ok
        ? 'applied'
        : probe.error?.code === 'ERR_CONFLICT'
          ? 'refused'
          : `failed: ${probe.error?.code ?? 'UNKNOWN'}`;
    }

    // The phases hold the other desk's batches and the probe's too. The floor replays the measured
    // desk's batches alone: the other desk's touch another event, so the sequence stays valid.
    const replays = [replayOf(target, results, warm)];
    const { phases, floor } = await phasesAndFloor(ctx, meter, replays, options, options.floorLimit);
    const lags = results.filter((r) => r.ok).map((r) => ({ ms: r.ms, lag: r.version! - 1 - r.base! }));
    return {
      ...figures(results, elapsed, floor),
      lagged: lags.filter((l) => l.lag > 0).length,
      maxLag: Math.max(0, ...lags.map((l) => l.lag)),
      laggedP50Ms: summarize(lags.filter((l) => l.lag > 0).map((l) => l.ms)).p50,
      currentP50Ms: summarize(lags.filter((l) => l.lag === 0).map((l) => l.ms)).p50,
      otherDesk: {
        batches: others.filter((r) => r.ok).length,
        errors: others.filter((r) => !r.ok).length,
        errorCodes: errorCodesOf(others),
        sameSignIn: !ctx.account.otherToken,
      },
      conflictProbe,
      phases,
    };
  } finally {
    desk.close();
    other.close();
  }
}

export interface ConcurrentOptions {
  desks: number;
  /** true: one tournament per desk; false: every desk on one tournament. */
  separate: boolean;
  durationS: number;
  floorLimit: number;
  warmup: number;
  settleMs: number;
}

/**
 * `desks` desks, each sending its next batch as soon as the last is acked, for `durationS`
 * seconds: on a tournament each (batches run side by side, only the event loop and storage are
 * shared) or all on one (batches queue on its lock). Every desk joins its tournament's room, so
 * the fan-out of `tournamentMutation` broadcasts is part of the load, and is checked: each desk
 * must hear every other desk's batch exactly once. Each desk first sends `warmup` batches, untimed
 * (the floor applies them untimed too).
 */
export async function concurrentDesks(
  ctx: BenchContext,
  tournament: BenchTournament,
  options: ConcurrentOptions,
): Promise<ConcurrentFigures> {
  const targets: Uploaded[] = [];
  for (let i = 0; i < (options.separate ? options.desks : 1); i++) targets.push(await upload(ctx, tournament));
  const run = randomBytes(3).toString('hex');
  const desks = await Promise.all(
    Array.from({ length: options.desks }, (_, i) => Desk.open(ctx.url, ctx.account.token, `bench-${run}-d${i}`)),
  );
  try {
    const targetOf = (i: number) => targets[options.separate ? i : 0];
    const joinedAt = await Promise.all(desks.map((desk, i) => desk.join(targetOf(i).tournamentId)));
    // `count` batches from every desk at once, or (count undefined) until `deadline`.
    const scoring = async (count: number | undefined, deadline = Infinity) => {
      const perDesk: BatchResult[][] = desks.map(() => []);
      await Promise.all(
        desks.map(async (desk, i) => {
          const target = targetOf(i);
          for (let n = 0; (count === undefined || n < count) && performance.now() < deadline; n++) {
            // The shared plan hands out first-round matches in turn: no two desks score the same one at once.
            const result = await desk.send(target.tournamentId, target.plan.next());
            note(ctx, result);
            perDesk[i].push(result);
          }
        }),
      );
      return perDesk;
    };
    // Untimed first, as in the one-desk scenarios: every engine worker has met these records and
    // warmed its JIT (each worker compiles on its own), so the timed part is the steady state.
    const warm = await scoring(options.warmup);
    const meter = await phaseMeter(ctx.url);
    const started = performance.now();
    const perDesk = await scoring(undefined, started + options.durationS * 1000);
    const elapsed = performance.now() - started;
    await Promise.all(desks.map((desk) => desk.sync()));

    const results = perDesk.flat();
    const sent = [...warm.flat(), ...results];
    const acked = new Map<string, number[]>();
    for (const r of sent) if (r.ok) acked.set(r.tournamentId, [...(acked.get(r.tournamentId) ?? []), r.version!]);
    const broadcasts = checkBroadcasts(
      desks.map((desk, i) => {
        const tournamentId = targetOf(i).tournamentId;
        return {
          tournamentId,
          joinedAt: joinedAt[i] ?? 0,
          own: new Set([...warm[i], ...perDesk[i]].filter((r) => r.ok).map((r) => r.version!)),
          received: desk.broadcasts.get(tournamentId) ?? [],
        };
      }),
      acked,
    );
    const replays = targets.map((target) => replayOf(target, results, warm.flat()));
    const { phases, floor } = await phasesAndFloor(ctx, meter, replays, options, options.floorLimit);
    const latency = figures(results, elapsed, floor);
    const parallel = options.separate ? await parallelFloor(replays, options.floorLimit, options.warmup) : undefined;
    return {
      desks: options.desks,
      tournaments: targets.length,
      ...latency,
      ...(parallel && {
        parallelFloor: parallel,
        overParallelFloor: round(latency.throughputPerS / parallel.throughputPerS),
      }),
      perDesk: perDesk.map((list) => list.filter((r) => r.ok).length),
      broadcasts,
      phases,
    };
  } finally {
    for (const desk of desks) desk.close();
  }
}

/** Commits a batch over REST (`POST /factory`) with an ackId, noted in the ledger like desk batches. */
export async function commitRest(ctx: BenchContext, tournamentId: string, methods: Directive[]): Promise<number> {
  const ackId = `bench-rest-${randomBytes(6).toString('hex')}`;
  const answer = await postOk<{ versions: Record<string, number> }>(
    `${ctx.url}/factory`,
    { tournamentIds: [tournamentId], methods, ackId },
    ctx.account.token,
  );
  const version = answer.versions[tournamentId];
  ctx.ledger.get(tournamentId)?.push({ ackId, ok: true, version });
  return version;
}

export interface InflightOptions {
  /** Batches sent at once. */
  inflight: number;
  /** Desks sending them (all on the one tournament), batches dealt out in turn. */
  inflightDesks: number;
  warmup: number;
  settleMs: number;
}

/** A burst of batches on one tournament: wall time against the engine's own total for them. */
export interface InflightFigures {
  desks: number;
  sent: number;
  /** Acked batches, and those answered with an error or not at all (all must be acked). */
  batches: number;
  errors: number;
  errorCodes: string[];
  /** From the first send to the last ack. */
  wallMs: number;
  /** The same batches replayed on the engine alone (the floor), in commit order, summed. */
  engineTotalMs: number;
  /** wallMs / engineTotalMs (issue 15 asks at most 1.3). */
  wallOverEngine: number;
  /** Each batch's send to its ack: mostly waiting behind the batches sent before it. */
  latencyMs: Summary;
  floorMs: Summary;
  throughputPerS: number;
  floorThroughputPerS: number;
  /** The server's phases (its own engine total is `phases.engineTotalMs`). */
  phases?: PhaseFigures;
}

/**
 * `inflight` batches on one tournament, every one sent without waiting for any ack (as a desk
 * flushing its offline queue, or a few of them at once): all must be acked. The wall time from
 * the first send to the last ack against the engine's own total for the same batches, replayed
 * on the floor (all of them, whatever `--floor-limit`): what the server adds to a stream of work.
 */
export async function inflightBatches(
  ctx: BenchContext,
  tournament: BenchTournament,
  options: InflightOptions,
): Promise<InflightFigures> {
  const target = await upload(ctx, tournament);
  const run = randomBytes(3).toString('hex');
  const desks = await Promise.all(
    Array.from({ length: options.inflightDesks }, (_, i) =>
      Desk.open(ctx.url, ctx.account.token, `bench-${run}-f${i}`),
    ),
  );
  try {
    await Promise.all(desks.map((desk) => desk.join(target.tournamentId)));
    const warm = await warmUp(ctx, desks[0], target, options.warmup);
    const batches = Array.from({ length: options.inflight }, () => target.plan.next());
    const meter = await phaseMeter(ctx.url);
    const started = performance.now();
    const results = await Promise.all(
      // Each waits behind the ones sent before it: a minute plus a second for each of those.
      batches.map((methods, i) =>
        desks[i % desks.length].send(target.tournamentId, methods, undefined, 60_000 + 1000 * i),
      ),
    );
    const wallMs = performance.now() - started;
    for (const result of results) note(ctx, result);
    const replays = [replayOf(target, results, warm)];
    const { phases, floor } = await phasesAndFloor(ctx, meter, replays, options, options.inflight);
    const engineTotalMs = floor.reduce((sum, ms) => sum + ms, 0);
    const ok = results.filter((r) => r.ok);
    const floorMs = summarize(floor);
    return {
      desks: desks.length,
      sent: results.length,
      batches: ok.length,
      errors: results.length - ok.length,
      errorCodes: errorCodesOf(results),
      wallMs: round(wallMs),
      engineTotalMs: round(engineTotalMs),
      wallOverEngine: engineTotalMs > 0 ? round(wallMs / engineTotalMs) : 0,
      latencyMs: summarize(ok.map((r) => r.ms)),
      floorMs,
      throughputPerS: round(ok.length / (wallMs / 1000)),
      floorThroughputPerS: floorMs.mean > 0 ? round(1000 / floorMs.mean) : 0,
      phases,
    };
  } finally {
    for (const desk of desks) desk.close();
  }
}

export interface ColdLoadOptions {
  /** Timed loads. */
  coldLoads: number;
  /** Batches committed just before, so that a load replays a tail after the snapshot. */
  coldTail: number;
  settleMs: number;
}

/** Loading a tournament from the store: the latest snapshot plus a replay of the log after it. */
export interface ColdLoadFigures {
  loads: number;
  /** `POST /factory/tournamentinfo`, the first public read of a fresh copy: request to answer. */
  latencyMs: Summary;
  /** Batches committed right before the loads. */
  tailBatches: number;
  /**
   * Log entries the server replayed per load (`cfs_replayed_entries_total`): the tail actually
   * behind the snapshot, which the server's own snapshots may have cut short of `tailBatches`.
   */
  replayedPerLoad?: number;
  /** Snapshots the server wrote during the loads: more than 0 means the tail changed under them. */
  snapshotsWritten?: number;
  /** The starting record's JSON size. */
  bytes: number;
}

/**
 * A cold load, over the wire: the first public read of a tournament (`POST /factory/tournamentinfo`)
 * loads it where public answers are computed, which is what a batch or a read does when the
 * tournament is not in memory: latest snapshot, parse, replay of the log after it. With the engine
 * pool that is the tournament's read replica in the next worker, which nothing has loaded yet on a
 * fresh copy; with ENGINE_WORKERS=0 it is the record the upload left in memory (not a cold load:
 * the report says which). Each load is on a fresh copy with `coldTail` batches committed just
 * before (new participants: they change no published event, so the server's cache warming leaves
 * the replica alone), so that the load has a tail to replay; the loads follow within the server's
 * idle delay (SNAPSHOT_IDLE_MS, 5 s), before it snapshots the tail away.
 */
export async function coldLoad(
  ctx: BenchContext,
  tournament: BenchTournament,
  options: ColdLoadOptions,
  /** The tournament a scenario scored, with its plan: carried on to the next scenarios. */
  scored?: { tournamentId: string; plan: ScorePlan },
): Promise<ColdLoadFigures & { tournamentId: string; plan: ScorePlan }> {
  const desk = await Desk.open(ctx.url, ctx.account.token, `bench-${randomBytes(3).toString('hex')}-cold`);
  const times: number[] = [];
  let last: Uploaded | undefined;
  let before: Awaited<ReturnType<typeof scrapeMetrics>>;
  let replayed = 0;
  let snapshots = 0;
  try {
    for (let i = 0; i < options.coldLoads; i++) {
      last = await upload(ctx, tournament);
      const { tournamentId } = last;
      for (let n = 0; n < options.coldTail; n++) {
        note(ctx, await desk.send(tournamentId, [newParticipant(tournamentId, `Cold ${i}.${n}`)]));
      }
      // The server's work after the last commit is not the load's.
      await settle(Math.min(options.settleMs, 300));
      before = await scrapeMetrics(ctx.url);
      const replayedBefore = before?.get('cfs_replayed_entries_total') ?? 0;
      const snapshotsBefore = before?.get('cfs_snapshots_written_total') ?? 0;
      const started = performance.now();
      await postOk(`${ctx.url}/factory/tournamentinfo`, { tournamentId }, ctx.account.token);
      times.push(performance.now() - started);
      const after = before && (await scrapeMetrics(ctx.url));
      if (after) {
        replayed += (after.get('cfs_replayed_entries_total') ?? 0) - replayedBefore;
        snapshots += (after.get('cfs_snapshots_written_total') ?? 0) - snapshotsBefore;
      }
    }
  } finally {
    desk.close();
  }
  const carried = scored ?? last!;
  return {
    tournamentId: carried.tournamentId,
    plan: carried.plan,
    loads: times.length,
    latencyMs: summarize(times),
    tailBatches: options.coldTail,
    ...(before === undefined
      ? {}
      : { replayedPerLoad: round(replayed / Math.max(1, times.length)), snapshotsWritten: snapshots }),
    bytes: tournament.bytes,
  };
}

/** A batch that adds one unentered player: a change no published answer shows. */
function newParticipant(tournamentId: string, name: string): Directive {
  const id = randomBytes(8).toString('hex');
  return {
    method: 'addParticipants',
    params: {
      tournamentId,
      participants: [
        {
          participantId: `bench-${id}`,
          participantType: 'INDIVIDUAL',
          participantRole: 'COMPETITOR',
          participantName: name,
          person: { personId: `bench-person-${id}`, standardFamilyName: name, standardGivenName: 'Bench' },
        },
      ],
    },
  };
}
