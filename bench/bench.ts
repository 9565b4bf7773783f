import { existsSync } from 'node:fs';
import type { DeskAccount } from './accounts';
import { postOk } from './http';
import { mixedLoad, type MixedFigures } from './mixed';
import { publicReads, type PublicFigures } from './public-reads';
import {
  coldLoad,
  concurrentDesks,
  inflightBatches,
  sequentialDesk,
  sequentialWithBases,
  settle,
  untilQuiet,
  upload,
  type ConcurrentFigures,
  type BasesFigures,
  type BenchContext,
  type ColdLoadFigures,
  type InflightFigures,
  type LatencyFigures,
} from './scenarios';
import type { ScorePlan } from './tournaments';
import { round } from './stats';
import { cacheFile, loadTournament, SIZES, type BenchTournament } from './tournaments';
import { checkLogs, type LogCheck } from './verify';

/** In the order they run. */
export const SCENARIOS = [
  'sequential',
  'bases',
  'cold',
  'public',
  'tournaments',
  'shared',
  'inflight',
  'mixed',
] as const;
export type Scenario = (typeof SCENARIOS)[number];

export interface BenchOptions {
  sizes: string[];
  scenarios: Scenario[];
  /** Batches of the one-desk scenarios. */
  batches: number;
  /** Pause between an ack and the one desk's next batch (both one-desk scenarios); 0: back to back. */
  paceMs: number;
  /** Untimed batches before it (and before each floor). */
  warmup: number;
  /** Seconds of each many-desk scenario. */
  durationS: number;
  desks: number;
  /** Seconds of each warm-read phase. */
  readDurationS: number;
  coldReads: number;
  connections: number;
  /** Batches of the `inflight` scenario, all sent at once, and the desks sending them. */
  inflight: number;
  inflightDesks: number;
  /** Readers requesting cold public event data while the `mixed` scenario's desk scores. */
  mixedReaders: number;
  /** Timed cold loads (`cold`), and the batches committed before them to leave a log tail. */
  coldLoads: number;
  coldTail: number;
  /** Most batches replayed for each floor. */
  floorLimit: number;
  /** Pause before each floor, so the server's background work after a scenario is not in it. */
  settleMs: number;
  /** Where generated tournaments are kept; undefined: not cached. */
  cacheDir?: string;
  /** Remove the uploaded tournaments at the end (for a server that keeps running). */
  remove: boolean;
}

export interface SizeFigures {
  tournament: {
    events: number;
    drawSize: number;
    participants: number;
    matchUps: number;
    bytes: number;
    generationMs: number;
    fromCache: boolean;
  };
  sequentialDesk?: LatencyFigures;
  /** The one-desk scenario with `baseVersions` on every batch (`bases`). */
  sequentialBases?: BasesFigures;
  desksOnTournaments?: ConcurrentFigures;
  desksOnOneTournament?: ConcurrentFigures;
  /** `inflight` batches sent at once on one tournament: wall time against the engine's total. */
  inflight?: InflightFigures;
  /** One desk's acks alone, then while readers request cold public event data (`mixed`). */
  mixed?: MixedFigures;
  /** Loading the tournament from the store (snapshot + log tail), after the one-desk scenario. */
  coldLoad?: ColdLoadFigures;
  publicReads?: PublicFigures;
  correctness: LogCheck;
  ok: boolean;
}

/** A size's tournament, and whether it came from the cache rather than being generated now. */
export interface PreparedTournament {
  tournament: BenchTournament;
  fromCache: boolean;
}

/**
 * Every size's tournament, loaded or generated before any run. Generating a large one blocks this
 * process for seconds; done between requests, it left a pooled keep-alive connection that the
 * server had closed meanwhile, and the next request failed on it ("fetch failed").
 */
export function prepareTournaments(
  options: Pick<BenchOptions, 'sizes' | 'cacheDir'>,
  progress: (message: string) => void = () => undefined,
): Record<string, PreparedTournament> {
  const prepared: Record<string, PreparedTournament> = {};
  for (const size of options.sizes) {
    const fromCache = !!options.cacheDir && existsSync(cacheFile(options.cacheDir, size));
    progress(`${size}: ${fromCache ? 'loading' : 'generating'} the tournament`);
    prepared[size] = { tournament: loadTournament(size, options.cacheDir), fromCache };
  }
  return prepared;
}

/**
 * Runs the scenarios for each size against the server at `url` as `account`, then checks the log
 * of every tournament touched against the acks. Progress lines go to `progress`.
 */
