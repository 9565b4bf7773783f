import { round } from './stats';

/** Values of a `/metrics` scrape, by series name (a histogram's `_sum` and `_count`), summed over labels. */
export type MetricsSample = Map<string, number>;

/** The server's batch phases (docs/observability.md), as histograms in seconds. */
const PHASES = {
  lockWaitMs: 'cfs_batch_lock_wait_seconds',
  loadMs: 'cfs_batch_load_seconds',
  engineMs: 'cfs_batch_engine_seconds',
  storeMs: 'cfs_batch_store_seconds',
} as const;

/**
 * Where a scenario's batches spent their time on the server, from two `/metrics` scrapes around
 * it: every figure is a difference, so it holds what the server did in between, all batches and
 * snapshots of the instance (the scenario's own, and any other desk's or tournament's meanwhile).
 */
export interface PhaseFigures {
  /** Batches the phase histograms counted (those that passed their check). */
  batches: number;
  /** Mean ms per batch waiting for the tournament's lock, loading the record, in the engine, storing (the append). */
  lockWaitMs: number;
  loadMs: number;
  engineMs: number;
  storeMs: number;
  /** Mean ms per batch from receipt to answer (`cfs_batch_duration_seconds`): the four phases and the rest. */
  batchMs: number;
  /** The engine's time summed over those batches. */
  engineTotalMs: number;
  /** Snapshots written in the window (off the ack path). */
  snapshotsWritten: number;
  /**
   * Mean ms per snapshot written (its JSON.stringify and the storage call, `cfs_snapshot_write_seconds`),
   * and the snapshots' time spread over the batches; absent when the server does not export it.
   */
  snapshotWriteMs?: number;
  snapshotMsPerBatch?: number;
  /** Log entries replayed to rebuild records (cold loads, catch-up, idle checks). */
  replayedEntries: number;
  /** Batches run on the record the batch before left while its commit was on its way (pipelining). */
  continued: number;
}

/** One scrape of `GET /metrics` (open, like `/health`); undefined when it cannot be read. */
export async function scrapeMetrics(url: string): Promise<MetricsSample | undefined> {
  try {
    const response = await fetch(`${url}/metrics`);
    if (!response.ok) return undefined;
    return parseMetrics(await response.text());
  } catch {
    return undefined;
  }
}

/** Prometheus text to values by series name; labelled series are summed, buckets skipped. */
export function parseMetrics(text: string): MetricsSample {
  const values: MetricsSample = new Map();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{.*\})?\s+(\S+)/.exec(line);
    if (!match || match[1].endsWith('_bucket')) continue;
    const value = Number(match[2]);
    if (Number.isFinite(value)) values.set(match[1], (values.get(match[1]) ?? 0) + value);
  }
  return values;
}

/** The phase breakdown between two scrapes. */
export function phasesBetween(before: MetricsSample, after: MetricsSample): PhaseFigures {
  const delta = (name: string) => (after.get(name) ?? 0) - (before.get(name) ?? 0);
  const meanMs = (histogram: string) => {
    const count = delta(`${histogram}_count`);
    return count > 0 ? round((delta(`${histogram}_sum`) * 1000) / count) : 0;
  };
  const batches = delta(`${PHASES.engineMs}_count`);
  const figures: PhaseFigures = {
    batches,
    lockWaitMs: meanMs(PHASES.lockWaitMs),
    loadMs: meanMs(PHASES.loadMs),
    engineMs: meanMs(PHASES.engineMs),
    storeMs: meanMs(PHASES.storeMs),
    batchMs: meanMs('cfs_batch_duration_seconds'),
    engineTotalMs: round(delta(`${PHASES.engineMs}_sum`) * 1000),
    snapshotsWritten: delta('cfs_snapshots_written_total'),
    replayedEntries: delta('cfs_replayed_entries_total'),
    continued: delta('cfs_batch_runs_continued_total'),
  };
  if (after.has('cfs_snapshot_write_seconds_count')) {
    figures.snapshotWriteMs = meanMs('cfs_snapshot_write_seconds');
    figures.snapshotMsPerBatch = batches > 0 ? round((delta('cfs_snapshot_write_seconds_sum') * 1000) / batches) : 0;
  }
  return figures;
}

/**
 * Scrapes before a scenario; `stop()` scrapes again and gives the breakdown. When `/metrics`
 * cannot be read (a proxy in front of `--url` keeping it private), the figures are left out.
 */
export async function phaseMeter(url: string): Promise<{ stop(): Promise<PhaseFigures | undefined> }> {
  const before = await scrapeMetrics(url);
  return {
    async stop() {
      if (!before) return undefined;
      const after = await scrapeMetrics(url);
      return after && phasesBetween(before, after);
    },
  };
}

/** The server's own CPU (all its threads) under this share of one core counts as quiet. */
const QUIET_CPU_SHARE = 0.05;
const QUIET_WINDOW_MS = 300;

/**
 * Waits until the server is quiet: no idle check pending (`cfs_snapshot_idle_checks_pending`, each
 * fires some seconds after a tournament's last batch) and the process's CPU
 * (`process_cpu_seconds_total`) under 5% of a core over 300 ms. The engine-alone replay that
 * follows must not share the cores with the server's background work: it made the floor up to 20%
 * slower, and every ratio to it that much kinder. Gives up after `maxMs`; returns at once when
 * `/metrics` cannot be read.
 */
export async function waitForQuiet(url: string, maxMs = 30_000): Promise<{ quiet: boolean; waitedMs: number }> {
  const started = performance.now();
  let before = await scrapeMetrics(url);
  if (!before) return { quiet: true, waitedMs: 0 };
  while (performance.now() - started < maxMs) {
    await new Promise((resolve) => setTimeout(resolve, QUIET_WINDOW_MS));
    const after = await scrapeMetrics(url);
    if (!after) break;
    const cpuSeconds = (after.get('process_cpu_seconds_total') ?? 0) - (before.get('process_cpu_seconds_total') ?? 0);
    const pending = after.get('cfs_snapshot_idle_checks_pending') ?? 0;
    if (pending === 0 && cpuSeconds < (QUIET_CPU_SHARE * QUIET_WINDOW_MS) / 1000) {
      return { quiet: true, waitedMs: round(performance.now() - started) };
    }
    before = after;
  }
  return { quiet: false, waitedMs: round(performance.now() - started) };
}
