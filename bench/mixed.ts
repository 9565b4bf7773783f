import { randomBytes } from 'node:crypto';
import { Desk } from './desk';
import { postJson, ReadClient, type TimedRead } from './http';
import { phaseMeter, scrapeMetrics, type PhaseFigures } from './metrics';
import {
  ackFigures,
  pacedBatches,
  settle,
  untilQuiet,
  warmUp,
  upload,
  type AckFigures,
  type BenchContext,
  type Uploaded,
} from './scenarios';
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

/** One desk's batches in one phase, with the server's phases over them. */
export interface DeskPhase extends AckFigures {
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
   * The public cache's counters (`cfs_public_cache_*_total`) over the loaded phase: a version's
   * readers share one computation (`coalesced`); `hits` are versions the server's own warming
   * computed first. Absent without /metrics.
   */
  cache?: { hits: number; misses: number; coalesced: number; computes: number };
}

/**
 * One desk scoring back to back on a published tournament, `batches` batches with nothing else
 * running (idle), then `batches` more while `mixedReaders` readers follow the same tournament as a
 * live results page does: each reads its public event data as soon as a new version is acked, so
 * every version's answer is computed afresh (one computation shared by the readers of that
 * version). What the issue asks: the desk's ack p99 with the readers at most twice its idle p99.
 */
export async function mixedLoad(
  ctx: BenchContext,
  tournament: BenchTournament,
  options: MixedOptions,
): Promise<MixedFigures> {
  const target = await upload(ctx, tournament);
  const eventId = tournament.eventIds[0];
  await assertEventData(ctx.url, target.tournamentId, eventId);
  // The uploads' background work (snapshots, warming), and the scenario before's, is not the idle phase's.
  await settle(options.settleMs);
  await untilQuiet(ctx);
  const desk = await Desk.open(ctx.url, ctx.account.token, `bench-${randomBytes(3).toString('hex')}-mixed`);
  const client = new ReadClient(ctx.url, options.mixedReaders);
  try {
    await desk.join(target.tournamentId);
    await warmUp(ctx, desk, target, options.warmup);
    const idle = await deskPhase(ctx, desk, target, options);

    // Each ack of the desk is a new version: the readers wake and read it.
    let version = 0;
    let wake: () => void = () => undefined;
    let next = new Promise<void>((resolve) => (wake = resolve));
    const acked = () => {
      version++;
      const woken = wake;
      next = new Promise<void>((resolve) => (wake = resolve));
      woken();
    };
    let measuring = false;
    let stopped = false;
    const reads: TimedRead[] = [];
    const loops = Array.from({ length: options.mixedReaders }, async () => {
      let seen = -1;
      while (!stopped) {
        if (seen === version) await next;
        if (stopped) break;
        seen = version;
        // A read counts when it began while the desk's loaded batches ran.
        const counted = measuring;
        const read = await client
          .post('/factory/eventdata', { tournamentId: target.tournamentId, eventId })
          .catch((): TimedRead => ({ ms: 0, status: 0, bytes: 0 }));
        if (counted) reads.push(read);
      }
    });
    let loaded: DeskPhase;
    let cache: MixedFigures['cache'];
    try {
      const before = await scrapeMetrics(ctx.url);
      measuring = true;
      loaded = await deskPhase(ctx, desk, target, options, acked);
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
      wake();
      await Promise.all(loops);
    }
    const good = reads.filter((read) => read.status === 200);
    return {
      readers: options.mixedReaders,
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
      ...(cache ? { cache } : {}),
    };
  } finally {
    desk.close();
    client.close();
  }
}

/** `batches` batches on `target`, each sent when the last is acked (after `paceMs`). */
async function deskPhase(
  ctx: BenchContext,
  desk: Desk,
  target: Uploaded,
  options: MixedOptions,
  onAck: () => void = () => undefined,
): Promise<DeskPhase> {
  const meter = await phaseMeter(ctx.url);
  const { results, elapsedMs } = await pacedBatches(ctx, desk, target, options, onAck);
  const phases = await meter.stop();
  return { ...ackFigures(results, elapsedMs), ...(phases ? { phases } : {}) };
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
