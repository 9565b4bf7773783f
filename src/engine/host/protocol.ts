import type { PublicMatchUpUpdate } from '../../public/public-matchups';
import type { PublishInfo } from '../../public/publish-state';
import type { CalendarEntry, MutationLogEntry } from '../../storage/storage.types';
import type { SnapshotAndTail } from '../../storage/materialize';
import type { replayStats } from '../replay';
import type { EngineError, TournamentChanges } from '../run-directives';

/**
 * Messages between the executor (main thread) and an engine host (a worker thread, or the same
 * thread with ENGINE_WORKERS=0). Records never cross: only directives, results, log entries and text.
 */

/** How a host gets a record it does not hold at the wanted version. */
export type Load =
  /** The stored snapshot and the log after it (a cold tournament). */
  | { kind: 'stored'; stored: SnapshotAndTail }
  /** The entries another instance committed after the version the host holds. */
  | { kind: 'tail'; from: number; entries: MutationLogEntry[] };

export interface RunRequest {
  type: 'run';
  /** Names this run in its settle (unique per executor). */
  key: number;
  /**
   * The run whose record this one continues before that run is settled (its commit still on its way
   * to storage): the host runs on that record, and a settle that does not commit it drops both.
   */
  after?: number;
  tournamentIds: string[];
  /** The version each record must be at when the batch runs (`after`: the version that run commits). */
  versions: Record<string, number>;
  loads: Record<string, Load>;
  /** The directives as JSON text: the engine gets its own objects. */
  directives: string;
  seed: number;
  at: number;
  /** Per tournament, matchUps whose states are read before and after (conflict checks). */
  targets: Record<string, string[]>;
  /** Tournaments whose record text the commit stores. */
  json: string[];
}

/** What the commit needs to know of each record after the batch. */
export interface RunTournament {
  providerId?: string;
  calendar: CalendarEntry | null;
  publish?: PublishInfo;
  json?: string;
  before?: Map<string, string>;
  after?: Map<string, string>;
}

/** When the engine ran the batch (epoch ms, comparable across threads) and for how long. */
export interface RunTiming {
  engineMs: number;
  startedAt: number;
  /** Thread the batch ran on (0: the main thread). */
  threadId: number;
}

export type RunReply = RunTiming &
  (
    | {
        ok: true;
        results: unknown[];
        changes: Record<string, TournamentChanges>;
        tournaments: Record<string, RunTournament>;
      }
    | { ok: false; error: EngineError }
  );

/** After a run: keep the records at their new versions (committed), or drop them (not stored). */
export interface SettleRequest {
  type: 'settle';
  /** The run settled. */
  key: number;
  tournamentIds: string[];
  /** New committed versions of the records to keep; the others are dropped. */
  committed?: Record<string, number>;
  /** Their commit time (ISO). */
  at?: string;
}

/** Read-only work on the committed record of one tournament. */
export type ReadOp =
  /** The record's text, carrying its version's commit time as `updatedAt`. */
  | { op: 'json' }
  | { op: 'publish' }
  | { op: 'public'; route: string; params: unknown }
  | { op: 'matchUpUpdate'; version: number; publish: PublishInfo; matchUpIds: string[]; structureIds: string[] }
  | { op: 'drawOfMatchUp'; matchUpId: string }
  | { op: 'name' }
  | { op: 'query'; method: string; params: Record<string, unknown> }
  /** The record's text when it is newer than `above` (snapshots). */
  | { op: 'serialise'; above: number }
  /** Rebuilds the stored snapshot and tail, compares with the held record, and serialises it. */
  | { op: 'verify'; above: number; stored?: SnapshotAndTail };

export interface ReadRequest {
  type: 'read';
  tournamentId: string;
  /** When the host may not hold the record: how to get it (ignored when it holds that version or newer). */
  load?: Load;
  /** Keep a loaded record (the executor tracks it), or use it for this read only. */
  keep: boolean;
  /** The version the reader knows is committed: a host holding an older one answers a miss. */
  atLeast?: number;
  read: ReadOp;
  /** Handled in turn with batches, not after them (snapshots: the replay budget relies on them). */
  urgent?: boolean;
}

export interface ReadReply<T = unknown> {
  /** The version read (the newest committed one the host held). */
  version: number;
  value: T;
  /** Whether the host holds the record after this read. */
  held: boolean;
}

export interface PublicValue {
  /** `encodeAnswer` bytes: the embargo phase and the gzipped JSON. */
  encoded: Uint8Array;
  next?: number;
  publish: PublishInfo;
}

export interface SerialisedValue {
  json: string;
  ms: number;
}

export interface VerifiedValue extends SerialisedValue {
  /** True: replay gave the held record; false: it did not (or failed). */
  same: boolean;
  error?: string;
}

export type MatchUpUpdateValue = PublicMatchUpUpdate | undefined;

/** Forget records (evicted from the shared budget, removed, or moved to another host). */
export interface DropRequest {
  type: 'drop';
  tournamentIds: string[];
  /** Serialise each dropped record newer than this version (its snapshot is behind). */
  serialiseAbove?: Record<string, number>;
}

/** Hold a record as stored by a whole-record save. */
export interface PutRequest {
  type: 'put';
  tournamentId: string;
  version: number;
  json: string;
  updatedAt: string;
}

/** A query on several records at once: their texts, used for this call only. */
export interface QueryManyRequest {
  type: 'queryMany';
  records: Record<string, string>;
  method: string;
  params: Record<string, unknown>;
}

export type EngineRequest = RunRequest | SettleRequest | ReadRequest | DropRequest | PutRequest | QueryManyRequest;

/** Replay counters of a host (cumulative, as `replayStats` counts them), reported with every answer of a worker. */
export type HostStats = typeof replayStats;
