import { isDeepStrictEqual } from 'node:util';
import { threadId } from 'node:worker_threads';
import { tournamentProviderId } from '../../auth/access';
import { calendarEntry } from '../../providers/calendar-entry';
import { computePublicAnswer, type RouteParams } from '../../public/public-answers';
import { publicMatchUpUpdate } from '../../public/public-matchups';
import type { PublicRoute } from '../../public/public.schemas';
import { publishInfoOf, type PublishInfo } from '../../public/publish-state';
import { materializeSync } from '../../storage/materialize';
import type { Directive, TournamentRecord } from '../../storage/storage.types';
import { matchUpStates } from '../../tournaments/changed-set';
import { findDrawIdOfMatchUp, runQuery } from '../../tournaments/record-queries';
import { runDeterministic } from '../deterministic';
import { replayEntries } from '../replay';
import { runDirectives } from '../run-directives';
import type {
  DropRequest,
  EngineRequest,
  Load,
  PutRequest,
  QueryManyRequest,
  ReadOp,
  ReadReply,
  ReadRequest,
  RunReply,
  RunRequest,
  RunTournament,
  SettleRequest,
} from './protocol';

/** The host lacks the record at the version asked for: the executor sends it again, from storage. */
export class HostMissError extends Error {
  override name = 'HostMissError';
}

interface Held {
  record: TournamentRecord;
  version: number;
  /** Commit time of `version` (ISO). */
  updatedAt?: string;
}

interface Pending extends Held {
  /** Runs not yet settled, oldest first: each continued the record of the one before. */
  runs: number[];
  /** Reads of this tournament that arrived while its batches were not yet settled. */
  waiters: Array<() => void>;
  /** Dropped, or a run of it not committed: forgotten when its last run is settled. */
  dropped: boolean;
}

/**
 * Where tournament records live and every engine call on them runs: a worker thread of the engine
 * pool, or the main thread when ENGINE_WORKERS=0. Requests are handled one at a time in arrival
 * order; a read of a tournament whose batches are not yet settled waits for their settles, so nobody
 * ever sees an uncommitted record. A run may continue the record of a run whose commit is still on
 * its way (`after`); it is kept only if every run before it is committed. See docs/mutations.md,
 * Engine pool and Pipelining.
 */
export class EngineCore {
  private readonly held = new Map<string, Held>();
  private readonly pending = new Map<string, Pending>();

  constructor(private readonly warn: (message: string) => void = () => undefined) {}

  handle(request: EngineRequest): unknown {
    switch (request.type) {
      case 'run':
        return this.run(request);
      case 'settle':
        return this.settle(request);
      case 'read':
        return this.read(request);
      case 'drop':
        return this.drop(request);
      case 'put':
        return this.put(request);
      case 'queryMany':
        return this.queryMany(request);
    }
  }

  /** Tournaments held (committed or running), for /health. */
  get size(): number {
    return this.held.size + this.pending.size;
  }

