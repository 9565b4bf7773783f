import { Level, type BatchOperation } from 'level';
import type { CalendarEntry, MutationLogEntry, Provider, StoredRefreshToken, StoredUser } from '../storage.types';
import { StorageUnavailableError } from '../storage.types';

export type Db = Level<string, unknown>;

function sublevel<V>(db: Db, name: string, valueEncoding: 'json' | 'utf8') {
  return db.sublevel<string, V>(name, { valueEncoding });
}

export type Sub<V> = ReturnType<typeof sublevel<V>>;

export interface StoredCode {
  data: Record<string, unknown>;
  /** Epoch ms. */
  expiresAt: number;
}

/** The head of a tournament: what a commit moves. */
export interface TournamentMeta {
  providerId?: string;
  version: number;
  updatedAt: string;
}

/** The snapshot under `records`: its version and the length of its JSON text. */
export interface SnapshotMeta {
  version: number;
  bytes: number;
}

/** The sublevels of the store; docs/storage.md lists their key formats. */
export interface Sublevels {
  /** tournamentId → the latest snapshot: the record's JSON text at the version in `snapshots`. */
  records: Sub<string>;
  /** tournamentId → the snapshot's version and size; written with `records`, never by an append. */
  snapshots: Sub<SnapshotMeta>;
  /** tournamentId → head version, provider, commit time: lets `list` and `getVersion` skip the record. */
  meta: Sub<TournamentMeta>;
  /** tournamentId NUL version(16 digits) → log entry. */
  log: Sub<MutationLogEntry>;
  /** tournamentId NUL ackId → version. */
  acks: Sub<number>;
  users: Sub<StoredUser>;
  providers: Sub<Provider>;
  /** lower-cased abbreviation → organisationId. */
  providerAbbr: Sub<string>;
  /** providerId NUL tournamentId → calendar entry. */
  calendar: Sub<CalendarEntry>;
  /** tournamentId → providerId of its calendar entry. */
  calendarOwner: Sub<string>;
  /** kind NUL code → { data, expiresAt }. */
  codes: Sub<StoredCode>;
  /** SHA-256 of a refresh token → the stored token. */
  refreshTokens: Sub<StoredRefreshToken>;
  /** familyId NUL hash → 1 (the tokens of one chain). */
  refreshFamilies: Sub<number>;
  /** userId NUL hash → 1 (the tokens of one user). */
  refreshUsers: Sub<number>;
  system: Sub<unknown>;
}

/** 2: records are snapshots, rebuilt with the log after them (format 1 is upgraded at open). */
const FORMAT_VERSION = 2;

type Snapshot = ReturnType<Db['snapshot']>;

/** A point read; abstract-level 3 resolves undefined for a missing key, which its typings omit. */
export function read<V>(sub: Sub<V>, key: string, snapshot?: Snapshot): Promise<V | undefined> {
  return snapshot ? sub.get(key, { snapshot }) : sub.get(key);
}

/** One operation of an atomic batch across sublevels. */
export type BatchOp = BatchOperation<Db, string, unknown>;

export function put<V>(sub: Sub<V>, key: string, value: V): BatchOp {
  return { type: 'put', sublevel: sub, key, value };
}

export function del<V>(sub: Sub<V>, key: string): BatchOp {
  return { type: 'del', sublevel: sub, key };
}

/** Writes the operations atomically and durably (fsync) before resolving. */
export function writeBatch(db: Db, ops: BatchOp[]): Promise<void> {
  if (ops.length === 0) return Promise.resolve();
  return db.batch(ops, { sync: true });
}

/** Opens (creating if missing) the LevelDB folder; a folder held by another process is a plain error. */
export async function openLevel(path: string): Promise<{ db: Db; subs: Sublevels }> {
  const db: Db = new Level<string, unknown>(path, { valueEncoding: 'json' });
  try {
    await db.open();
  } catch (error) {
    throw openError(path, error);
  }
  const subs: Sublevels = {
    records: sublevel(db, 'records', 'utf8'),
    snapshots: sublevel(db, 'snapshot-meta', 'json'),
    meta: sublevel(db, 'tournament-meta', 'json'),
    log: sublevel(db, 'log', 'json'),
    acks: sublevel(db, 'log-ack', 'json'),
    users: sublevel(db, 'users', 'json'),
    providers: sublevel(db, 'providers', 'json'),
    providerAbbr: sublevel(db, 'provider-abbr', 'utf8'),
    calendar: sublevel(db, 'calendar', 'json'),
    calendarOwner: sublevel(db, 'calendar-owner', 'utf8'),
    codes: sublevel(db, 'codes', 'json'),
    refreshTokens: sublevel(db, 'refresh-tokens', 'json'),
    refreshFamilies: sublevel(db, 'refresh-family', 'json'),
    refreshUsers: sublevel(db, 'refresh-user', 'json'),
    system: sublevel(db, 'system', 'json'),
  };
  await checkFormat(db, subs, path);
  return { db, subs };
}

function openError(path: string, error: unknown): StorageUnavailableError {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code === 'LEVEL_LOCKED') {
    return new StorageUnavailableError(
      `LevelDB folder ${path} is locked by another process (is a server already running? LevelDB allows one process; use PostgreSQL for several)`,
    );
  }
  const reason = cause?.message ?? (error as Error).message;
  return new StorageUnavailableError(`LevelDB folder ${path} could not be opened: ${reason}`);
}

/** Records the key-layout version so a later release can tell an older folder from its own. */
async function checkFormat(db: Db, subs: Sublevels, path: string): Promise<void> {
  const stored = await read(subs.system, 'format');
  if (stored === 1) return upgradeFromFormat1(db, subs);
  if (stored === undefined) {
    await writeBatch(db, [put(subs.system, 'format', FORMAT_VERSION)]);
  } else if (stored !== FORMAT_VERSION) {
    await db.close();
    throw new StorageUnavailableError(
      `LevelDB folder ${path} has storage format ${String(stored)}; this server reads format ${FORMAT_VERSION}`,
    );
  }
}

/** Format 1 kept each record at its head version, with its size in the head: each becomes a snapshot. */
async function upgradeFromFormat1(db: Db, subs: Sublevels): Promise<void> {
  const ops: BatchOp[] = [put(subs.system, 'format', FORMAT_VERSION)];
  for await (const [id, meta] of subs.meta.iterator()) {
    const { bytes, ...head } = meta as TournamentMeta & { bytes: number };
    ops.push(put(subs.snapshots, id, { version: head.version, bytes }), put(subs.meta, id, head));
  }
  await writeBatch(db, ops);
}
