import { randomBytes } from 'node:crypto';
import { Desk, type BatchResult } from './desk';
import { postJson, ReadClient, type TimedRead } from './http';
import { phaseMeter, scrapeMetrics, type PhaseFigures } from './metrics';
import { commitRest, errorCodesOf, note, settle, upload, type BenchContext, type Uploaded } from './scenarios';
import { round, summarize, type Summary } from './stats';
import type { BenchTournament } from './tournaments';

export interface MixedOptions {
  /** The desk's timed batches in each phase (idle, then with readers). */
  batches: number;
  paceMs: number;
  warmup: number;
  settleMs: number;
  /** Readers reading cold event data during the second phase. */
  mixedReaders: number;
}

/** One desk's batches in one phase. */
export interface DeskPhase {
  batches: number;
  errors: number;
  errorCodes: string[];
  elapsedS: number;
  throughputPerS: number;
  latencyMs: Summary;
  /** The server's phases over the desk's batches (with readers: the readers' renames are in them too). */
  phases?: PhaseFigures;
}

/** A desk's acks without and with readers computing public event data at the same time. */
export interface MixedFigures {
  readers: number;
  /** The desk alone. */
  idle: DeskPhase;
  /** The desk while the readers read. */
  loaded: DeskPhase;
  /** Loaded ack p99 / idle ack p99 (the issue asks at most 2), and the same at p50. */
  p99LoadedOverIdle: number;
  p50LoadedOverIdle: number;
  /** The readers' `POST /factory/eventdata` calls made while the desk's loaded batches ran. */
  reads: {
    reads: number;
    /** Answers other than 200. */
    failures: number;
    latencyMs: Summary;
    requestsPerS: number;
    bytes: number;
  };
  /**
   * The commits (`setTournamentName` over REST) that give each read a new version: `counted` while
   * the desk's loaded batches ran, `all` with the readers' ramp and tail (every one is in the log check).
   */
  renames: { counted: number; all: number; failures: number; latencyMs: Summary };
  /**
   * The public cache's counters (`cfs_public_cache_*_total`) over the loaded phase: every read must
   * miss (`hits` 0); the misses also hold the warmer's, after the desk's scores. Absent without /metrics.
   */
  cache?: { hits: number; misses: number; coalesced: number; computes: number };
}

/**
 * One desk scoring back to back on a published tournament, `batches` batches with nothing else
 * running (idle), then `batches` more while `mixedReaders` readers request public event data
 * without pause, each on a published tournament of its own: a commit that renames it (a new
 * version, so no cached answer applies and nothing is warmed), then one `eventdata` read, again
 * and again. Every read is cold: the engine computes the answer (on the worker that holds that
 * tournament). What the issue asks: the desk's ack p99 with the readers at most twice its idle p99.
 */