  private run(request: RunRequest): RunReply {
    const { tournamentIds: ids } = request;
    const records: Record<string, TournamentRecord> = {};
    const chained = new Set<string>();
    /** Reads that waited on a dropped chain: they wait for this run instead. */
    const waiters: Record<string, Array<() => void>> = {};
    try {
      for (const id of ids) {
        const pending = this.pending.get(id);
        if (pending && !pending.dropped && request.after !== undefined && pending.runs.at(-1) === request.after) {
          records[id] = pending.record;
          chained.add(id);
          continue;
        }
        if (pending && !pending.dropped) throw new HostMissError(`a batch of ${id} is running here`);
        // What is left of a dropped chain waits only for settles that no longer matter.
        if (pending) {
          this.pending.delete(id);
          waiters[id] = pending.waiters;
        }
        records[id] = this.obtain(id, request.versions[id], request.loads[id]);
      }
    } catch (error) {
      // Not run: the reads asked again find whatever the host holds, or miss.
      for (const waiter of Object.values(waiters).flat()) waiter();
      throw error;
    }
    for (const id of ids) {
      if (chained.has(id)) {
        this.pending.get(id)!.runs.push(request.key);
        continue;
      }
      this.held.delete(id);
      const { key, versions } = request;
      const pending = { record: records[id], version: versions[id], runs: [key], dropped: false };
      this.pending.set(id, { ...pending, waiters: waiters[id] ?? [] });
    }
    const before = Object.fromEntries(
      Object.entries(request.targets).map(([id, targets]) => [id, matchUpStates(records[id], targets)]),
    );
    const started = performance.now();
    // The seed and clock are the server's, stored in the log entry: replay gives this record again.
    const outcome = runDeterministic({ seed: request.seed, at: request.at }, () =>
      runDirectives(records, JSON.parse(request.directives) as Directive[]),
    );
    const timing = { engineMs: performance.now() - started, startedAt: performance.timeOrigin + started, threadId };
    if (!outcome.success) {
      // Possibly half-changed: never kept. The executor stores nothing for a failed batch.
      this.settle({ type: 'settle', key: request.key, tournamentIds: ids });
      return { ok: false, error: outcome.error, ...timing };
    }
    const tournaments: Record<string, RunTournament> = {};
    for (const id of ids) {
      const record = records[id];
      const providerId = tournamentProviderId(record);
      const facts: RunTournament = { providerId, calendar: providerId ? calendarEntry(record, providerId) : null };
      facts.publish = this.publishOf(record);
      if (request.json.includes(id)) facts.json = JSON.stringify(record);
      if (before[id]) {
        facts.before = before[id];
        facts.after = matchUpStates(record, [...before[id].keys()]);
      }
      tournaments[id] = facts;
    }
    // Results may point into the records, which later batches change: answered as a copy.
    const results = JSON.parse(JSON.stringify(outcome.results)) as unknown[];
    return { ok: true, results, changes: outcome.changes, tournaments, ...timing };
  }

  private settle(request: SettleRequest): void {
    for (const id of request.tournamentIds) {
      const pending = this.pending.get(id);
      const index = pending?.runs.indexOf(request.key) ?? -1;
      if (!pending || index < 0) continue;
      pending.runs.splice(index, 1);
      const version = request.committed?.[id];
      // Not committed: the record holds its changes, and those of any run that continued it.
      if (version === undefined) pending.dropped = true;
      else Object.assign(pending, { version, updatedAt: request.at });
      if (pending.runs.length) continue;
      this.pending.delete(id);
      if (!pending.dropped)
        this.held.set(id, { record: pending.record, version: pending.version, updatedAt: pending.updatedAt });
      for (const waiter of pending.waiters) waiter();
    }
  }

  private read(request: ReadRequest): unknown {
    const pending = this.pending.get(request.tournamentId);
    if (pending) {
      // Asked again once settled; a miss then (the batch not committed) is this read's answer.
      return new Promise((resolve, reject) =>
        pending.waiters.push(() => {
          try {
            resolve(this.read(request));
          } catch (error) {
            reject(error as Error);
          }
        }),
      );
    }
    const { tournamentId: id, load } = request;
    let entry = this.held.get(id);
    if (load?.kind === 'stored' && !(entry && entry.version >= load.stored.version)) {
      const stored = materializeSync(load.stored);
      entry = { record: stored.record, version: stored.version, updatedAt: stored.updatedAt };
      if (request.keep) this.held.set(id, entry);
    } else if (load?.kind === 'tail' && entry && entry.version >= load.from) {
      // Another read may have brought it part of the way already: only what it still lacks.
      const held = entry.version;
      this.catchUp(
        id,
        entry,
        load.entries.filter((logEntry) => logEntry.version > held),
      );
    }
    if (!entry || entry.version < (request.atLeast ?? 0)) {
      throw new HostMissError(`the engine host does not hold ${id} at version ${request.atLeast ?? 'any'}`);
    }
    const reply: ReadReply = {
      version: entry.version,
      value: this.perform(entry, request.read),
      held: this.held.has(id),
    };
    return reply;
  }

