import { LRUCache } from 'lru-cache';
import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { mayAccessProvider, tournamentProviderId } from '../auth/access';
import type { AuthUser } from '../auth/auth-user';
import { AppError, ErrorCode, type ErrorBody } from '../common/errors';
import { AppConfig } from '../config/config';
import { BatchGate } from '../lifecycle/batch-gate';
import { installEngineState } from '../engine/engine-state';
import { calendarEntry } from '../providers/calendar-entry';
import { publishInfoOf, type PublishInfo } from '../public/publish-state';
import { CalendarService, type CalendarChange } from '../providers/calendar.service';
import { newSeed } from '../engine/deterministic';
import { HostMissError } from '../engine/host/engine-core';
import { EnginePool, EngineRestartedError } from '../engine/host/engine-pool';
import type {
  Load,
  ReadOp,
  ReadReply,
  RunReply,
  RunTournament,
  SerialisedValue,
  VerifiedValue,
} from '../engine/host/protocol';
import { continuesFrom, ENGINE_VERSION, engineMsOf, isReplayable, ReplayError } from '../engine/replay';
import type { TournamentChanges } from '../engine/run-directives';
import type { SnapshotAndTail } from '../storage/materialize';
import {
  DuplicateKeyError,
  Storage,
  VersionConflictError,
  type Directive,
  type CalendarEntry,
  type MutationLogEntry,
  type TournamentRecord,
  type TournamentSummary,
  type TournamentWrite,
  type WriteLock,
} from '../storage/storage.types';
import { checkBatch, type BatchLimits, type CheckedBatch } from './batch-check';
import { HotRecords, replicaKey, replicaOf, type HotRecord } from './hot-records';
import { Snapshots, type SnapshotSource } from './snapshots';
import { TournamentLocks } from './tournament-locks';
import { CommitPipeline, type InFlight } from './commit-pipeline';
import { changedSet, conflictWith, withoutRepeats, type Conflict } from './changed-set';
import { TournamentEvents, type BatchOrigin, type BatchReport, type CommittedEvent } from './tournament-events';

export interface ExecuteRequest {
  tournamentIds?: unknown;
  tournamentId?: unknown;
  methods?: unknown;
  /** Accepted for compatibility: every batch is all-or-nothing whatever this says. */
  rollbackOnError?: unknown;
  ackId?: unknown;
  /** `{ [tournamentId]: version }` of the sender's copy: later conflicting batches refuse this one. */
  baseVersions?: unknown;
  /** `reject` (default) or `overwrite` a conflicting batch. */
  conflictPolicy?: unknown;
  /** The commit announcement carries the engine's results (for an ack that returns them). */
  returnResults?: boolean;
  /**
   * Called when the batch lets go of its tournament's lock before it is over, its commit on its way:
   * the sender may start its next batch, which is committed and announced only after this one.
   */
  onLetGo?: () => void;
  user: AuthUser;
  origin?: BatchOrigin;
}

export type ExecuteResult =
  { success: true; results: unknown[]; versions: Record<string, number>; duplicate?: true } | { error: ErrorBody };

export interface SaveRequest {
  records: TournamentRecord[];
  /** The version each record was based on; a moved stored version is a conflict unless `force`. */
  baseVersions?: Record<string, number>;
  force?: boolean;
  ackId?: string;
  user: AuthUser;
  origin?: BatchOrigin;
}

/** A tournament a batch works on: what the executor knows of it, and how its host gets the record. */
interface Loaded {
  tournamentId: string;
  version: number;
  providerId?: string;
  bytes: number;
  updatedAt?: string;
  /** Absent when the host holds the record at `version`. */
  load?: Load;
}

/** A committed tournament, as the executor remembers it. */
interface Committed {
  tournamentId: string;
  version: number;
  providerId?: string;
  bytes: number;
  updatedAt: string;
}

/** What a commit writes of one tournament beside its log entry. */
interface CommitItem {
  entry: Loaded;
  providerId?: string;
  calendar: CalendarEntry | null;
  json?: string;
}

/** The committed state of a tournament as a read sees it: the host's answer, with the record's owner. */
export type CommittedRead<T> = ReadReply<T> & { tournamentId: string; providerId?: string; updatedAt?: string };

/** What a mutation's log entry records beside its directives. */
type LogExtras = Pick<MutationLogEntry, 'changes' | 'overrides' | 'by' | 'seed' | 'engine' | 'engineMs'>;

/** A tournament to check for conflicts: loaded above the sender's base. */
interface ConflictCheck {
  entry: Loaded;
  base: number;
}

/** What one batch carries through its attempts. */
interface BatchContext {
  /** Lets go of the batch's tournament locks (its commit on its way). */
  unlock: () => void;
  /** Set once the batch let go of its lock. */
  inFlight?: InFlight<Loaded>;
}

/** The store's answers a batch waits for: a committed ackId's versions, and the stored versions. */
type Checked = [Record<string, number> | undefined, Array<number | undefined>];

/** What a batch reads: through a cross-instance write lock, or straight from the store. */
type StoreReads = Pick<WriteLock, 'getStored' | 'getVersion' | 'findByAckId'>;

/** Commit attempts when another instance wrote the same tournament between our read and write. */
const MAX_ATTEMPTS = 3;
const MISSING_TOURNAMENT = { code: 'ERR_MISSING_TOURNAMENT', message: 'Missing tournamentRecord' };
/** Names each run in the engine hosts. */
let nextRunKey = 1;

/**
 * The one path by which tournament records change: check, lock, load, run, store, announce.
 * Every door (REST, Socket.IO) comes through here. The records themselves live in engine hosts
 * (worker threads, docs/mutations.md, Engine pool); this class keeps order, storage and announcements.
 */
