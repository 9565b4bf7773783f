import { postJson, ReadClient, type TimedRead } from './http';
import { commitRest, type BenchContext } from './scenarios';
import { round, summarize, type Summary } from './stats';

export interface ReadOptions {
  coldReads: number;
  durationS: number;
  connections: number;
}

/** Serial reads: latency, and the rate one client reading back to back gets. */
export interface SerialReads {
  reads: number;
  failures: number;
  latencyMs: Summary;
  requestsPerS: number;
}

export interface ConcurrentReads extends SerialReads {
  connections: number;
}

export interface RouteFigures {
  route: string;
  bytes: number;
  /** First read after a commit: nothing cached, the engine computes the answer. */
  cold: SerialReads;
  /** The same answer read again, one client. */
  warm: SerialReads;
  /** The same answer read again by `connections` clients at once. */
  warmConcurrent: ConcurrentReads;
  /** cold p50 / warm p50 (issue 6 asks at least 20 for eventdata). */
  coldOverWarm: number;
}

export interface PublicFigures {
  eventdata: RouteFigures;
  scheduledmatchups: RouteFigures;
}

/**
 * Public reads of one published tournament, as courthive-public makes them: `eventdata` for one
 * event and `scheduledmatchups` with the options the site sends. Cold: a commit that changes only
 * the tournament name (which moves the version, so every cached answer is stale, and warms nothing)
 * and then one read of each route. Warm: the same reads repeated for `durationS` seconds, first
 * by one client, then by `connections` clients at once (requests/s).
 */
export async function publicReads(
  ctx: BenchContext,
  tournamentId: string,
  eventId: string,
  options: ReadOptions,
): Promise<PublicFigures> {
  const routes = {
    eventdata: { path: '/factory/eventdata', body: { tournamentId, eventId } },
    scheduledmatchups: {
      path: '/factory/scheduledmatchups',
      body: {
        params: {
          tournamentId,
          courtCompletedMatchUps: true,
          withCourtGridRows: true,
          minCourtGridRows: 10,
          nextMatchUps: true,
        },
      },
    },
  };
  await assertPublished(ctx.url, routes.eventdata, routes.scheduledmatchups);
  const serial = new ReadClient(ctx.url, 1);
  const pool = new ReadClient(ctx.url, options.connections);
  try {
    const cold = { eventdata: [] as TimedRead[], scheduledmatchups: [] as TimedRead[] };
    for (let i = 0; i < options.coldReads; i++) {
      await commitRest(ctx, tournamentId, [
        { method: 'setTournamentName', params: { tournamentName: `Bench public ${i % 2}` } },
      ]);
      cold.eventdata.push(await serial.post(routes.eventdata.path, routes.eventdata.body));
      cold.scheduledmatchups.push(await serial.post(routes.scheduledmatchups.path, routes.scheduledmatchups.body));
    }
    const figures = {} as PublicFigures;
    for (const name of ['eventdata', 'scheduledmatchups'] as const) {
      const { path, body } = routes[name];
      await serial.post(path, body);
      const warm = await readFor(serial, path, body, 1, options.durationS);
      const warmConcurrent = await readFor(pool, path, body, options.connections, options.durationS);
      const coldFigures = serialFigures(cold[name]);
      figures[name] = {
        route: path,
        bytes: warm.samples[0]?.bytes ?? 0,
        cold: coldFigures,
        warm: serialFigures(warm.samples, warm.elapsedMs),
        warmConcurrent: {
          connections: options.connections,
          ...serialFigures(warmConcurrent.samples, warmConcurrent.elapsedMs),
        },
        coldOverWarm: 0,
      };
      const warmP50 = figures[name].warm.latencyMs.p50;
      figures[name].coldOverWarm = warmP50 > 0 ? round(coldFigures.latencyMs.p50 / warmP50, 1) : 0;
    }
    return figures;
  } finally {
    serial.close();
    pool.close();
  }
}

/** `clients` loops reading back to back until `durationS` has passed. */
async function readFor(
  client: ReadClient,
  path: string,
  body: object,
  clients: number,
  durationS: number,
): Promise<{ samples: TimedRead[]; elapsedMs: number }> {
  const samples: TimedRead[] = [];
  const started = performance.now();
  const deadline = started + durationS * 1000;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < deadline) samples.push(await client.post(path, body));
    }),
  );
  return { samples, elapsedMs: performance.now() - started };
}

function serialFigures(samples: TimedRead[], elapsedMs?: number): SerialReads {
  const good = samples.filter((s) => s.status === 200);
  const latencyMs = summarize(good.map((s) => s.ms));
  const totalMs = elapsedMs ?? good.reduce((sum, s) => sum + s.ms, 0);
  return {
    reads: good.length,
    failures: samples.length - good.length,
    latencyMs,
    requestsPerS: totalMs > 0 ? round(good.length / (totalMs / 1000), 1) : 0,
  };
}

/** Fast reads of an error answer would flatter the figures: make sure both routes answer real data. */
async function assertPublished(url: string, ...routes: Array<{ path: string; body: object }>): Promise<void> {
  for (const { path, body } of routes) {
    const answer = await postJson<{
      success?: boolean;
      error?: unknown;
      eventData?: unknown;
      dateMatchUps?: unknown[];
    }>(`${url}${path}`, body);
    const hasData = !!answer.eventData || (answer.dateMatchUps?.length ?? 0) > 0;
    if (!answer.success || !hasData)
      throw new Error(`${path} answers no published data: ${JSON.stringify(answer).slice(0, 300)}`);
  }
}
