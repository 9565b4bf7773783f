import { Injectable, Logger } from '@nestjs/common';
import { mayAccessProvider, tournamentProviderId } from '../auth/access';
import type { AuthUser } from '../auth/auth-user';
import { AppError, ErrorCode, type ErrorBody } from '../common/errors';
import { AppConfig } from '../config/config';
import { BatchGate } from '../lifecycle/batch-gate';
import { installEngineState } from '../engine/engine-state';
import { CalendarService, type CalendarChange } from '../providers/calendar.service';
import { newSeed, runDeterministic } from '../engine/deterministic';
import { continuesFrom, ENGINE_VERSION, isReplayable, replayEntries } from '../engine/replay';
import { runDirectives, type TournamentChanges } from '../engine/run-directives';
import {
  DuplicateKeyError,
  Storage,
  VersionConflictError,
  type Directive,
  type MutationLogEntry,
  type TournamentRecord,
  type TournamentSummary,
  type TournamentWrite,
  type WriteLock,
} from '../storage/storage.types';
import { checkBatch, type BatchLimits, type CheckedBatch } from './batch-check';
import { HotRecords, type HotRecord } from './hot-records';
import { Snapshots } from './snapshots';
import { TournamentLocks } from './tournament-locks';
import { changedSet, conflictWith, matchUpStates, withoutRepeats, type Conflict } from './changed-set';
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

interface Loaded extends HotRecord {
  tournamentId: string;
}

/** What a mutation's log entry records beside its directives. */
type LogExtras = Pick<MutationLogEntry, 'changes' | 'overrides' | 'by' | 'seed' | 'engine' | 'engineMs'>;

/** How a batch was run: its engine time, and whether its log entry can rebuild its record. */
interface RunFacts {
  engineMs: number;
  replayable: boolean;
}

/** A tournament to check for conflicts: loaded above the sender's base. */
interface ConflictCheck {
  entry: Loaded;
  base: number;
  before: Map<string, string>;
}

/** What a batch reads: through a cross-instance write lock, or straight from the store. */
type StoreReads = Pick<WriteLock, 'get' | 'getVersion' | 'findByAckId'>;

/** Commit attempts when another instance wrote the same tournament between our read and write. */
const MAX_ATTEMPTS = 3;
const MISSING_TOURNAMENT = { code: 'ERR_MISSING_TOURNAMENT', message: 'Missing tournamentRecord' };

/**
 * The one path by which tournament records change: check, lock, load, run, store, announce.
 * Every door (REST, Socket.IO) comes through here. See docs/mutations.md.
 */
@Injectable()
export class MutationExecutor {
  private readonly logger = new Logger(MutationExecutor.name);
  private readonly allowed: ReadonlySet<string>;
  private readonly limits: BatchLimits;
  readonly locks: TournamentLocks;
  readonly hot: HotRecords;
  readonly snapshots: Snapshots;
  /** Tournaments whose hot copy a batch holds right now, and the promise of its return. */
  private readonly running = new Map<string, Promise<void>>();
  private readonly unlocked: StoreReads = {
    get: (id) => this.storage.tournaments.get(id),
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
    this.hot = new HotRecords(config.executor.hotRecordsMaxBytes, (id, entry) => this.snapshots.evicted(id, entry));
    this.snapshots = new Snapshots(storage, this.hot, config.snapshots);
  }