export async function runBench(
  url: string,
  account: DeskAccount,
  options: BenchOptions,
  prepared: Record<string, PreparedTournament>,
  progress: (message: string) => void = () => undefined,
): Promise<Record<string, SizeFigures>> {
  const results: Record<string, SizeFigures> = {};
  for (const size of options.sizes) {
    const { tournament, fromCache } = prepared[size];
    const ctx: BenchContext = { url, account, ledger: new Map(), uploaded: [], progress };
    const figures: Partial<SizeFigures> = {
      tournament: {
        ...SIZES[size],
        ...{ participants: tournament.participants, matchUps: tournament.matchUps, bytes: tournament.bytes },
        ...{ generationMs: tournament.generationMs, fromCache },
      },
    };
    let scored: { tournamentId: string; plan: ScorePlan } | undefined;
    try {
      if (options.scenarios.includes('sequential')) {
        progress(`${size}: one desk, ${options.batches} batches one after another`);
        const { tournamentId, plan, ...sequential } = await sequentialDesk(ctx, tournament, options);
        figures.sequentialDesk = sequential;
        scored = { tournamentId, plan };
      }
      if (options.scenarios.includes('bases')) {
        progress(`${size}: one desk, ${options.batches} batches with baseVersions, another desk scoring in between`);
        const bases = await sequentialWithBases(ctx, tournament, options);
        if (figures.sequentialDesk?.latencyMs.p50)
          bases.p50OverPlain = round(bases.latencyMs.p50 / figures.sequentialDesk.latencyMs.p50);
        figures.sequentialBases = bases;
      }
      if (options.scenarios.includes('cold')) {
        progress(`${size}: ${options.coldLoads} cold loads (snapshot + log tail) after ${options.coldTail} batches`);
        const { tournamentId, plan, ...cold } = await coldLoad(ctx, tournament, options, scored);
        figures.coldLoad = cold;
        scored = { tournamentId, plan };
      }
      if (options.scenarios.includes('public')) {
        progress(`${size}: public reads, ${options.coldReads} cold and ${options.readDurationS} s warm per route`);
        // The one-desk tournament has results by now, as a site would show them; else a fresh copy.
        // Before the many-desk scenarios, whose hundreds of large writes keep storage busy long after.
        const tournamentId = scored?.tournamentId ?? (await upload(ctx, tournament)).tournamentId;
        await settle(options.settleMs);
        await untilQuiet(ctx);
        figures.publicReads = await publicReads(ctx, tournamentId, tournament.eventIds[0], options);
      }
      if (options.scenarios.includes('tournaments')) {
        progress(`${size}: ${options.desks} desks on ${options.desks} tournaments for ${options.durationS} s`);
        figures.desksOnTournaments = await concurrentDesks(ctx, tournament, { ...options, separate: true });
      }
      if (options.scenarios.includes('shared')) {
        progress(`${size}: ${options.desks} desks on one tournament for ${options.durationS} s`);
        figures.desksOnOneTournament = await concurrentDesks(ctx, tournament, { ...options, separate: false });
      }
      if (options.scenarios.includes('inflight')) {
        const on = options.inflightDesks > 1 ? `${options.inflightDesks} desks` : 'one desk';
        progress(`${size}: ${options.inflight} batches in flight on one tournament (${on})`);
        figures.inflight = await inflightBatches(ctx, tournament, options);
      }
      if (options.scenarios.includes('mixed')) {
        progress(
          `${size}: one desk, ${options.batches} batches alone, then ${options.batches} while ` +
            `${options.mixedReaders} readers request cold event data`,
        );
        figures.mixed = await mixedLoad(ctx, tournament, options);
      }
    } finally {
      progress(`${size}: checking the logs of ${ctx.ledger.size} tournaments against the acks`);
      figures.correctness = await checkLogs(url, account.token, ctx.ledger);
      if (options.remove && ctx.uploaded.length && account.canRemove) {
        await postOk(`${url}/factory/remove`, { tournamentIds: ctx.uploaded }, account.token).catch((error: Error) =>
          progress(`${size}: could not remove the bench tournaments: ${error.message}`),
        );
      }
    }
    figures.ok =
      figures.correctness.ok &&
      (figures.desksOnTournaments?.broadcasts.ok ?? true) &&
      (figures.desksOnOneTournament?.broadcasts.ok ?? true) &&
      // Every batch of the burst must be acked.
      (figures.inflight ? figures.inflight.errors === 0 : true) &&
      // Every batch and read of the mixed load must be answered.
      (figures.mixed ? mixedFailures(figures.mixed) === 0 : true);
    results[size] = figures as SizeFigures;
  }
  return results;
}

function mixedFailures(mixed: MixedFigures): number {
  return mixed.idle.errors + mixed.loaded.errors + mixed.reads.failures;
}
