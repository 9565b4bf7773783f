import { isDeepStrictEqual } from 'node:util';
import { Logger } from '@nestjs/common';
import { Histogram } from 'prom-client';
import type { Storage } from '../storage/storage.types';
import type { HotRecord, HotRecords } from './hot-records';

export interface SnapshotOptions {
  /** Engine time of the log entries after a snapshot (ms) past which a new one is written. */
  replayBudgetMs: number;
  /** A tournament without a commit for this long gets its snapshot verified and written (ms). */
  idleMs: number;
}

/** Counters for /metrics. */
export const snapshotStats = { written: 0, failed: 0, verified: 0, mismatches: 0 };

/**
 * Time of each snapshot written: its JSON.stringify plus the storage call. In no registry of its
 * own: MetricsService registers it in each app's registry (several apps may share a process, as
 * they share `snapshotStats`).
 */
export const snapshotWriteSeconds = new Histogram({
  name: 'cfs_snapshot_write_seconds',
  help: 'Time writing a snapshot off the ack path: serialising the record and the storage call',
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [],
});

interface Track {
  /** The version of the stored snapshot, as far as this process knows. */
  snapshotVersion: number;
  /** Engine ms of the log entries after it. */
  replayMs: number;
  idle?: NodeJS.Timeout;
  /** A snapshot is scheduled or being written: the commits meanwhile need not ask for another. */
  busy: boolean;
  /** Snapshot writes of this tournament, one after the other (version order). */
  chain: Promise<void>;
}

/**
 * Writes whole records as snapshots, off the ack path (docs/storage.md, Snapshots): when replaying
 * the log since the last one would cost more than the budget, when a tournament goes idle (after
 * checking that replay rebuilds the live record), when its hot copy is evicted, before pruning and
 * at shutdown. A record is serialised synchronously from the committed hot copy, so it is exactly
 * the version it names; the store keeps snapshots in version order.
 */
export class Snapshots {
  private readonly logger = new Logger('Snapshots');
  private readonly tracks = new Map<string, Track>();

  constructor(
    private readonly storage: Storage,
    private readonly hot: HotRecords,
    private readonly options: SnapshotOptions,
  ) {}

  /** A record read from the store: its snapshot's version and the replay cost of its tail. */
  loaded(tournamentId: string, snapshotVersion: number, tailMs: number): void {
    const track = this.track(tournamentId);
    track.snapshotVersion = Math.max(track.snapshotVersion, snapshotVersion);
    track.replayMs = tailMs;
  }

  /** After a commit; `snapshotWritten` when the commit itself stored the record. */
  committed(tournamentId: string, version: number, engineMs: number, snapshotWritten: boolean): void {
    const track = this.track(tournamentId);
    if (snapshotWritten) {
      track.snapshotVersion = version;
      track.replayMs = 0;
    } else {
      track.replayMs += engineMs;
      if (track.replayMs > this.options.replayBudgetMs && !track.busy) {
        track.busy = true;
        setImmediate(() => void this.write(tournamentId).finally(() => (track.busy = false)));
      }
    }
    clearTimeout(track.idle);
    track.idle = setTimeout(() => void this.verifyAndWrite(tournamentId), this.options.idleMs);
    track.idle.unref();
  }

  /** A hot copy left the cache: its record is no longer shared, so it can be written later. */
  evicted(tournamentId: string, entry: HotRecord): void {
    const track = this.tracks.get(tournamentId);
    if (!track || entry.version <= track.snapshotVersion) return;
    setImmediate(() => this.enqueue(tournamentId, entry.version, () => JSON.stringify(entry.record)));
  }

  /** Writes a snapshot of the hot copy now when the stored one is behind it (before pruning). */
  write(tournamentId: string): Promise<void> {
    const hot = this.serialiseHot(tournamentId);
    if (!hot) return this.tracks.get(tournamentId)?.chain ?? Promise.resolve();
    return this.enqueue(tournamentId, hot.version, () => hot.json, hot.ms);
  }

  /** Shutdown: every hot tournament's snapshot catches up with its record. */
  async flush(): Promise<void> {
    const ids = [...this.tracks.keys()];
    await Promise.all(ids.map((id) => this.write(id)));
    for (const track of this.tracks.values()) clearTimeout(track.idle);
  }

  forget(tournamentId: string): void {
    clearTimeout(this.tracks.get(tournamentId)?.idle);
    this.tracks.delete(tournamentId);
  }

  /**
   * The guard rail of replay: rebuild the idle tournament from its snapshot and log as a restart
   * would, compare with the live record, count a mismatch, then store the live record.
   */
  private async verifyAndWrite(tournamentId: string): Promise<void> {
    const hot = this.serialiseHot(tournamentId);
    if (!hot) return;
    const { version, json } = hot;
    try {
      const rebuilt = await this.storage.tournaments.get(tournamentId);
      if (rebuilt?.version === version) {
        snapshotStats.verified++;
        if (!sameValues(JSON.stringify(rebuilt.record), json)) {
          snapshotStats.mismatches++;
          this.logger.warn(`replaying the log of ${tournamentId} to version ${version} did not give the live record`);
        }
      }
    } catch (error) {
      snapshotStats.mismatches++;
      this.logger.warn(
        `replaying the log of ${tournamentId} to version ${version} failed: ${(error as Error).message}`,
      );
    }
    await this.enqueue(tournamentId, version, () => json, hot.ms);
  }

  /**
   * The hot copy as JSON when the stored snapshot is behind it. Serialised at once, before any
   * await, because the copy changes with the next batch; the replay budget starts again from it.
   */
  private serialiseHot(tournamentId: string): { version: number; json: string; ms: number } | undefined {
    const entry = this.hot.peek(tournamentId);
    const track = this.tracks.get(tournamentId);
    if (!entry || !track || entry.version <= track.snapshotVersion) return undefined;
    const started = performance.now();
    const json = JSON.stringify(entry.record);
    track.replayMs = 0;
    return { version: entry.version, json, ms: performance.now() - started };
  }

  /** `serialisedMs`: time already spent serialising the record (observed with the write). */
  private enqueue(tournamentId: string, version: number, serialise: () => string, serialisedMs = 0): Promise<void> {
    const track = this.track(tournamentId);
    track.chain = track.chain.then(async () => {
      if (version <= track.snapshotVersion) return;
      try {
        const started = performance.now();
        if (await this.storage.tournaments.snapshot(tournamentId, version, serialise())) {
          snapshotStats.written++;
          snapshotWriteSeconds.observe((serialisedMs + performance.now() - started) / 1000);
        }
        track.snapshotVersion = Math.max(track.snapshotVersion, version);
      } catch (error) {
        // The log still holds every change: a failed snapshot costs replay time, never data.
        snapshotStats.failed++;
        this.logger.warn(`snapshot of ${tournamentId} at version ${version} failed: ${(error as Error).message}`);
      }
    });
    return track.chain;
  }

  private track(tournamentId: string): Track {
    let track = this.tracks.get(tournamentId);
    if (!track) {
      track = { snapshotVersion: 0, replayMs: 0, busy: false, chain: Promise.resolve() };
      this.tracks.set(tournamentId, track);
    }
    return track;
  }
}

/**
 * The same record, whatever the order of its keys: a key the engine left undefined on the live
 * record is gone from a snapshot, and set again later it lands elsewhere (test/engine/determinism).
 */
function sameValues(a: string, b: string): boolean {
  return a === b || isDeepStrictEqual(JSON.parse(a), JSON.parse(b));
}