@Injectable()
export class MutationExecutor implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(MutationExecutor.name);
  private readonly allowed: ReadonlySet<string>;
  private readonly limits: BatchLimits;
  readonly locks: TournamentLocks;
  readonly hot: HotRecords;
  readonly snapshots: Snapshots;
  readonly pool: EnginePool;
  /** Tournaments another instance committed lately: their batches wait for the store's checks before running. */
  private readonly writtenElsewhere = new LRUCache<string, true>({ max: 10_000, ttl: 60_000 });
  /** Tournaments a batch is running on right now, and the promise of its end. */
  private readonly running = new Map<string, Promise<void>>();
  /** Per tournament, the commit on its way of the batch that let go of the lock, and the reads waiting. */
  private readonly pipeline = new CommitPipeline<Loaded>();
  private readonly unlocked: StoreReads = {
    getStored: (id) => this.storage.tournaments.getStored(id),
    getVersion: (id) => this.storage.tournaments.getVersion(id),
    findByAckId: (id, ackId) => this.storage.log.findByAckId(id, ackId),
  };

  constructor(
    private readonly config: AppConfig,
    private readonly storage: Storage,
    private readonly events: TournamentEvents,
    private readonly calendar: CalendarService,
    private readonly gate: BatchGate = new BatchGate(),
  ) {
    this.allowed = installEngineState().mutationMethods;
    this.limits = {
      maxMethods: config.executor.maxBatchMethods,
      maxTournaments: config.executor.maxBatchTournaments,
      maxBytes: config.maxBodyBytes,
    };
    this.locks = new TournamentLocks(config.executor.lockTimeoutMs);
    // Tests start workers on first use and want them at once: no warm-up there.
    const warmUpBatches = config.nodeEnv === 'test' ? 0 : config.executor.engineWarmUpBatches;
    this.pool = new EnginePool(config.executor.engineWorkers, { warmUpBatches });
    this.hot = new HotRecords(
      config.executor.hotRecordsMaxBytes,
      (entry) => entry.generation === this.pool.generation(entry.slot),
      (key, entry) => this.evicted(key, entry),
    );
    this.pool.onRestart((slot) => this.hot.forgetSlot(slot));
    const source: SnapshotSource = {
      serialise: (id, above) => this.held<SerialisedValue>(id, { op: 'serialise', above }, true),
      verify: async (id, above) => {
        if (!this.hot.peek(id)) return undefined;
        const stored = await this.storage.tournaments.getStored(id);
        return this.held<VerifiedValue>(id, { op: 'verify', above, stored });
      },
    };
    this.snapshots = new Snapshots(storage, source, config.snapshots);
  }

  onApplicationBootstrap(): void {
    // A server's workers load the engine while it starts; test apps start theirs on first use.
    if (this.config.nodeEnv !== 'test') this.pool.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.pool.close();
  }

  /** Runs a batch of directives. Never throws: refusals and failures come back as `{ error }`. */
  async execute(request: ExecuteRequest): Promise<ExecuteResult> {
    const report = newReport(request.origin);
    const started = performance.now();
    try {
      const batch = checkBatch(request, this.allowed, this.limits);
      report.tournamentIds = batch.tournamentIds;
      report.methodNames = batch.methods.map((directive) => directive.method);
      // Not `admitted`: a batch may continue a commit on its way instead of waiting for it to land.
      return await this.gate.run(() =>
        this.locks.withLocks(batch.tournamentIds, (unlock) => {
          report.lockWaitMs = performance.now() - started;
          return this.executeLocked(batch, request, report, unlock);
        }),
      );
    } catch (error) {
      const body = this.toErrorBody(error);
      report.outcome = body.code;
      // A batch that gave up waiting for a lock waited all this time (metrics: lock wait).
      if (body.code === ErrorCode.LOCK_TIMEOUT) report.lockWaitMs = performance.now() - started;
      return { error: body };
    } finally {
      report.totalMs = performance.now() - started;
      this.events.emitBatch(report);
    }
  }

  /** Stores whole records (desk uploads) through the same locks and version counter. */
  async save(
    request: SaveRequest,
  ): Promise<{ success: true; versions: Record<string, number> } | { error: ErrorBody }> {
    try {
      const ids = request.records.map((record) => record.tournamentId);
      if (new Set(ids).size !== ids.length) throw new AppError(ErrorCode.INVALID_INPUT, 'a tournament appears twice');
      return await this.admitted(ids, () => this.saveLocked(request));
    } catch (error) {
      return { error: this.toErrorBody(error) };
    }
  }

  /** Removes tournaments with their logs and calendar entries. Unknown ids are skipped. */
  async remove(
    tournamentIds: string[],
    user: AuthUser,
    origin: BatchOrigin = {},
  ): Promise<{ success: true; removed: string[] } | { error: ErrorBody }> {
    try {
      return await this.admitted(tournamentIds, async () => {
        const removed: string[] = [];
        const providerIds: Record<string, string | undefined> = {};
        for (const id of tournamentIds) {
          const current = await this.summary(id);
          if (!current) continue;
          this.assertAccess(user, current.providerId, id);
          if (await this.storageCall(() => this.storage.tournaments.remove(id))) removed.push(id);
          providerIds[id] = current.providerId;
          this.forget(id);
          this.snapshots.forget(id);
          await this.calendarCall(() => this.calendar.removeTournament(id));
        }
        if (removed.length) {
          this.events.emitCommitted({
            ...{ kind: 'remove', tournamentIds: removed, versions: {}, methods: [], changes: {} },
            ...{ userId: user.email, timestamp: Date.now(), origin, providerIds },
          });
        }
        return { success: true as const, removed };
      });
    } catch (error) {
      return { error: this.toErrorBody(error) };
    }
  }

  /**
   * Read-only work on the committed record of a tournament, done by the engine host that holds it
   * (loaded there first when none does). The answer may come from a version newer than the one
   * stored when asked (a batch committed meanwhile), never from an uncommitted one.
   */
  async read<T>(tournamentId: string, read: ReadOp): Promise<CommittedRead<T> | undefined> {
    if (read.op === 'public' && this.pool.size > 1) return this.readReplica<T>(tournamentId, read);
    const slot = this.pool.slotOf(tournamentId);
    for (let waits = 0; ; waits++) {
      const version = await this.storageCall(() => this.storage.tournaments.getVersion(tournamentId));
      if (version === undefined) return undefined;
      const hot = this.hot.peek(tournamentId);
      // Newer than the version just read: a batch committed while that read was under way.
      if (hot && hot.version >= version) {
        const reply = await this.hostRead<T>(slot, tournamentId, read);
        if (reply) return { ...reply, tournamentId, providerId: hot.providerId, updatedAt: hot.updatedAt };
        break;
      }
      const running = this.running.get(tournamentId);
      if (running && waits < 3) {
        // The batch gives the record back within a batch's time: far cheaper than rebuilding it.
        await running;
        // Just committed (a queued batch may already be running on it: the host then answers after it).
        const back = this.hot.peek(tournamentId);
        const reply = back && (await this.hostRead<T>(slot, tournamentId, read));
        if (reply) return { ...reply, tournamentId, providerId: back.providerId, updatedAt: back.updatedAt };
        continue;
      }
      if (hot) {
        // Behind the stored version: another instance committed: the host replays what it lacks, unless a batch takes it meanwhile.
        const load = await this.tailLoad(tournamentId, hot.version, version);
        if (load && this.hot.peek(tournamentId) === hot) {
          const reply = await this.hostRead<T>(slot, tournamentId, read, load);
          if (reply) {
            const last = load.entries.at(-1)!;
            if (this.hot.peek(tournamentId) === hot && reply.version === version) {
              this.hot.put(tournamentId, { ...hot, version, updatedAt: last.at });
            }
            return { ...reply, tournamentId, providerId: hot.providerId, updatedAt: last.at };
          }
        }
      }
      break;
    }
    const stored = await this.storageCall(() => this.storage.tournaments.getStored(tournamentId));
    if (!stored) return undefined;
    const generation = this.pool.generation(slot);
    const request = {
      type: 'read' as const,
      tournamentId,
      read,
      keep: true,
      load: { kind: 'stored' as const, stored },
    };
    const reply = await this.pipeline.reading(tournamentId, () => this.hostCall<ReadReply<T>>(slot, request));
    // Kept by the host: tracked in the shared budget, unless a batch has begun on it meanwhile.
    if (
      reply.held &&
      !this.running.has(tournamentId) &&
      !((this.hot.peek(tournamentId)?.version ?? -1) >= reply.version)
    ) {
      this.hot.put(tournamentId, { ...storedFacts(stored), version: reply.version, slot, generation });
      if (reply.version === stored.version)
        this.snapshots.loaded(tournamentId, stored.snapshotVersion, engineMsOf(stored.tail));
    }
    const { providerId, updatedAt } = stored;
    return { ...reply, tournamentId, providerId, updatedAt };
  }

  /**
   * Public answers are computed on a replica of the record in the next worker, not in the worker
   * that runs the tournament's batches: however long an answer takes, a desk's batch never waits in
   * a queue behind it (the system shares cores between threads; a worker cannot share itself). The
   * replica follows the log: it replays the committed entries it lacks, or loads from storage.
   */
  private async readReplica<T>(tournamentId: string, read: ReadOp): Promise<CommittedRead<T> | undefined> {
    const slot = (this.pool.slotOf(tournamentId) + 1) % this.pool.size;
    const key = replicaKey(tournamentId);
    for (let attempt = 1; ; attempt++) {
      const version = await this.storageCall(() => this.storage.tournaments.getVersion(tournamentId));
      if (version === undefined) return undefined;
      const known = attempt === 1 ? this.hot.peek(key) : undefined;
      let load: Load | undefined;
      let facts: Omit<HotRecord, 'slot' | 'generation'> | undefined = known;
      if (known && known.version < version) {
        const tail = await this.tailLoad(tournamentId, known.version, version);
        // Replaying costs the batches' engine time again; a copy of the record costs about its
        // serialising and parsing (some 2 ms per 100 KB): whichever is cheaper.
        if (tail && engineMsOf(tail.entries) <= (known.bytes / 100_000) * 2) {
          load = tail;
          facts = { ...known, version, updatedAt: tail.entries.at(-1)!.at };
        }
      }
      const behind = !known || known.version < version;
      if (behind && !load) {
        const copy = await this.copyFromHome(tournamentId, version);
        if (copy) ({ load, facts } = copy);
      }
      if (behind && !load) {
        const stored = await this.storageCall(() => this.storage.tournaments.getStored(tournamentId));
        if (!stored) return undefined;
        load = { kind: 'stored', stored };
        facts = storedFacts(stored);
      }
      const generation = this.pool.generation(slot);
      try {
        const reply = await this.hostCall<ReadReply<T>>(slot, {
          ...{ type: 'read', tournamentId, read, keep: true, load },
          atLeast: version,
        });
        if (reply.held && reply.version > (this.hot.peek(key)?.version ?? -1)) {
          this.hot.put(key, { ...facts!, version: reply.version, slot, generation });
        }
        return { ...reply, tournamentId, providerId: facts!.providerId, updatedAt: facts!.updatedAt };
      } catch (error) {
        // The replica was not what the executor thought (its worker replaced): once more, from storage.
        if (!(error instanceof HostMissError) || attempt > 1) throw error;
        this.hot.delete(key);
      }
    }
  }

  /**
   * The committed record as its own host serialises it (between two batches there, after the ones
   * waiting), to seed a replica: cheaper than the stored snapshot and its tail. Undefined when the
   * host does not hold it at `version` or newer.
   */
  private async copyFromHome(tournamentId: string, version: number) {
    // Asked even when the host's entry still says the version before: its batch settles first.
    const home = this.hot.peek(tournamentId);
    if (!home) return undefined;
    const serialise = { op: 'serialise' as const, above: version - 1 };
    const reply = await this.hostRead<SerialisedValue | undefined>(home.slot, tournamentId, serialise);
    if (!reply?.value) return undefined;
    const { json } = reply.value;
    const at = reply.version === home.version ? home.updatedAt : undefined;
    const stored: SnapshotAndTail = {
      ...{ tournamentId, providerId: home.providerId, version: reply.version, updatedAt: at ?? '' },
      ...{ snapshotVersion: reply.version, snapshot: json, bytes: json.length, tail: [] },
    };
    const load: Load = { kind: 'stored', stored };
    return { load, facts: storedFacts(stored) };
  }

  /** A query over several tournaments at once, run by the host of the first on their committed texts. */
  async queryMany(
    tournamentIds: string[],
    records: Record<string, string>,
    method: string,
    params: Record<string, unknown>,
  ) {
    return this.hostCall<unknown>(this.pool.slotOf(tournamentIds[0]), { type: 'queryMany', records, method, params });
  }

  /** Another instance committed these (heard over the broadcast link): their held records are behind. */
  committedElsewhere(tournamentIds: string[]): void {
    for (const id of tournamentIds) this.writtenElsewhere.set(id, true);
  }

  /** Shutdown, after the last batch: every snapshot catches up, so the next start replays nothing. */
  flushSnapshots(): Promise<void> {
    return this.snapshots.flush();
  }

  /** Version, owner and commit time of the stored tournament (no record read). */
  summary(tournamentId: string): Promise<TournamentSummary | undefined> {
    return this.storageCall(() => this.storage.tournaments.getSummary(tournamentId));
  }

  /**
   * Runs `work` under the tournaments' locks as an admitted batch: once shutdown has started, new
   * batches are refused (ERR_SHUTTING_DOWN) and shutdown waits for the admitted ones.
   */
  private admitted<T>(tournamentIds: string[], work: () => Promise<T>): Promise<T> {
    return this.gate.run(() =>
      this.locks.withLocks(tournamentIds, async () => {
        // After the last commit of these tournaments: one may still be on its way.
        await this.pipeline.landed(tournamentIds);
        return work();
      }),
    );
  }

  private async executeLocked(
    batch: CheckedBatch,
    request: ExecuteRequest,
    report: BatchReport,
    unlock: () => void,
  ): Promise<ExecuteResult> {
    let done = () => {};
    const back = new Promise<void>((resolve) => (done = resolve));
    for (const id of batch.tournamentIds) this.running.set(id, back);
    const context: BatchContext = {
      unlock: () => {
        unlock();
        request.onLetGo?.();
      },
    };
    try {
      return await this.attempts(batch, request, report, context);
    } finally {
      for (const id of batch.tournamentIds) if (this.running.get(id) === back) this.running.delete(id);
      if (context.inFlight) this.pipeline.over(context.inFlight);
      done();
    }
  }

  private async attempts(
    batch: CheckedBatch,
    request: ExecuteRequest,
    report: BatchReport,
    context: BatchContext,
  ): Promise<ExecuteResult> {
    let cold = false;
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      // After losing a race to another instance, the retry holds the tournaments' cross-instance
      // lock from its first read to its commit, so it cannot lose again (PostgreSQL).
      const lock = attempt > 1 && !cold ? await this.lockAcrossInstances(batch.tournamentIds) : undefined;
      try {
        const result = await this.attemptBatch(batch, request, report, context, lock, cold);
        if (result) return result;
        cold = false;
      } catch (error) {
        // The host no longer held what the executor thought (a worker replaced meanwhile): once more from storage.
        if (!(error instanceof HostMissError) || cold) throw error;
        cold = true;
        attempt--;
      } finally {
        await lock?.release().catch(() => undefined);
      }
    }
    throw new AppError(ErrorCode.CONFLICT, 'the tournament kept changing while this batch ran; nothing was stored');
  }

  /** One read-run-write; undefined when another writer got there first (the caller retries). */
  private async attemptBatch(
    batch: CheckedBatch,
    request: ExecuteRequest,
    report: BatchReport,
    context: BatchContext,
    lock: WriteLock | undefined,
    cold: boolean,
  ): Promise<ExecuteResult | undefined> {
    const { user } = request;
    const store = lock ?? this.unlocked;
    let phase = performance.now();
    // A batch runs on the host of its first tournament; the others of a multi-tournament batch come from storage.
    const slot = this.pool.slotOf(batch.tournamentIds[0]);
    const generation = this.pool.generation(slot);
    const single = batch.tournamentIds.length === 1;
    // The batch before, its commit still on its way: this one runs on the record it left, or waits for it.
    const before = single ? this.pipeline.of(batch.tournamentIds[0]) : undefined;
    const after = before && before !== context.inFlight && !lock && !cold && this.continues(before, batch, slot);
    if (!after) await this.pipeline.landed(batch.tournamentIds, context.inFlight);
    // Asked on every attempt: another instance may have committed this ackId meanwhile. Asked with
    // the stored versions of the held records, so the store is waited for once, not twice. When the
    // host holds every record, they are asked beside the run and their answers awaited after it
    // (after the commit of the batch before, when the run continues its record).
    const speculated = after
      ? [{ ...before.entry }]
      : !lock && !cold
        ? this.speculation(batch.tournamentIds, slot)
        : undefined;
    if (speculated) for (const entry of speculated) this.assertAccess(user, entry.providerId, entry.tournamentId);
    const checks: Promise<Checked | undefined> = after
      ? before.landed.then((landed) => (landed ? this.checks(batch, store, true) : undefined))
      : this.checks(batch, store, speculated !== undefined);
    checks.catch(() => undefined);
    let loaded: Loaded[];
    if (speculated) {
      loaded = speculated;
      report.hotHits += loaded.length;
      report.ranAhead = 'kept';
      if (after) report.continued = true;
    } else {
      const [replay, versions] = (await checks)!;
      if (replay) return repeated(replay);
      loaded = await this.loadForWrite(batch.tournamentIds, user, report, store, slot, cold, versions);
    }
    report.loadMs += performance.now() - phase;
    const replayable = single && isReplayable(batch.methods);
    // Tournaments that moved on since the sender's copy: their matchUps' states are read around the run.
    const check = this.conflictCheck(batch, loaded);

    phase = performance.now();
    const seed = newSeed();
    const at = commitTime(loaded);
    const key = nextRunKey++;
    let outcome: RunReply;
    try {
      outcome = await this.hostCall<RunReply>(slot, {
        ...{ type: 'run', key, after: after ? before.key : undefined, tournamentIds: batch.tournamentIds },
        ...{ directives: batch.methodsJson, seed, at: at.getTime() },
        versions: Object.fromEntries(loaded.map((entry) => [entry.tournamentId, entry.version])),
        loads: Object.fromEntries(loaded.flatMap((entry) => (entry.load ? [[entry.tournamentId, entry.load]] : []))),
        targets: Object.fromEntries(
          check.map(({ entry }) => [
            entry.tournamentId,
            changedSet(entry.tournamentId, batch.methods, undefined, single).matchUpIds ?? [],
          ]),
        ),
        // The log entry alone is the durable change when replay rebuilds it; otherwise the record goes too.
        json: loaded.filter((entry) => !(replayable && entry.version > 0)).map((entry) => entry.tournamentId),
      });
    } catch (error) {
      // Not run (the host lacked a record), or lost with its worker: what the host holds is unknown.
      for (const id of batch.tournamentIds) this.forget(id);
      // Answered after the batch before it, whatever that one's outcome.
      if (after) await before.landed;
      throw error;
    }
    report.engineMs += performance.now() - phase;
    report.run = { engineMs: outcome.engineMs, startedAt: outcome.startedAt, threadId: outcome.threadId };
    if (!outcome.ok) {
      // The host dropped the records the batch may have half-changed.
      for (const id of batch.tournamentIds) this.hot.delete(id);
      // Run on a record whose commit then failed: the failure may be that record's, so once more on what landed.
      if (after && !(await before.landed)) return undefined;
      // The same batch, committed by another instance since the check above, may be why it fails now.
      const replay = batch.ackId ? await this.replay(batch.tournamentIds, batch.ackId, store) : undefined;
      if (replay) return repeated(replay);
      const { code, message, ...detail } = outcome.error;
      throw new AppError(code, message, detail);
    }
    const settled: Record<string, number> = {};
    try {
      if (speculated) {
        // The run is not settled: whatever this returns or throws, the finally below drops the records.
        phase = performance.now();
        const checked = await checks;
        report.loadMs += performance.now() - phase;
        if (!checked) {
          // The batch before did not commit what this one ran on: once more, on what it left.
          report.ranAhead = 'thrown_away';
          return undefined;
        }
        const [replay, versions] = checked;
        const moved = loaded.filter((entry, index) => versions[index] !== entry.version);
        if (replay || moved.length) report.ranAhead = 'thrown_away';
        if (replay) return repeated(replay);
        if (moved.length) {
          // Another instance committed first: retried under the cross-instance lock, without running ahead.
          for (const { tournamentId } of moved) this.writtenElsewhere.set(tournamentId, true);
          return undefined;
        }
      }
      for (const entry of loaded) {
        this.assertAccess(user, outcome.tournaments[entry.tournamentId].providerId, entry.tournamentId);
      }
      const engineMs = round(outcome.engineMs);
      const logged: Record<string, LogExtras> = {};
      for (const { tournamentId } of loaded) {
        const changes = changedSet(tournamentId, batch.methods, outcome.changes[tournamentId], single);
        const by = request.origin?.holder ? { by: request.origin.holder } : {};
        logged[tournamentId] = { changes, ...by, seed, engine: ENGINE_VERSION, engineMs };
      }
      if (check.length) await this.detectConflicts(batch, check, logged, outcome.tournaments, request.origin?.holder);

      phase = performance.now();
      const items = loaded.map((entry) => runItem(entry, outcome.tournaments[entry.tournamentId]));
      const committing = this.commit(items, user, batch.ackId, 'mutation', batch.methods, lock, logged, at);
      // Without a cross-instance lock to keep, the next batch of this tournament need not wait for the store.
      if (single && !lock) this.letGo(context, items[0], key, slot, generation, at);
      const committed = await committing.finally(() => {
        report.storeMs += performance.now() - phase;
      });
      if (!committed) return undefined;
      for (const [index, entry] of committed.entries.entries()) {
        this.snapshots.committed(entry.tournamentId, entry.version, outcome.engineMs, items[index].json !== undefined);
        // Kept only by its own host: a multi-tournament batch's others are loaded from storage next time.
        if (this.pool.slotOf(entry.tournamentId) !== slot) continue;
        settled[entry.tournamentId] = entry.version;
        this.hot.put(entry.tournamentId, { ...entry, slot, generation });
      }
      const overrides = Object.fromEntries(
        Object.entries(logged).flatMap(([id, extras]) => (extras.overrides ? [[id, extras.overrides]] : [])),
      );
      const publish = Object.fromEntries(
        Object.entries(outcome.tournaments).flatMap(([id, facts]) => (facts.publish ? [[id, facts.publish]] : [])),
      );
      this.announce(committed, 'mutation', batch.methods, user, batch.ackId, request.origin, outcome.changes, {
        ...(Object.keys(overrides).length ? { overrides } : {}),
        ...(request.returnResults ? { results: outcome.results } : {}),
        seed,
        publish,
      });
      return { success: true, results: outcome.results, versions: committed.versions };
    } finally {
      // Committed records stay in their host at their new version; the rest are dropped there.
      for (const id of batch.tournamentIds) if (settled[id] === undefined) this.hot.delete(id);
      const settle = { type: 'settle' as const, key, tournamentIds: batch.tournamentIds, committed: settled };
      void this.hostCall(slot, { ...settle, at: at.toISOString() }).catch(() => undefined);
      // After the settle is on its way: a run that continued this one settles after it. Not
      // committed (whatever the reason): nobody continues this entry any more.
      const { inFlight } = context;
      if (inFlight?.key === key) {
        if (settled[inFlight.entry.tournamentId] === undefined) inFlight.chainable = false;
        else inFlight.finish(true);
      }
    }
  }

  /**
   * The batch lets go of its tournament's lock, its commit on its way: the next batch may run on the
   * record its host holds (uncommitted yet), and commits only once this commit has landed.
   */
  private letGo(
    context: BatchContext,
    item: CommitItem,
    key: number,
    slot: number,
    generation: number,
    at: Date,
  ): void {
    // A retry keeps the first attempt's entry, no longer chainable (its finally below): the batch
    // after waits for this one to be over.
    context.inFlight ??= this.pipeline.letGo(key, committedEntry(item, at), slot, generation);
    context.unlock();
  }

  /** Whether a batch may run on the record `before` left, before that batch's commit has landed. */
  private continues(before: InFlight<Loaded>, batch: CheckedBatch, slot: number): boolean {
    const id = before.entry.tournamentId;
    const base = batch.baseVersions?.[id];
    return (
      before.chainable &&
      before.slot === slot &&
      before.generation === this.pool.generation(slot) &&
      !this.writtenElsewhere.has(id) &&
      // A read waits for its host to settle: as long as a host lets reads wait behind batches, no longer.
      !this.pipeline.readerKeptWaiting(id) &&
      // The log up to the version it runs on is read for conflicts only once stored.
      (base === undefined || base >= before.entry.version)
    );
  }

  /**
   * The ackId's earlier commit, and the stored version of each record the executor believes held
   * (`allHeld`: of every record). Never rejects before it is awaited.
   */
  private checks(batch: CheckedBatch, store: StoreReads, allHeld: boolean): Promise<Checked> {
    const held = (id: string) => allHeld || Boolean(this.hot.peek(id));
    const checks = Promise.all([
      batch.ackId ? this.replay(batch.tournamentIds, batch.ackId, store) : undefined,
      Promise.all(
        batch.tournamentIds.map((id) => (held(id) ? this.storageCall(() => store.getVersion(id)) : undefined)),
      ),
    ]);
    checks.catch(() => undefined);
    return checks;
  }

  /**
   * Every record of the batch as its own host holds it, when the batch may run on them before the
   * store has answered its checks (the ackId, the stored versions): a store shared with other
   * instances rarely moves under a held record, and when it does the run is thrown away. Not for a
   * tournament seen written elsewhere lately, where running ahead would mostly be thrown away.
   */
  private speculation(ids: string[], slot: number): Loaded[] | undefined {
    const loaded: Loaded[] = [];
    for (const id of ids) {
      const hot = this.hot.peek(id);
      if (!hot || hot.slot !== slot || this.writtenElsewhere.has(id)) return undefined;
      loaded.push({ tournamentId: id, ...hot });
    }
    return loaded;
  }

  /** The tournaments of a batch whose stored version is above the sender's base. */
  private conflictCheck(batch: CheckedBatch, loaded: Loaded[]): ConflictCheck[] {
    const bases = batch.baseVersions;
    if (!bases) return [];
    return loaded.flatMap((entry) => {
      const base = bases[entry.tournamentId];
      return base === undefined || base >= entry.version ? [] : [{ entry, base }];
    });
  }

  /**
   * Reads the log after each base and compares what those batches changed with what this one
   * changes. `reject`: throws ERR_CONFLICT naming them (nothing stored). `overwrite`: records the
   * versions it overrides in this batch's log entries.
   */
  private async detectConflicts(
    batch: CheckedBatch,
    checks: ConflictCheck[],
    logged: Record<string, LogExtras>,
    facts: Record<string, RunTournament>,
    holder: string | undefined,
  ): Promise<void> {
    const conflicts: Conflict[] = [];
    for (const { entry, base } of checks) {
      const { tournamentId, version } = entry;
      const extras = logged[tournamentId];
      const { before = new Map<string, string>(), after = new Map<string, string>() } = facts[tournamentId];
      const mine = withoutRepeats(extras.changes!, before, after);
      const since = await this.storageCall(() => this.storage.log.since(tournamentId, base, version - base));
      const found =
        since.length === version - base && since[0]?.version === base + 1
          ? since.flatMap((logEntry) => conflictWith(tournamentId, mine, logEntry, holder) ?? [])
          : [truncated(tournamentId, version, since.at(-1))];
      if (found.length) extras.overrides = found.map((conflict) => conflict.version);
      conflicts.push(...found);
    }
    if (conflicts.length && batch.conflictPolicy === 'reject') {
      const message = `${conflicts.length} change(s) since the version this batch was made on touch the same things; nothing was stored`;
      throw new AppError(ErrorCode.CONFLICT, message, { conflicts });
    }
  }

  private async lockAcrossInstances(ids: string[]): Promise<WriteLock | undefined> {
    const tournaments = this.storage.tournaments;
    if (!tournaments.lockForWrite) return undefined;
    return this.storageCall(() => tournaments.lockForWrite!(ids));
  }

  private async saveLocked(request: SaveRequest): Promise<{ success: true; versions: Record<string, number> }> {
    const { user, ackId } = request;
    const ids = request.records.map((record) => record.tournamentId);
    if (ackId) {
      const replay = await this.replay(ids, ackId);
      if (replay) return { success: true, versions: replay };
    }
    const items: CommitItem[] = [];
    const conflicts: Record<string, number> = {};
    for (const record of request.records) {
      const id = record.tournamentId;
      const current = await this.summary(id);
      if (current) this.assertAccess(user, current.providerId, id);
      const base = request.baseVersions?.[id];
      const version = current?.version ?? 0;
      if (base !== undefined && base !== version && !request.force) conflicts[id] = version;
      if (!tournamentProviderId(record) && user.provider) record.parentOrganisation = { ...user.provider };
      const providerId = tournamentProviderId(record);
      this.assertAccess(user, providerId, id);
      const entry: Loaded = { tournamentId: id, version, providerId, bytes: 0, updatedAt: current?.updatedAt };
      items.push({ entry, providerId, calendar: providerId ? calendarEntry(record, providerId) : null, json: '' });
    }
    if (Object.keys(conflicts).length) {
      throw new AppError(ErrorCode.CONFLICT, 'the stored tournament has changed since this copy was fetched', {
        versions: conflicts,
      });
    }
    request.records.forEach((record, index) => (items[index].json = JSON.stringify(record)));
    // Read now, from the record as saved: later, a host may already hold a newer version.
    const publish = Object.fromEntries(request.records.flatMap((record) => publishEntry(record)));
    const committed = await this.commit(items, user, ackId, 'save', []);
    if (!committed) {
      // Another instance stored this upload (same ackId) since the check above.
      const replay = ackId ? await this.replay(ids, ackId) : undefined;
      if (replay) return { success: true, versions: replay };
      throw new AppError(ErrorCode.CONFLICT, 'the tournament changed while saving');
    }
    committed.entries.forEach((entry, index) => {
      // The saved record goes to its host as text: the host parses its own copy.
      const slot = this.pool.slotOf(entry.tournamentId);
      const generation = this.pool.generation(slot);
      const json = items[index].json!;
      const { tournamentId, version, updatedAt } = entry;
      void this.hostCall(slot, { type: 'put', tournamentId, version, json, updatedAt }).catch(() => undefined);
      this.hot.put(entry.tournamentId, { ...entry, slot, generation });
      this.snapshots.committed(entry.tournamentId, entry.version, 0, true);
    });
    this.announce(committed, 'save', [], user, ackId, request.origin, {}, { publish });
    return { success: true, versions: committed.versions };
  }

  /**
   * What each locked tournament's host needs: nothing when it holds the current version; the log
   * entries another instance committed since; else the stored snapshot and tail.
   */
  private async loadForWrite(
    ids: string[],
    user: AuthUser,
    report: BatchReport,
    store: StoreReads,
    slot: number,
    cold: boolean,
    /** The stored version of each held record, read just before. */
    versions: Array<number | undefined>,
  ): Promise<Loaded[]> {
    const loaded: Loaded[] = [];
    for (const [index, id] of ids.entries()) {
      const own = this.pool.slotOf(id) === slot;
      // Left in place while the batch runs: a read meanwhile reaches the host, which answers it from
      // the committed record, or after the batch settles. Never from a record half-way.
      let hot = this.hot.peek(id);
      if (hot && (!own || cold)) {
        // Held by another host (a multi-tournament batch), or no longer held: it runs on a stored copy.
        this.forget(id);
        hot = undefined;
      }
      let entry: Loaded | undefined;
      if (hot) {
        const version = versions[index] ?? (await this.storageCall(() => store.getVersion(id)));
        if (version === hot.version) entry = { tournamentId: id, ...hot };
        else if (version !== undefined && hot.version < version) {
          this.writtenElsewhere.set(id, true);
          const load = await this.tailLoad(id, hot.version, version);
          if (load) entry = { tournamentId: id, ...hot, version, updatedAt: load.entries.at(-1)!.at, load };
        }
      }
      if (entry) report.hotHits++;
      else {
        report.hotMisses++;
        const stored = await this.storageCall(() => store.getStored(id));
        if (stored) {
          this.snapshots.loaded(id, stored.snapshotVersion, engineMsOf(stored.tail));
          entry = { ...storedFacts(stored), load: { kind: 'stored', stored } };
        }
      }
      if (!entry) throw new AppError(MISSING_TOURNAMENT.code, MISSING_TOURNAMENT.message, { tournamentId: id });
      this.assertAccess(user, entry.providerId, id);
      loaded.push(entry);
    }
    return loaded;
  }

  /** The log entries after `from` up to `to`, when the host can replay them on its copy; else undefined. */
  private async tailLoad(id: string, from: number, to: number): Promise<Extract<Load, { kind: 'tail' }> | undefined> {
    const tail = await this.storageCall(() => this.storage.log.since(id, from, to - from));
    // A save among them, or a gap: the stored record is read instead.
    const replayable = tail.every((entry) => entry.kind === 'mutation' && isReplayable(entry.methods));
    if (!replayable || !continuesFrom(tail, from, to)) return undefined;
    return { kind: 'tail', from, entries: tail };
  }

  /**
   * Writes every record at its next version with one log entry each, atomically. Returns
   * undefined when another writer got there first (the caller reloads and retries).
   */
  private async commit(
    items: CommitItem[],
    user: AuthUser,
    ackId: string | undefined,
    kind: MutationLogEntry['kind'],
    methods: Directive[],
    lock?: WriteLock,
    extras: Record<string, LogExtras> = {},
    at: Date = commitTime(items.map((item) => item.entry)),
  ): Promise<{ versions: Record<string, number>; entries: Committed[]; at: Date } | undefined> {
    const entries: Committed[] = [];
    const calendars: CalendarChange[] = [];
    const writes: TournamentWrite[] = items.map((item) => {
      const { providerId, calendar: calendarEntry, json } = item;
      const entry = committedEntry(item, at);
      const { tournamentId, version } = entry;
      const calendar = this.calendar.changeTo(tournamentId, calendarEntry, version);
      calendars.push(calendar);
      entries.push(entry);
      const log: MutationLogEntry = {
        ...{ tournamentId, version, methods, userId: user.email, ackId },
        ...{ at: at.toISOString(), kind },
        ...extras[tournamentId],
      };
      const write: TournamentWrite = { tournamentId, providerId, version, json, log };
      if (calendar.changed) write.calendar = calendar.entry;
      return write;
    });
    try {
      await (lock ? lock.commit(writes) : this.storage.tournaments.commit(writes));
    } catch (error) {
      // Another writer (another instance) got there first: the caller reloads, or replays its ackId.
      if (error instanceof VersionConflictError || error instanceof DuplicateKeyError) return undefined;
      throw this.storageError(error);
    }
    entries.forEach((entry, index) => this.calendar.committed(entry.tournamentId, entry.version, calendars[index]));
    this.pruneLogs(entries);
    return { versions: Object.fromEntries(entries.map((e) => [e.tournamentId, e.version])), entries, at };
  }

  /** Announces a commit (still under the locks, so in commit order). */
  private announce(
    committed: { versions: Record<string, number>; entries: Committed[]; at: Date },
    kind: 'mutation' | 'save',
    methods: Directive[],
    user: AuthUser,
    ackId: string | undefined,
    origin: BatchOrigin = {},
    changes: Record<string, TournamentChanges>,
    extra: Pick<CommittedEvent, 'overrides' | 'results' | 'seed' | 'publish'> = {},
  ): void {
    const { entries, versions } = committed;
    this.events.emitCommitted({
      ...{ kind, tournamentIds: entries.map((e) => e.tournamentId), versions, methods, userId: user.email, ackId },
      ...{ timestamp: committed.at.getTime(), origin, changes, ...extra },
      providerIds: Object.fromEntries(entries.map((e) => [e.tournamentId, e.providerId])),
    });
  }

  /** The versions a batch with this ackId produced, when it was already committed. */
  private async replay(
    ids: string[],
    ackId: string,
    store: StoreReads = this.unlocked,
  ): Promise<Record<string, number> | undefined> {
    const versions: Record<string, number> = {};
    for (const id of ids) {
      const entry = await this.storageCall(() => store.findByAckId(id, ackId));
      if (!entry) return undefined;
      versions[id] = entry.version;
    }
    return versions;
  }

  /** A read of a record the executor believes its host holds; undefined when it no longer does. */
  private async hostRead<T>(
    slot: number,
    tournamentId: string,
    read: ReadOp,
    load?: Load,
    urgent?: boolean,
  ): Promise<ReadReply<T> | undefined> {
    try {
      const request = { type: 'read' as const, tournamentId, read, keep: true, load, urgent };
      return await this.pipeline.reading(tournamentId, () => this.hostCall<ReadReply<T>>(slot, request));
    } catch (error) {
      if (!(error instanceof HostMissError)) throw error;
      this.hot.delete(tournamentId);
      return undefined;
    }
  }

  /**
   * A held record's text with its version (snapshots); undefined when no host holds it newer than
   * asked. `urgent`: in turn with the host's batches (a budget snapshot), not after them.
   */
  private async held<T extends object>(
    tournamentId: string,
    read: ReadOp,
    urgent?: boolean,
  ): Promise<(T & { version: number }) | undefined> {
    if (!this.hot.peek(tournamentId)) return undefined;
    const slot = this.pool.slotOf(tournamentId);
    const reply = await this.hostRead<T | undefined>(slot, tournamentId, read, undefined, urgent);
    return reply?.value && { ...reply.value, version: reply.version };
  }

  private async hostCall<T>(slot: number, request: Parameters<EnginePool['request']>[1]): Promise<T> {
    try {
      return await this.pool.request<T>(slot, request);
    } catch (error) {
      if (error instanceof EngineRestartedError) {
        throw new AppError(
          ErrorCode.ENGINE_RESTARTED,
          'the engine restarted while handling this; nothing was stored, send it again',
          {
            retryable: true,
          },
        );
      }
      if (error instanceof ReplayError) throw this.storageError(error);
      throw error;
    }
  }

  /** An entry pushed out of the shared budget: its host drops the record, written as a snapshot when behind. */
  private evicted(key: string, entry: HotRecord): void {
    const replica = replicaOf(key);
    if (replica !== undefined) {
      void this.pool.request(entry.slot, { type: 'drop', tournamentIds: [replica] }).catch(() => undefined);
      return;
    }
    const tournamentId = key;
    const above = this.snapshots.storedVersion(tournamentId);
    const slot = entry.slot;
    const serialiseAbove = above === undefined ? undefined : { [tournamentId]: above };
    this.pool
      .request<Record<string, { version: number; json?: string }>>(slot, {
        ...{ type: 'drop', tournamentIds: [tournamentId] },
        serialiseAbove,
      })
      .then((dropped) => {
        const { version, json } = dropped[tournamentId] ?? {};
        if (version !== undefined && json !== undefined) return this.snapshots.store(tournamentId, version, json);
      })
      .catch((error: Error) =>
        this.logger.warn(`dropping ${tournamentId} from its engine host failed: ${error.message}`),
      );
  }

  /** The record leaves its host (removed, or about to run elsewhere). */
  private dropAt(tournamentId: string): void {
    void this.pool
      .request(this.pool.slotOf(tournamentId), { type: 'drop', tournamentIds: [tournamentId] })
      .catch(() => undefined);
  }

  private forget(tournamentId: string): void {
    this.hot.delete(tournamentId);
    this.dropAt(tournamentId);
    const replica = this.hot.peek(replicaKey(tournamentId));
    if (!replica) return;
    this.hot.delete(replicaKey(tournamentId));
    void this.pool.request(replica.slot, { type: 'drop', tournamentIds: [tournamentId] }).catch(() => undefined);
  }

  private assertAccess(user: AuthUser, providerId: string | undefined, tournamentId: string): void {
    if (!mayAccessProvider(user, providerId)) {
      throw new AppError(ErrorCode.FORBIDDEN, `not allowed to change tournament ${tournamentId}`, { tournamentId });
    }
  }

  private pruneLogs(entries: Committed[]): void {
    const retain = this.config.executor.logRetain;
    for (const { tournamentId, version } of entries) {
      // Pruning every 100 versions keeps the log between `retain` and `retain + 100` entries; the
      // snapshot goes first, as the store never prunes an entry after its snapshot.
      if (version > retain && version % 100 === 0) {
        this.snapshots
          .write(tournamentId)
          .then(() => this.storage.log.prune(tournamentId, version - retain + 1))
          .catch((error: Error) => this.logger.warn(`log prune failed for ${tournamentId}: ${error.message}`));
      }
    }
  }

  private async storageCall<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw this.storageError(error);
    }
  }

  private async calendarCall(work: () => Promise<void>): Promise<void> {
    // The batch is already stored and announced: a calendar hiccup is logged, not reported as failure.
    await work().catch((error: Error) => this.logger.error(`calendar update failed: ${error.message}`));
  }

  private storageError(error: unknown): AppError {
    if (error instanceof AppError) return error;
    this.logger.error(`storage failure: ${(error as Error)?.message ?? error}`);
    return new AppError(ErrorCode.STORAGE_UNAVAILABLE, 'storage unavailable, nothing was changed; try again');
  }

  private toErrorBody(error: unknown): ErrorBody {
    if (error instanceof AppError) return error.toBody();
    this.logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    return { code: ErrorCode.INTERNAL, message: 'internal error, nothing was changed' };
  }
}

