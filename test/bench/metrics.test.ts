import { describe, expect, it } from 'vitest';
import { parseMetrics, phasesBetween } from '../../bench/metrics';

/** A /metrics scrape as prom-client writes it, with `n` batches of known phases and `s` snapshots. */
function scrape(n: number, s: number, withSnapshotTime = true): string {
  const histogram = (name: string, seconds: number, count: number) =>
    [
      `# HELP ${name} ...`,
      `# TYPE ${name} histogram`,
      `${name}_bucket{le="0.01"} ${count}`,
      `${name}_bucket{le="+Inf"} ${count}`,
      `${name}_sum ${seconds * count}`,
      `${name}_count ${count}`,
    ].join('\n');
  return [
    histogram('cfs_batch_lock_wait_seconds', 0.001, n),
    histogram('cfs_batch_load_seconds', 0.002, n),
    histogram('cfs_batch_engine_seconds', 0.02, n),
    histogram('cfs_batch_store_seconds', 0.004, n),
    histogram('cfs_batch_duration_seconds', 0.03, n),
    ...(withSnapshotTime ? [histogram('cfs_snapshot_write_seconds', 0.015, s)] : []),
    `cfs_batches_total{outcome="ok"} ${n}`,
    `cfs_batches_total{outcome="ERR_CONFLICT"} 1`,
    `cfs_snapshots_written_total ${s}`,
    `cfs_replayed_entries_total ${3 * s}`,
    `cfs_batch_runs_continued_total ${n / 2}`,
    `nodejs_eventloop_lag_seconds 0.004`,
  ].join('\n');
}

describe('bench phases from /metrics', () => {
  it('sums labelled series and skips buckets and comments', () => {
    const sample = parseMetrics(scrape(10, 2));
    expect(sample.get('cfs_batches_total')).toBe(11);
    expect(sample.get('cfs_batch_engine_seconds_count')).toBe(10);
    expect(sample.has('cfs_batch_engine_seconds_bucket')).toBe(false);
    expect(sample.get('nodejs_eventloop_lag_seconds')).toBe(0.004);
  });

  it('gives the mean ms per batch of each phase between two scrapes, and the snapshots written', () => {
    const phases = phasesBetween(parseMetrics(scrape(10, 2)), parseMetrics(scrape(110, 6)));
    expect(phases).toEqual({
      batches: 100,
      lockWaitMs: 1,
      loadMs: 2,
      engineMs: 20,
      storeMs: 4,
      batchMs: 30,
      engineTotalMs: 2000,
      snapshotsWritten: 4,
      snapshotWriteMs: 15,
      snapshotMsPerBatch: 0.6,
      replayedEntries: 12,
      continued: 50,
    });
  });

  it('leaves the snapshot time out when the server does not export it, and reads 0 for an idle window', () => {
    const phases = phasesBetween(parseMetrics(scrape(10, 2, false)), parseMetrics(scrape(10, 2, false)));
    expect(phases).toMatchObject({ batches: 0, engineMs: 0, snapshotsWritten: 0 });
    expect(phases.snapshotWriteMs).toBeUndefined();
  });
});