export async function mixedLoad(
  ctx: BenchContext,
  tournament: BenchTournament,
  options: MixedOptions,
): Promise<MixedFigures> {
  const spare = await upload(ctx, tournament);
  const target = await upload(ctx, tournament);
  const readers: Uploaded[] = [];
  for (let i = 0; i < options.mixedReaders; i++) readers.push(await upload(ctx, tournament));
  const eventId = tournament.eventIds[0];
  await assertEventData(ctx.url, target.tournamentId, eventId);
  // The uploads' background work (snapshots, warming) is not the idle phase's.
  await settle(options.settleMs);
  const desk = await Desk.open(ctx.url, ctx.account.token, `bench-${randomBytes(3).toString('hex')}-mixed`);
  const client = new ReadClient(ctx.url, options.mixedReaders);
  try {
    await desk.join(target.tournamentId);
    for (let i = 0; i < options.warmup; i++) note(ctx, await desk.send(spare.tournamentId, spare.plan.next()));
    const idle = await deskPhase(ctx, desk, target, options);

    let measuring = false;
    let stopped = false;
    const reads: TimedRead[] = [];
    const renameMs: number[] = [];
    let renames = 0;
    let renameFailures = 0;
    // The desk starts once every reader is past its first rename and read (its record hot on its host).
    let started = 0;
    let markStarted: () => void = () => undefined;
    const ramp = new Promise<void>((resolve) => (markStarted = resolve));
    const loops = readers.map(async (reader) => {
      for (let n = 0; !stopped; n++) {
        // An iteration counts when it began while the desk's loaded batches ran.
        const counted = measuring;
        const before = performance.now();
        const renamed = await commitRest(ctx, reader.tournamentId, [
          { method: 'setTournamentName', params: { tournamentName: `Bench mixed ${n % 2}` } },
        ]).then(
          () => true,
          () => false,
        );
        if (renamed) renames++;
        if (counted && renamed) renameMs.push(performance.now() - before);
        if (counted && !renamed) renameFailures++;
        if (renamed) {
          const read = await client
            .post('/factory/eventdata', { tournamentId: reader.tournamentId, eventId })
            .catch((): TimedRead => ({ ms: 0, status: 0, bytes: 0 }));
          if (counted) reads.push(read);
        }
        if (n === 0 && ++started === readers.length) markStarted();
      }
    });
    let loaded: DeskPhase;
    let cache: MixedFigures['cache'];
    try {
      await ramp;
      const before = await scrapeMetrics(ctx.url);
      measuring = true;
      loaded = await deskPhase(ctx, desk, target, options);
      measuring = false;
      const after = before && (await scrapeMetrics(ctx.url));
      if (before && after) {
        const name = (key: string) => `cfs_public_cache_${key}_total`;
        const delta = (key: string) => (after.get(name(key)) ?? 0) - (before.get(name(key)) ?? 0);
        cache = {
          hits: delta('hits'),
          misses: delta('misses'),
          coalesced: delta('coalesced'),
          computes: delta('computes'),
        };
      }
    } finally {
      stopped = true;
      await Promise.all(loops);
    }
    const good = reads.filter((read) => read.status === 200);
    return {
      readers: readers.length,
      idle,
      loaded,
      p99LoadedOverIdle: idle.latencyMs.p99 > 0 ? round(loaded.latencyMs.p99 / idle.latencyMs.p99) : 0,
      p50LoadedOverIdle: idle.latencyMs.p50 > 0 ? round(loaded.latencyMs.p50 / idle.latencyMs.p50) : 0,
      reads: {
        reads: good.length,
        failures: reads.length - good.length,
        latencyMs: summarize(good.map((read) => read.ms)),
        requestsPerS: loaded.elapsedS > 0 ? round(good.length / loaded.elapsedS, 1) : 0,
        bytes: good[0]?.bytes ?? 0,
      },
      renames: { counted: renameMs.length, all: renames, failures: renameFailures, latencyMs: summarize(renameMs) },
      ...(cache ? { cache } : {}),
    };
  } finally {
    desk.close();
    client.close();
  }
}

/** `batches` batches on `target`, each sent when the last is acked (after `paceMs`). */
async function deskPhase(ctx: BenchContext, desk: Desk, target: Uploaded, options: MixedOptions): Promise<DeskPhase> {
  const meter = await phaseMeter(ctx.url);
  const results: BatchResult[] = [];
  const started = performance.now();
  for (let i = 0; i < options.batches; i++) {
    if (i > 0 && options.paceMs) await settle(options.paceMs);
    const result = await desk.send(target.tournamentId, target.plan.next());
    note(ctx, result);
    results.push(result);
  }
  // The server's time only, not the pauses.
  const elapsedMs = performance.now() - started - options.paceMs * Math.max(0, options.batches - 1);
  const phases = await meter.stop();
  const ok = results.filter((result) => result.ok);
  return {
    batches: ok.length,
    errors: results.length - ok.length,
    errorCodes: errorCodesOf(results),
    elapsedS: round(elapsedMs / 1000),
    throughputPerS: round(ok.length / (elapsedMs / 1000)),
    latencyMs: summarize(ok.map((result) => result.ms)),
    ...(phases ? { phases } : {}),
  };
}

/** Fast error answers would flatter the reads: the event must be published, its data real. */
async function assertEventData(url: string, tournamentId: string, eventId: string): Promise<void> {
  const answer = await postJson<{ success?: boolean; eventData?: unknown }>(`${url}/factory/eventdata`, {
    tournamentId,
    eventId,
  });
  if (!answer.success || !answer.eventData)
    throw new Error(`/factory/eventdata answers no published data: ${JSON.stringify(answer).slice(0, 300)}`);
}
