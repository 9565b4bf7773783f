import type { SizeFigures } from './bench';
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
  const checks: string[] = [];
  const bases: string[] = [];
  for (const [size, figures] of Object.entries(sizes)) {
    const scenarios: Array<[string, LatencyFigures | undefined]> = [
      ['1 desk, sequential', figures.sequentialDesk],
      ['1 desk, with bases', figures.sequentialBases],
      [`${figures.desksOnTournaments?.desks ?? ''} desks, own tournaments`, figures.desksOnTournaments],
      [`${figures.desksOnOneTournament?.desks ?? ''} desks, one tournament`, figures.desksOnOneTournament],
    ];
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
  const parts = [textTable(mutations)];
  if (bases.length) parts.push(['ack p50 with bases / without:', ...bases.map((line) => `  ${line}`)].join('\n'));
  if (reads.length > 1) parts.push(textTable(reads));
  parts.push(['no batch lost or applied twice:', ...checks.map((line) => `  ${line}`)].join('\n'));
  return parts.join('\n\n');
}

function ms(value: number): string {
  return value >= 100 ? value.toFixed(0) : value.toFixed(1);
}
