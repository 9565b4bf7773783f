import { Logger } from '@nestjs/common';
import { Histogram } from 'prom-client';
import type { Storage } from '../storage/storage.types';

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

/** The committed record's text, from the engine host that holds it (undefined when none holds it newer). */
export interface SnapshotSource {
  serialise(tournamentId: string, above: number): Promise<Serialised | undefined>;
  /**
   * As `serialise`, after rebuilding the stored snapshot and log and comparing them with the record;
   * undefined too when the stored head is not the held version (a commit raced the check).
   */
  verify(tournamentId: string, above: number): Promise<(Serialised & { same: boolean; error?: string }) | undefined>;
}

export interface Serialised {
  version: number;
  json: string;
  /** Time the host took to serialise it. */
  ms: number;
}

interface Track {
  /** The version of the stored snapshot, as far as this process knows. */
  snapshotVersion: number;
  /** Engine ms of the log entries after it. */
  replayMs: number;
  idle?: NodeJS.Timeout;
  /** The idle check is running. */
  checking: boolean;
  /** A snapshot is scheduled or being written: the commits meanwhile need not ask for another. */
  busy: boolean;
  /** Snapshot writes of this tournament, one after the other (version order). */
  chain: Promise<void>;
}

/**
 * Writes whole records as snapshots, off the ack path (docs/storage.md, Snapshots): when replaying
 * the log since the last one would cost more than the budget, when a tournament goes idle (after
 * checking that replay rebuilds the live record), when its hot copy is evicted, before pruning and
 * at shutdown. The engine host holding the record serialises it between two batches, so the text is
 * exactly the version it names; the store keeps snapshots in version order.
 */
export class Snapshots {
  private readonly logger = new Logger('Snapshots');
  private readonly tracks = new Map<string, Track>();

  constructor(
    private readonly storage: Storage,
    private readonly source: SnapshotSource,
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

  /** Tournaments whose idle check is scheduled or running (for /metrics: a bench waits for none). */
  get idleChecksPending(): number {
    let pending = 0;
    for (const track of this.tracks.values()) if (track.idle || track.checking) pending++;
    return pending;
  }

  /** The version of the stored snapshot as far as this process knows; undefined for an untracked tournament. */
  storedVersion(tournamentId: string): number | undefined {
    return this.tracks.get(tournamentId)?.snapshotVersion;
  }

  /** Writes a record serialised elsewhere (a host dropping an evicted record), in version order. */
  store(tournamentId: string, version: number, json: string): Promise<void> {
    return this.enqueue(tournamentId, version, json, 0);
  }

  /** Writes a snapshot of the held record now when the stored one is behind it (before pruning). */
  async write(tournamentId: string): Promise<void> {
    const track = this.tracks.get(tournamentId);
    if (!track) return;
    track.replayMs = 0;
    const serialised = await this.ask(() => this.source.serialise(tournamentId, track.snapshotVersion));
    if (!serialised) return track.chain;
    return this.enqueue(tournamentId, serialised.version, serialised.json, serialised.ms);
  }

  /** Shutdown: every hot tournament's snapshot catches up with its record. */
  async flush(): Promise<void> {
    const ids = [...this.tracks.keys()];
    await Promise.all(ids.map((id) => this.write(id)));
    for (const track of this.tracks.values()) {
      clearTimeout(track.idle);
      track.idle = undefined;
    }
  }

  forget(tournamentId: string): void {
    clearTimeout(this.tracks.get(tournamentId)?.idle);
    this.tracks.delete(tournamentId);
  }

  /**
   * The guard rail of replay: the host rebuilds the idle tournament from its snapshot and log as a
   * restart would and compares with the live record; a mismatch is counted, then the live record stored.
   */
  private async verifyAndWrite(tournamentId: string): Promise<void> {
    const track = this.tracks.get(tournamentId);
    if (!track) return;
    track.idle = undefined;
    track.checking = true;
    try {
      await this.check(tournamentId, track);
    } finally {
      track.checking = false;
    }
  }

  private async check(tournamentId: string, track: Track): Promise<void> {
    track.replayMs = 0;
    const checked = await this.ask(() => this.source.verify(tournamentId, track.snapshotVersion));
    if (!checked) return;
    const { version } = checked;
    snapshotStats.verified++;
    if (checked.same === false) {
      snapshotStats.mismatches++;
      const why = checked.error ? ` failed: ${checked.error}` : ' did not give the live record';
      this.logger.warn(`replaying the log of ${tournamentId} to version ${version}${why}`);
    }
    await this.enqueue(tournamentId, version, checked.json, checked.ms);
  }

  /** A host that cannot answer (restarted, shut down) leaves the snapshot for later: the log has every change. */
  private async ask<T>(question: () => Promise<T>): Promise<T | undefined> {
    try {
      return await question();
    } catch (error) {
      this.logger.warn(`no snapshot taken: ${(error as Error).message}`);
      return undefined;
    }
  }

  /** `serialisedMs`: time the host spent serialising the record (observed with the write). */
  private enqueue(tournamentId: string, version: number, json: string, serialisedMs: number): Promise<void> {
    const track = this.track(tournamentId);
    track.chain = track.chain.then(async () => {
      if (version <= track.snapshotVersion) return;
      try {
        const started = performance.now();
        if (await this.storage.tournaments.snapshot(tournamentId, version, json)) {
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
      track = { snapshotVersion: 0, replayMs: 0, checking: false, busy: false, chain: Promise.resolve() };
      this.tracks.set(tournamentId, track);
    }
    return track;
  }
}
