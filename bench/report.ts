import type { SizeFigures } from './bench';
import type { PhaseFigures } from './metrics';
import type { LatencyFigures } from './scenarios';
import { textTable } from '../src/common/text-table';

/** The summary as plain-text tables (for a terminal; the JSON is the record). */
export function table(sizes: Record<string, SizeFigures>): string {
  const mutations: string[][] = [
    [
      'size',
      'scenario',
      'batches',
      'errors',
      'batches/s',
      'p50 ms',
      'p95 ms',
      'p99 ms',
      'floor p50',
      'x floor p50/p95/p99',
    ],
  ];
  const reads: string[][] = [
    [
      'size',
      'route',
      'cold p50',
      'cold p99',
      'warm p50',
      'warm p99',
      'warm req/s',
      'req/s (n conn)',
      'p99 (n conn)',
      'cold/warm',
    ],
  ];
  const phases: string[][] = [
    [
      'size',
      'scenario',
      'batches',
      'lock wait',
      'load',
      'engine',
      'store',
      'batch',
      'snapshots',
      'ms/snapshot',
      'snapshot/batch',
      'replayed',
      'continued',
    ],
  ];
  const checks: string[] = [];
  const bases: string[] = [];
  const inflight: string[] = [];
  const cold: string[] = [];
  const mixed: string[] = [];
  const rates: string[] = [];
  for (const [size, figures] of Object.entries(sizes)) {
    const own = figures.desksOnTournaments;
    if (own) {
      const overFloor = own.floorThroughputPerS ? own.throughputPerS / own.floorThroughputPerS : 0;
      rates.push(
        `${size}: ${own.throughputPerS.toFixed(1)} batches/s = ${overFloor.toFixed(2)}x one engine thread ` +
          `(${own.floorThroughputPerS.toFixed(1)})` +
          (own.parallelFloor
            ? `; ${own.overParallelFloor}x the engine alone on ${own.parallelFloor.threads} threads at once ` +
              `(${own.parallelFloor.throughputPerS.toFixed(1)}, ` +
              `${(own.parallelFloor.throughputPerS / own.floorThroughputPerS).toFixed(2)}x one thread)`
            : ''),
      );
    }
    const scenarios: Array<[string, LatencyFigures | undefined]> = [
      ['1 desk, sequential', figures.sequentialDesk],
      ['1 desk, with bases', figures.sequentialBases],
      [`${figures.desksOnTournaments?.desks ?? ''} desks, own tournaments`, figures.desksOnTournaments],
      [`${figures.desksOnOneTournament?.desks ?? ''} desks, one tournament`, figures.desksOnOneTournament],
    ];
    const withPhases: Array<[string, PhaseFigures | undefined]> = [
      ...scenarios.map(([name, f]): [string, PhaseFigures | undefined] => [name, f?.phases]),
      [`${figures.inflight?.sent ?? ''} in flight`, figures.inflight?.phases],
    ];
    for (const [name, p] of withPhases) {
      if (!p) continue;
      phases.push([
        size,
        name,
        String(p.batches),
        ms(p.lockWaitMs),
        ms(p.loadMs),
        ms(p.engineMs),
        ms(p.storeMs),
        ms(p.batchMs),
        String(p.snapshotsWritten),
        p.snapshotWriteMs === undefined ? '-' : ms(p.snapshotWriteMs),
        p.snapshotMsPerBatch === undefined ? '-' : ms(p.snapshotMsPerBatch),
        String(p.replayedEntries),
        String(p.continued),
      ]);
    }
    const burst = figures.inflight;
    if (burst) {
      inflight.push(
        `${size}: ${burst.sent} sent at once by ${burst.desks} desk${burst.desks > 1 ? 's' : ''}, ` +
          `${burst.batches} acked, ${burst.errors} errors${burst.errorCodes.length ? ` (${burst.errorCodes.join(', ')})` : ''}; ` +
          `wall ${ms(burst.wallMs)} ms, engine alone ${ms(burst.engineTotalMs)} ms` +
          `${burst.phases ? ` (in the server ${ms(burst.phases.engineTotalMs)} ms)` : ''}: ${burst.wallOverEngine}x`,
      );
    }
    const load = figures.coldLoad;
    if (load) {
      cold.push(
        `${size}: ${load.loads} loads of ${Math.round(load.bytes / 1024)} KB: p50 ${ms(load.latencyMs.p50)} ms, ` +
          `p95 ${ms(load.latencyMs.p95)}, max ${ms(load.latencyMs.max)}; ` +
          (load.replayedPerLoad === undefined
            ? `after ${load.tailBatches} batches (replayed entries unknown: no /metrics)`
            : `log entries replayed per load ${load.replayedPerLoad} (after ${load.tailBatches} batches), ` +
              `${load.snapshotsWritten} snapshots written meanwhile`),
      );
    }
    const mix = figures.mixed;
    if (mix) {
      const { idle, loaded, reads, cache } = mix;
      const failed = idle.errors + loaded.errors + reads.failures;
      mixed.push(
        `${size}: idle p50 ${ms(idle.latencyMs.p50)} / p99 ${ms(idle.latencyMs.p99)} ms (${idle.batches} batches); ` +
          `with ${mix.readers} readers p50 ${ms(loaded.latencyMs.p50)} / p99 ${ms(loaded.latencyMs.p99)} ms ` +
          `(${loaded.batches}): p99 ${mix.p99LoadedOverIdle}x idle; ` +
          `${reads.reads} reads of new versions, p50 ${ms(reads.latencyMs.p50)} ms, p99 ${ms(reads.latencyMs.p99)}, ` +
          `${reads.requestsPerS}/s` +
          (cache ? `, computed ${cache.computes}, shared ${cache.coalesced}, warmed first ${cache.hits}` : '') +
          `; ${failed ? `${failed} FAILED` : 'no errors'}`,
      );
    }
    for (const [name, f] of scenarios) {
      if (!f) continue;
      mutations.push([
        size,
        name,
        String(f.batches),
        // With bases, a refusal of the other desk's batches counts too.
        String(f.errors + (f === figures.sequentialBases ? figures.sequentialBases.otherDesk.errors : 0)),
        f.throughputPerS.toFixed(1),
        ms(f.latencyMs.p50),
        ms(f.latencyMs.p95),
        ms(f.latencyMs.p99),
        ms(f.floorMs.p50),
        `${f.ratioToFloor.p50} / ${f.ratioToFloor.p95} / ${f.ratioToFloor.p99}`,
      ]);
    }
    for (const route of [figures.publicReads?.eventdata, figures.publicReads?.scheduledmatchups]) {
      if (!route) continue;
      reads.push([
        size,
        route.route.replace('/factory/', ''),
        ms(route.cold.latencyMs.p50),
        ms(route.cold.latencyMs.p99),
        ms(route.warm.latencyMs.p50),
        ms(route.warm.latencyMs.p99),
        route.warm.requestsPerS.toFixed(0),
        `${route.warmConcurrent.requestsPerS.toFixed(0)} (${route.warmConcurrent.connections})`,
        ms(route.warmConcurrent.latencyMs.p99),
        `${route.coldOverWarm}x`,
      ]);
    }
    const withBases = figures.sequentialBases;
    if (withBases) {
      const plain = figures.sequentialDesk?.latencyMs.p50;
      const other = withBases.otherDesk;
      bases.push(
        [
          `${size}: ${plain ? `${withBases.p50OverPlain}x (${ms(withBases.latencyMs.p50)} / ${ms(plain)} ms)` : 'no plain run'}`,
          `${withBases.lagged} of ${withBases.batches} bases behind the stored version ` +
            `(p50 ${ms(withBases.laggedP50Ms)} ms, at it ${ms(withBases.currentP50Ms)} ms)`,
          `other desk ${other.batches} batches, ${other.errors} errors${other.sameSignIn ? ' (same sign-in: not compared)' : ''}`,
          `conflict probe ${withBases.conflictProbe}`,
        ].join('; '),
      );
    }
    const c = figures.correctness;
    const b = [figures.desksOnTournaments?.broadcasts, figures.desksOnOneTournament?.broadcasts].filter((x) => !!x);
    checks.push(
      `${size}: ${c.ok ? 'ok' : 'FAILED'}: ${c.acked} acked, ${c.logged} logged, lost ${c.lost}, applied twice ${c.duplicated}, ` +
        `version gaps ${c.versionGaps}, version mismatches ${c.versionMismatch}, failed but logged ${c.failedButLogged}, ` +
        `unexpected ${c.unexpected}; broadcasts ${b.every((x) => x.ok) ? 'ok' : 'FAILED'} ` +
        `(${b.reduce((n, x) => n + x.received, 0)} received, missing ${b.reduce((n, x) => n + x.missing, 0)}, ` +
        `twice ${b.reduce((n, x) => n + x.duplicated, 0)})`,
    );
  }
  // Only `public`, `cold` or `mixed` chosen: no desk scenario for the table.
  const parts = mutations.length > 1 ? [textTable(mutations)] : [];
  if (phases.length > 1)
    parts.push(
      ['server phases (/metrics), mean ms per batch; snapshots off the ack path:', textTable(phases)].join('\n'),
    );
  if (rates.length)
    parts.push(
      ['desks on tournaments of their own, against the engine alone:', ...rates.map((l) => `  ${l}`)].join('\n'),
    );
  if (inflight.length)
    parts.push(['in flight: wall time / the engine alone (floor):', ...inflight.map((line) => `  ${line}`)].join('\n'));
  if (cold.length)
    parts.push(
      [
        'cold load (first public read of a fresh copy: its replica is seeded from its worker or the store):',
        ...cold.map((line) => `  ${line}`),
      ].join('\n'),
    );
  if (mixed.length)
    parts.push(
      ['mixed: one desk alone, then beside cold eventdata reads:', ...mixed.map((line) => `  ${line}`)].join('\n'),
    );
  if (bases.length) parts.push(['ack p50 with bases / without:', ...bases.map((line) => `  ${line}`)].join('\n'));
  if (reads.length > 1) parts.push(textTable(reads));
  parts.push(['no batch lost or applied twice:', ...checks.map((line) => `  ${line}`)].join('\n'));
  return parts.join('\n\n');
}

function ms(value: number): string {
  return value >= 100 ? value.toFixed(0) : value.toFixed(1);
}