  /** Runs a batch of directives. Never throws: refusals and failures come back as `{ error }`. */
  async execute(request: ExecuteRequest): Promise<ExecuteResult> {
    const report = newReport(request.origin);
    const started = performance.now();
    try {
      const batch = checkBatch(request, this.allowed, this.limits);
      report.tournamentIds = batch.tournamentIds;
      report.methodNames = batch.methods.map((directive) => directive.method);
      return await this.admitted(batch.tournamentIds, () => {
        report.lockWaitMs = performance.now() - started;
        return this.executeLocked(batch, request, report);
      });
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
          const current = await this.readCommitted(id);
          if (!current) continue;
          this.assertAccess(user, current.providerId, id);
          if (await this.storageCall(() => this.storage.tournaments.remove(id))) removed.push(id);
          providerIds[id] = current.providerId;
          this.hot.delete(id);
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
   * The committed record and version of a tournament, for read-only use. The object may be the
   * executor's hot copy: use it synchronously (before any await) and never modify it.
   */
  async readCommitted(tournamentId: string): Promise<Loaded | undefined> {
    // A batch holding the hot copy gives it back within a batch's time: waiting for it is far
    // cheaper than rebuilding the record from its snapshot and log.
    for (let waits = 0; ; waits++) {
      const version = await this.storageCall(() => this.storage.tournaments.getVersion(tournamentId));
      if (version === undefined) return undefined;
      // Peeked after the await: a batch may have taken or replaced the copy meanwhile.
      const hot = this.hot.peek(tournamentId);
      if (hot?.version === version) return { ...hot, tournamentId };
      const running = this.running.get(tournamentId);
      if (running && waits < 3) {
        await running;
        // Just committed and put back (the next queued batch takes it at its first await): use it now.
        const back = this.hot.peek(tournamentId);
        if (back) return { ...back, tournamentId };
        continue;
      }
      if (hot && hot.version < version) {
        // Another instance committed: bring the copy up to date, unless a batch takes it meanwhile.
        const caught = await this.catchUp(tournamentId, hot, version, () => this.hot.peek(tournamentId) === hot);
        if (caught) {
          this.hot.put(tournamentId, caught);
          return { ...caught, tournamentId };
        }
      }
      break;
    }
    const stored = await this.storageCall(() => this.storage.tournaments.get(tournamentId));
    return stored && { ...stored, tournamentId };
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
    return this.gate.run(() => this.locks.withLocks(tournamentIds, work));
  }

  private async executeLocked(
    batch: CheckedBatch,
    request: ExecuteRequest,
    report: BatchReport,
  ): Promise<ExecuteResult> {
    let done = () => {};
    const back = new Promise<void>((resolve) => (done = resolve));
    for (const id of batch.tournamentIds) this.running.set(id, back);
    try {
      return await this.attempts(batch, request, report);
    } finally {
      for (const id of batch.tournamentIds) if (this.running.get(id) === back) this.running.delete(id);
      done();
    }
  }

  private async attempts(batch: CheckedBatch, request: ExecuteRequest, report: BatchReport): Promise<ExecuteResult> {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      // After losing a race to another instance, the retry holds the tournaments' cross-instance
      // lock from its first read to its commit, so it cannot lose again (PostgreSQL).
      const lock = attempt > 1 ? await this.lockAcrossInstances(batch.tournamentIds) : undefined;
      try {
        const result = await this.attemptBatch(batch, request, report, lock);
        if (result) return result;
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
    lock?: WriteLock,
  ): Promise<ExecuteResult | undefined> {
    const { user } = request;
    const store = lock ?? this.unlocked;
    // Asked on every attempt: another instance may have committed this ackId meanwhile.
    if (batch.ackId) {
      const replay = await this.replay(batch.tournamentIds, batch.ackId, store);
      if (replay) return { success: true, results: [], versions: replay, duplicate: true };
    }
    let phase = performance.now();
    const loaded = await this.loadForWrite(batch.tournamentIds, user, report, store);
    report.loadMs += performance.now() - phase;
    // Tournaments that moved on since the sender's copy: their matchUps' states before this batch.
    const check = this.conflictCheck(batch, loaded);

    phase = performance.now();
    const records = Object.fromEntries(loaded.map((entry) => [entry.tournamentId, entry.record]));
    // The seed and the clock are the server's, and go into the log entry: replay gives this record again.
    const seed = newSeed();
    const at = commitTime(loaded);
    // A fresh copy for the engine: it keeps and changes the objects it is given.
    const outcome = runDeterministic({ seed, at: at.getTime() }, () =>
      runDirectives(records, JSON.parse(batch.methodsJson) as Directive[]),
    );
    const engineMs = performance.now() - phase;
    report.engineMs += engineMs;
    if (!outcome.success) {
      // The same batch, committed by another instance since the check above, may be why it fails now.
      const replay = batch.ackId ? await this.replay(batch.tournamentIds, batch.ackId, store) : undefined;
      if (replay) return { success: true, results: [], versions: replay, duplicate: true };
      const { code, message, ...detail } = outcome.error;
      throw new AppError(code, message, detail);
    }
    for (const entry of loaded) this.assertAccess(user, tournamentProviderId(entry.record), entry.tournamentId);
    const single = loaded.length === 1;
    const facts: RunFacts = { engineMs, replayable: single && isReplayable(batch.methods) };
    const logged: Record<string, LogExtras> = {};
    for (const { tournamentId } of loaded) {
      const changes = changedSet(tournamentId, batch.methods, outcome.changes[tournamentId], single);
      const by = request.origin?.holder ? { by: request.origin.holder } : {};
      logged[tournamentId] = { changes, ...by, seed, engine: ENGINE_VERSION, engineMs: round(engineMs) };
    }
    if (check.length) await this.detectConflicts(batch, check, logged, request.origin?.holder);
    // Results may point into the records, which the next batch changes: answer with a snapshot.
    const results = JSON.parse(JSON.stringify(outcome.results)) as unknown[];

    phase = performance.now();
    const committed = await this.commit(loaded, user, batch.ackId, 'mutation', batch.methods, lock, logged, at, facts);
    report.storeMs += performance.now() - phase;
    if (!committed) return undefined;

    const overrides = Object.fromEntries(
      Object.entries(logged).flatMap(([id, extras]) => (extras.overrides ? [[id, extras.overrides]] : [])),
    );
    await this.announce(committed, 'mutation', batch.methods, user, batch.ackId, request.origin, outcome.changes, {
      ...(Object.keys(overrides).length ? { overrides } : {}),
      ...(request.returnResults ? { results } : {}),
      seed,
    });
    return { success: true, results, versions: committed.versions };
  }

  /**
   * The tournaments of a batch whose stored version is above the sender's base, with the stored
   * state of the matchUps the batch targets (taken before it runs: the same result again is no conflict).
   */
  private conflictCheck(batch: CheckedBatch, loaded: Loaded[]): ConflictCheck[] {
    const bases = batch.baseVersions;
    if (!bases) return [];
    const single = loaded.length === 1;
    return loaded.flatMap((entry) => {
      const base = bases[entry.tournamentId];
      if (base === undefined || base >= entry.version) return [];
      const targets = changedSet(entry.tournamentId, batch.methods, undefined, single).matchUpIds ?? [];
      return [{ entry, base, before: matchUpStates(entry.record, targets) }];
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
    holder: string | undefined,
  ): Promise<void> {
    const conflicts: Conflict[] = [];
    for (const { entry, base, before } of checks) {
      const { tournamentId, version } = entry;
      const extras = logged[tournamentId];
      const mine = withoutRepeats(extras.changes!, before, matchUpStates(entry.record, [...before.keys()]));
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
    const loaded: Loaded[] = [];
    const conflicts: Record<string, number> = {};
    for (const record of request.records) {
      const id = record.tournamentId;
      const current = await this.readCommitted(id);
      if (current) this.assertAccess(user, current.providerId, id);
      const base = request.baseVersions?.[id];
      const version = current?.version ?? 0;
      if (base !== undefined && base !== version && !request.force) conflicts[id] = version;
      if (!tournamentProviderId(record) && user.provider) record.parentOrganisation = { ...user.provider };
      const providerId = tournamentProviderId(record);
      this.assertAccess(user, providerId, id);
      loaded.push({ tournamentId: id, record, version, providerId, bytes: 0, updatedAt: current?.updatedAt });
    }
    if (Object.keys(conflicts).length) {
      throw new AppError(ErrorCode.CONFLICT, 'the stored tournament has changed since this copy was fetched', {
        versions: conflicts,
      });
    }
    const committed = await this.commit(loaded, user, ackId, 'save', []);
    if (!committed) {
      // Another instance stored this upload (same ackId) since the check above.
      const replay = ackId ? await this.replay(ids, ackId) : undefined;
      if (replay) return { success: true, versions: replay };
      throw new AppError(ErrorCode.CONFLICT, 'the tournament changed while saving');
    }
    await this.announce(committed, 'save', [], user, ackId, request.origin, {});
    return { success: true, versions: committed.versions };
  }

  /**
   * Loads every locked tournament: the hot copy when its version is current; the hot copy brought up
   * to date by replaying the log entries another instance committed since; else the stored record.
   */
  private async loadForWrite(
    ids: string[],
    user: AuthUser,
    report: BatchReport,
    store: StoreReads = this.unlocked,
  ): Promise<Loaded[]> {
    const loaded: Loaded[] = [];
    for (const id of ids) {
      let entry: HotRecord | undefined;
      if (this.hot.peek(id)) {
        const version = await this.storageCall(() => store.getVersion(id));
        const hot = this.hot.take(id);
        if (hot && version !== undefined) entry = hot.version === version ? hot : await this.catchUp(id, hot, version);
      }
      if (entry) report.hotHits++;
      else {
        report.hotMisses++;
        const stored = await this.storageCall(() => store.get(id));
        if (stored) this.snapshots.loaded(id, stored.snapshotVersion ?? stored.version, stored.tailMs ?? 0);
        entry = stored;
      }
      if (!entry) throw new AppError(MISSING_TOURNAMENT.code, MISSING_TOURNAMENT.message, { tournamentId: id });
      this.assertAccess(user, entry.providerId ?? tournamentProviderId(entry.record), id);
      loaded.push({ tournamentId: id, ...entry });
    }
    return loaded;
  }

  /**
   * A hot copy behind the stored version (another instance committed since): replays the entries
   * it lacks, which costs their engine time instead of reading and parsing the whole record.
   * Undefined when that cannot be done (a save among them, a gap); the caller reads the record.
   */
  private async catchUp(
    id: string,
    hot: HotRecord,
    version: number,
    stillMine: () => boolean = () => true,
  ): Promise<HotRecord | undefined> {
    if (hot.version > version) return undefined;
    const tail = await this.storageCall(() => this.storage.log.since(id, hot.version, version - hot.version));
    if (!stillMine()) return undefined;
    if (!continuesFrom(tail, hot.version, version)) return undefined;
    // Those batches stored their record: replayed on this copy they could give another one.
    if (!tail.every((entry) => isReplayable(entry.methods))) return undefined;
    try {
      replayEntries(hot.record, tail);
    } catch {
      // The record may be half-changed: it is dropped, and the stored one is read instead.
      if (this.hot.peek(id) === hot) this.hot.delete(id);
      return undefined;
    }
    const last = tail[tail.length - 1];
    return { ...hot, version, providerId: tournamentProviderId(hot.record), updatedAt: last.at };
  }

  /**
   * Writes every record at its next version with one log entry each, atomically. Returns
   * undefined when another writer got there first (the caller reloads and retries).
   */
  private async commit(
    loaded: Loaded[],
    user: AuthUser,
    ackId: string | undefined,
    kind: MutationLogEntry['kind'],
    methods: Directive[],
    lock?: WriteLock,
    extras: Record<string, LogExtras> = {},
    at: Date = commitTime(loaded),
    facts?: RunFacts,
  ): Promise<{ versions: Record<string, number>; entries: Loaded[]; at: Date } | undefined> {
    const entries: Loaded[] = [];
    const calendars: CalendarChange[] = [];
    const writes: TournamentWrite[] = loaded.map((entry) => {
      const version = entry.version + 1;
      // The log entry alone is the durable change when replay rebuilds it; otherwise the record goes too.
      const json = facts?.replayable && entry.version > 0 ? undefined : JSON.stringify(entry.record);
      const providerId = tournamentProviderId(entry.record);
      const calendar = this.calendar.change(entry.record, version, providerId);
      calendars.push(calendar);
      const bytes = json?.length ?? entry.bytes;
      entries.push({ ...entry, version, providerId, bytes, updatedAt: at.toISOString() });
      const log: MutationLogEntry = {
        ...{ tournamentId: entry.tournamentId, version, methods, userId: user.email, ackId },
        ...{ at: at.toISOString(), kind },
        ...extras[entry.tournamentId],
      };
      const write: TournamentWrite = { tournamentId: entry.tournamentId, providerId, version, json, log };
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
    entries.forEach((entry, index) => {
      this.hot.put(entry.tournamentId, entry);
      this.calendar.committed(entry.tournamentId, entry.version, calendars[index]);
      this.snapshots.committed(
        entry.tournamentId,
        entry.version,
        facts?.engineMs ?? 0,
        writes[index].json !== undefined,
      );
    });
    this.pruneLogs(entries);
    return { versions: Object.fromEntries(entries.map((e) => [e.tournamentId, e.version])), entries, at };
  }

  /** Announces a commit (still under the locks, so in commit order) and updates calendars. */
  private async announce(
    committed: { versions: Record<string, number>; entries: Loaded[]; at: Date },
    kind: 'mutation' | 'save',
    methods: Directive[],
    user: AuthUser,
    ackId: string | undefined,
    origin: BatchOrigin = {},
    changes: Record<string, TournamentChanges>,
    extra: Pick<CommittedEvent, 'overrides' | 'results' | 'seed'> = {},
  ): Promise<void> {
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

  private assertAccess(user: AuthUser, providerId: string | undefined, tournamentId: string): void {
    if (!mayAccessProvider(user, providerId)) {
      throw new AppError(ErrorCode.FORBIDDEN, `not allowed to change tournament ${tournamentId}`, { tournamentId });
    }
  }

  private pruneLogs(entries: Loaded[]): void {
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