/** The answer to a batch whose ackId was committed before: that commit's versions, nothing run again. */
function repeated(versions: Record<string, number>): ExecuteResult {
  return { success: true, results: [], versions, duplicate: true };
}

/** A tournament as the commit of `item` at `at` leaves it. */
function committedEntry(item: CommitItem, at: Date): Committed {
  const { tournamentId, version, bytes } = item.entry;
  return {
    ...{ tournamentId, version: version + 1, providerId: item.providerId },
    ...{ bytes: item.json?.length ?? bytes, updatedAt: at.toISOString() },
  };
}

/** What a batch's commit writes of a tournament, from its host's report of the run. */
function runItem(entry: Loaded, facts: RunTournament): CommitItem {
  return { entry, providerId: facts.providerId, calendar: facts.calendar, json: facts.json };
}

/** A saved record's publish state, for the public module (none when the record cannot tell it). */
function publishEntry(record: TournamentRecord): Array<[string, PublishInfo]> {
  try {
    return [[record.tournamentId, publishInfoOf(record)]];
  } catch {
    return [];
  }
}

function storedFacts(stored: SnapshotAndTail): Loaded {
  const { tournamentId, version, providerId, bytes, updatedAt } = stored;
  return { tournamentId, version, providerId, bytes, updatedAt };
}

/** The log no longer reaches back to the base: what changed since cannot be told, so it is a conflict. */
function truncated(tournamentId: string, version: number, latest: MutationLogEntry | undefined): Conflict {
  return {
    ...{ tournamentId, version, userId: latest?.userId ?? '', at: latest?.at ?? '', methods: [] },
    reason: 'HISTORY_TRUNCATED',
  };
}

/**
 * Now, or just after the latest commit of these tournaments when the clock has not moved past it:
 * each version's time (`updatedAt`, which desks compare) is later than the one before.
 */
function commitTime(loaded: Loaded[]): Date {
  const times = loaded.map((entry) => Date.parse(entry.updatedAt ?? ''));
  const previous = Math.max(0, ...times.filter(Number.isFinite));
  return new Date(Math.max(Date.now(), previous + 1));
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}

function newReport(origin: BatchOrigin = {}): BatchReport {
  return {
    outcome: 'ok',
    tournamentIds: [],
    methodNames: [],
    origin,
    totalMs: 0,
    lockWaitMs: 0,
    loadMs: 0,
    engineMs: 0,
    storeMs: 0,
    hotHits: 0,
    hotMisses: 0,
  };
}