  private perform(entry: Held, read: ReadOp): unknown {
    const { record, version, updatedAt } = entry;
    switch (read.op) {
      case 'json':
        // The record carries its version's commit time, as `/factory/updated-at` reports it.
        return JSON.stringify(updatedAt ? { ...record, updatedAt } : record);
      case 'publish':
        return this.publishOf(record);
      case 'public': {
        const route = read.route as PublicRoute;
        const answer = computePublicAnswer(
          route,
          record,
          read.params as RouteParams[typeof route],
          Date.now(),
          this.warn,
        );
        return { encoded: answer.encoded, next: answer.next, publish: answer.publish };
      }
      case 'matchUpUpdate': {
        const state = version === read.version ? read.publish : this.publishOf(record);
        if (!state) return undefined;
        try {
          return publicMatchUpUpdate(record, state, read);
        } catch (error) {
          this.warn(`matchUp update unreadable for ${record.tournamentId}: ${(error as Error).message}`);
          return undefined;
        }
      }
      case 'drawOfMatchUp':
        return findDrawIdOfMatchUp(record, read.matchUpId);
      case 'name':
        return typeof record.tournamentName === 'string' ? record.tournamentName : undefined;
      case 'query':
        // On a copy: an engine query must never touch the held record.
        return copy(runQuery({ [record.tournamentId]: copy(record) }, read.method, read.params));
      case 'serialise':
        return version > read.above ? timedJson(record) : undefined;
      case 'verify': {
        // A stored head other than the held version means a commit raced the check (or another
        // instance moved on): that commit arms its own idle check, which compares what this cannot.
        if (version <= read.above || read.stored?.version !== version) return undefined;
        const serialised = timedJson(record);
        try {
          const rebuilt = JSON.stringify(materializeSync(read.stored).record);
          return { ...serialised, same: sameValues(rebuilt, serialised.json) };
        } catch (error) {
          return { ...serialised, same: false, error: (error as Error).message };
        }
      }
    }
  }

  private drop(request: DropRequest): Record<string, { version: number; json?: string }> {
    const dropped: Record<string, { version: number; json?: string }> = {};
    for (const id of request.tournamentIds) {
      const pending = this.pending.get(id);
      if (pending) {
        pending.dropped = true;
        continue;
      }
      const entry = this.held.get(id);
      if (!entry) continue;
      this.held.delete(id);
      const above = request.serialiseAbove?.[id];
      dropped[id] = { version: entry.version };
      if (above !== undefined && entry.version > above) dropped[id].json = JSON.stringify(entry.record);
    }
    return dropped;
  }

  private put(request: PutRequest): void {
    const { tournamentId, version, updatedAt } = request;
    this.held.set(tournamentId, { record: JSON.parse(request.json) as TournamentRecord, version, updatedAt });
  }

  private queryMany(request: QueryManyRequest): unknown {
    const records = Object.fromEntries(
      Object.entries(request.records).map(([id, json]) => [id, JSON.parse(json) as TournamentRecord]),
    );
    return copy(runQuery(records, request.method, request.params));
  }

  /** The record at `version`: held, brought up to date from a tail, or rebuilt from storage. */
  private obtain(id: string, version: number, load: Load | undefined): TournamentRecord {
    const entry = this.held.get(id);
    if (entry?.version === version) return entry.record;
    if (load?.kind === 'tail' && entry?.version === load.from) {
      this.catchUp(id, entry, load.entries);
      if (entry.version === version) return entry.record;
    }
    if (load?.kind === 'stored' && load.stored.version === version) {
      const stored = materializeSync(load.stored);
      this.held.set(id, { record: stored.record, version, updatedAt: stored.updatedAt });
      return stored.record;
    }
    this.held.delete(id);
    throw new HostMissError(`the engine host does not hold ${id} at version ${version}`);
  }

  private catchUp(id: string, entry: Held, entries: Parameters<typeof replayEntries>[1]): void {
    try {
      replayEntries(entry.record, entries);
    } catch (error) {
      // The record may be half-changed: forgotten, and sent again from storage.
      this.held.delete(id);
      throw new HostMissError(`replaying the tail of ${id} failed: ${(error as Error).message}`);
    }
    const last = entries.at(-1);
    if (last) Object.assign(entry, { version: last.version, updatedAt: last.at });
  }

  private publishOf(record: TournamentRecord): PublishInfo | undefined {
    try {
      return publishInfoOf(record);
    } catch (error) {
      this.warn(`publish state unreadable for ${record.tournamentId}: ${(error as Error).message}`);
      return undefined;
    }
  }
}

function copy<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

function timedJson(record: TournamentRecord): { json: string; ms: number } {
  const started = performance.now();
  const json = JSON.stringify(record);
  return { json, ms: performance.now() - started };
}

/**
 * The same record, whatever the order of its keys: a key the engine left undefined on the live
 * record is gone from a snapshot, and set again later it lands elsewhere (test/engine/determinism).
 */
function sameValues(a: string, b: string): boolean {
  return a === b || isDeepStrictEqual(JSON.parse(a), JSON.parse(b));
}
