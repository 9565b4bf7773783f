import { Injectable, Optional, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { snapshotStats, snapshotWriteSeconds } from '../tournaments/snapshots';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { CacheService } from '../cache/cache.service';
import { SERVER_ENGINE_VERSION, type EngineSkew } from '../gateway/engine-version';
import { MutationExecutor } from '../tournaments/executor.service';
import { TournamentEvents, type BatchReport } from '../tournaments/tournament-events';

/** Seconds; batches range from sub-millisecond engine runs to lock waits near LOCK_TIMEOUT_MS. */
const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

const PHASES = {
  lockWait: ['cfs_batch_lock_wait_seconds', 'Time a batch waited for its tournament locks'],
  load: ['cfs_batch_load_seconds', 'Time loading records for a batch (hot cache or storage)'],
  engine: ['cfs_batch_engine_seconds', 'Time the engine ran the directives of a batch'],
  store: ['cfs_batch_store_seconds', 'Time storing a batch (records and mutation log, one transaction)'],
} as const;

type Phase = keyof typeof PHASES;

/** `CacheService.stats()` counters, exported as `cfs_public_cache_<key>_total`. */
const CACHE_COUNTS = {
  hits: 'Public answers served from the cache',
  misses: 'Public reads that found no cached answer (each computes it once)',
  coalesced: 'Public reads that joined a computation already running for the same answer',
  computes: 'Public answers computed by the engine',
  errors: 'Cache store calls that failed (Redis down or slow); answers were computed instead',
} as const;
/** Socket.IO namespace name to the number of sockets connected to this instance. */
export type SocketCounts = () => Record<string, number>;

/**
 * The server's Prometheus metrics, in a registry of its own (several apps can share a process in
 * tests). Batch figures come from the executor's `onBatch` reports; lock queue, cache and socket
 * figures are read when scraped.
 */
@Injectable()
export class MetricsService implements OnModuleInit, OnModuleDestroy {
  readonly registry = new Registry();
  private readonly duration: Histogram;
  private readonly phases: Record<Phase, Histogram>;
  private readonly batches: Counter<'outcome'>;
  private readonly hotHits: Counter;
  private readonly hotMisses: Counter;
  private readonly runsAhead: Counter<'outcome'>;
  private readonly runsContinued: Counter;
  private socketCounts?: SocketCounts;
  private engineSkewCounts?: () => Record<EngineSkew, number>;
  private defaultsStarted = false;
  private unsubscribe?: () => void;

  constructor(
    private readonly events: TournamentEvents,
    private readonly executor: MutationExecutor,
    @Optional() private readonly cache?: CacheService,
  ) {
    const registers = [this.registry];
    this.duration = new Histogram({
      name: 'cfs_batch_duration_seconds',
      help: 'Time from receiving a batch to its answer, accepted or refused',
      buckets: BUCKETS,
      registers,
    });
    this.phases = Object.fromEntries(
      Object.entries(PHASES).map(([phase, [name, help]]) => [
        phase,
        new Histogram({ name, help: `${help} (batches that passed their check)`, buckets: BUCKETS, registers }),
      ]),
    ) as Record<Phase, Histogram>;
    this.batches = new Counter({
      name: 'cfs_batches_total',
      help: 'Batches by outcome: ok, or the error code they were refused with',
      labelNames: ['outcome'],
      registers,
    });
    this.hotHits = new Counter({
      name: 'cfs_hot_record_hits_total',
      help: 'Records a batch found parsed in memory at the current version',
      registers,
    });
    this.hotMisses = new Counter({
      name: 'cfs_hot_record_misses_total',
      help: 'Records a batch had to read and parse from storage',
      registers,
    });
    this.runsAhead = new Counter({
      name: 'cfs_batch_runs_ahead_total',
      help: 'Batches run on records held in memory while the store answered their checks: kept, or thrown_away (a repeated ackId, or another instance committed first)',
      labelNames: ['outcome'],
      registers,
    });
    this.runsContinued = new Counter({
      name: 'cfs_batch_runs_continued_total',
      help: 'Batches run on the record the batch before them left while its commit was on its way to storage',
      registers,
    });
    // Observed by the snapshot writer (module-level, like its counters below).
    this.registry.registerMetric(snapshotWriteSeconds);
    this.gauges(registers);
  }

  onModuleInit(): void {
    this.unsubscribe = this.events.onBatch((report) => this.recordBatch(report));
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }

  /** Where the connected socket counts come from (the Socket.IO server, once it exists). */
  countSocketsWith(counts: SocketCounts): void {
    this.socketCounts = counts;
  }

  /** Where the counts of connected desks by engine skew come from. */
  countEngineSkewWith(counts: () => Record<EngineSkew, number>): void {
    this.engineSkewCounts = counts;
  }

  /** The Prometheus text of every metric. */
  async scrape(): Promise<{ contentType: string; text: string }> {
    this.startDefaultMetrics();
    return { contentType: this.registry.contentType, text: await this.registry.metrics() };
  }

  private recordBatch(report: BatchReport): void {
    this.batches.inc({ outcome: report.outcome });
    this.duration.observe(report.totalMs / 1000);
    // A batch refused by its check never reached a lock: its zero phases would skew the histograms.
    if (report.tournamentIds.length) {
      this.phases.lockWait.observe(report.lockWaitMs / 1000);
      this.phases.load.observe(report.loadMs / 1000);
      this.phases.engine.observe(report.engineMs / 1000);
      this.phases.store.observe(report.storeMs / 1000);
    }
    this.hotHits.inc(report.hotHits);
    this.hotMisses.inc(report.hotMisses);
    if (report.ranAhead) this.runsAhead.inc({ outcome: report.ranAhead });
    if (report.continued) this.runsContinued.inc();
  }

  /** Figures read at scrape time. */
  private gauges(registers: Registry[]): void {
    const { executor } = this;
    new Gauge({
      name: 'cfs_lock_queue_depth',
      help: 'Batches waiting for a tournament lock right now',
      registers,
      collect() {
        this.set(executor.locks.queueDepth);
      },
    });
    new Gauge({
      name: 'cfs_hot_records_bytes',
      help: 'JSON size of the tournament records kept parsed in memory',
      registers,
      collect() {
        this.set(executor.hot.bytes);
      },
    });
    const workers = () => executor.pool.status();
    type Counted = 'queued' | 'busyMs' | 'restarts' | 'held';
    const perWorker: Array<[string, string, Counted]> = [
      ['cfs_engine_worker_queue_depth', 'Requests sent to an engine host and not yet answered', 'queued'],
      ['cfs_engine_worker_busy_seconds', 'Time an engine host spent handling requests since start', 'busyMs'],
      ['cfs_engine_worker_restarts', 'Engine workers replaced after they died, since start', 'restarts'],
      ['cfs_engine_worker_held_records', 'Tournament records an engine host holds', 'held'],
    ];
    for (const [name, help, field] of perWorker) {
      new Gauge({
        ...{ name, help, labelNames: ['worker'], registers },
        collect() {
          for (const status of workers()) {
            const value = status[field];
            this.set({ worker: String(status.worker) }, field === 'busyMs' ? value / 1000 : value);
          }
        },
      });
    }
    const replayStats = () => executor.pool.replayStats();
    // Counts their modules keep since start (the cache; replay and snapshots of log-first commits,
    // docs/storage.md): a scrape copies them.
    const { cache } = this;
    const counts: Array<[string, string, () => number]> = [
      ...Object.entries(CACHE_COUNTS).map(([key, help]): [string, string, () => number] => [
        `cfs_public_cache_${key}_total`,
        help,
        () => cache?.stats()[key as keyof typeof CACHE_COUNTS] ?? 0,
      ]),
      ['cfs_replayed_entries_total', 'Log entries replayed to rebuild records', () => replayStats().entries],
      [
        'cfs_replay_foreign_engine_total',
        'Log entries replayed that another engine version wrote (each is also a warning in the log)',
        () => replayStats().foreignEngine,
      ],
      ['cfs_replay_failures_total', 'Log tails that could not be replayed', () => replayStats().failures],
      [
        'cfs_snapshots_written_total',
        'Whole records stored as snapshots off the ack path',
        () => snapshotStats.written,
      ],
      [
        'cfs_snapshot_failures_total',
        'Snapshot writes that failed (the log still holds every change)',
        () => snapshotStats.failed,
      ],
      [
        'cfs_replay_verifications_total',
        'Idle tournaments rebuilt from snapshot and log and compared',
        () => snapshotStats.verified,
      ],
      [
        'cfs_replay_mismatches_total',
        'Idle tournaments whose rebuilt record differed from the live one (a fresh snapshot follows)',
        () => snapshotStats.mismatches,
      ],
    ];
    for (const [name, help, read] of counts) {
      new Counter({
        ...{ name, help, registers },
        collect() {
          this.reset();
          this.inc(read());
        },
      });
    }
    new Gauge({
      name: 'cfs_snapshot_idle_checks_pending',
      help: 'Tournaments whose idle check (replay, compare, snapshot) is scheduled or running',
      registers,
      collect() {
        this.set(executor.snapshots.idleChecksPending);
      },
    });
    const sockets = () => this.socketCounts?.() ?? {};
    new Gauge({
      name: 'cfs_sockets_connected',
      help: 'Socket.IO connections to this instance, by namespace',
      labelNames: ['namespace'],
      registers,
      collect() {
        for (const [namespace, count] of Object.entries(sockets())) this.set({ namespace }, count);
      },
    });
    const skews = () => this.engineSkewCounts?.() ?? { minor: 0, patch: 0 };
    new Gauge({
      name: 'cfs_desks_engine_skew',
      help: `Connected desks whose engine differs from the server's (${SERVER_ENGINE_VERSION}): minor = another major.minor, patch = another patch level`,
      labelNames: ['skew'],
      registers,
      collect() {
        for (const [skew, count] of Object.entries(skews())) this.set({ skew }, count);
      },
    });
  }

  /**
   * Process metrics (CPU, memory, GC, event-loop lag as `nodejs_eventloop_lag_*`). prom-client
   * starts an event-loop monitor and a GC observer for them that it never stops, so they start
   * at the first scrape: apps that are never scraped (tests) do not accumulate them.
   */
  private startDefaultMetrics(): void {
    if (this.defaultsStarted) return;
    this.defaultsStarted = true;
    collectDefaultMetrics({ register: this.registry });
  }
}
