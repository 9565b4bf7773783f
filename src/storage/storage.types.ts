/**
 * The storage contract: one interface per entity, implemented by the embedded LevelDB store and by
 * PostgreSQL. Both implementations pass the same suite (test/storage/storage-contract.ts).
 */
import type { ChatStore } from './chat.types';
import type { SnapshotAndTail } from './materialize';

export type { ChatMessageRecord, ChatQuery, ChatStore, NewChatMessage } from './chat.types';

/** A TODS tournament record as the engine reads and writes it. */
export type TournamentRecord = { tournamentId: string; [key: string]: unknown };

/** One engine call: `{ method, params }` as desks send it. */
export type Directive = { method: string; params?: Record<string, unknown>; pipe?: Record<string, unknown> };

export interface StoredTournament {
  tournamentId: string;
  /** `parentOrganisation.organisationId` of the record, or undefined for an unowned record. */
  providerId?: string;
  /** Starts at 1 on the first write and grows by exactly 1 with every accepted change. */
  version: number;
  record: TournamentRecord;
  /** Length of the stored JSON text; used to bound in-memory caches. */
  bytes: number;
  updatedAt: string;
  /**
   * The version of the stored snapshot this record was rebuilt from (by replaying the log entries
   * after it); equals `version` when no replay was needed. Absent from stores that keep none.
   */
  snapshotVersion?: number;
  /** The engine time the log entries after the snapshot took when they were first run (ms). */
  tailMs?: number;
}

/** A tournament's head and its record as stored text (see `TournamentStore.getText`). */
export interface StoredText {
  tournamentId: string;
  providerId?: string;
  version: number;
  updatedAt: string;
  json: string;
}

export interface TournamentSummary {
  tournamentId: string;
  providerId?: string;
  version: number;
  /** ISO commit time of `version`; later for every later version of the tournament. */
  updatedAt: string;
}

export interface MutationLogEntry {
  tournamentId: string;
  version: number;
  /** The directives as the client sent them; empty for a whole-record save. */
  methods: Directive[];
  /** The signed-in user's email. */
  userId: string;
  ackId?: string;
  /** ISO time of the commit. */
  at: string;
  /** `save` for a whole-record upload (cannot be replayed from directives), `mutation` otherwise. */
  kind: 'mutation' | 'save';
  /** What the batch changed (mutations; absent on saves and on entries older than this field). */
  changes?: ChangedSet;
  /** Versions whose changes this batch overwrote on purpose (`conflictPolicy: 'overwrite'`). */
  overrides?: number[];
  /**
   * The sign-in that sent it (a fingerprint of its token, never the token): a desk's own earlier
   * batches are no conflict for its later ones. Internal: not shown in history.
   */
  by?: string;
  /**
   * Replay inputs (docs/mutations.md, Replay): the seed of `Math.random` during the run; the clock
   * was frozen at `at`. Mutations only (absent on saves and on entries older than log-first commits).
   */
  seed?: number;
  /** The engine's version when the batch ran. */
  engine?: string;
  /** Engine time of the run (ms): what replaying it costs, for the snapshot budget. Internal. */
  engineMs?: number;
}

/**
 * What one batch changed in one tournament, kept with its log entry so that a later batch based on
 * an older version can be checked against it without reading old records (docs/mutations.md).
 */
export interface ChangedSet {
  /** MatchUps the batch set (score, status, schedule), when it changed them. */
  matchUpIds?: string[];
  /** The draws of those matchUps. */
  matchUpDrawIds?: string[];
  /** Draws it restructured (added, removed, positioned, regenerated). */
  drawIds?: string[];
  participantIds?: string[];
  /** Events whose entry lists changed. */
  entryEventIds?: string[];
  venueIds?: string[];
  /** Tournament details (name, dates, notes, ...) changed. */
  details?: boolean;
}

/** One tournament's part of an atomic commit: its log entry, and its snapshot when it needs one. */
export interface TournamentWrite {
  tournamentId: string;
  providerId?: string;
  /** The new version; the store refuses the write unless the stored version is `version - 1`. */
  version: number;
  /**
   * The whole record at this version, serialised once by the caller: a snapshot written with the
   * commit. Required for saves and for batches that cannot be replayed; absent, the log entry is
   * the durable record of the change and the record is rebuilt by replaying it.
   */
  json?: string;
  /** The log entry recorded with this version (its `version` and `tournamentId` must match). */
  log: MutationLogEntry;
  /** The tournament's calendar entry, written in the same write when it changed (`null` removes it). */
  calendar?: CalendarEntry | null;
}

/** Thrown by `commit` when a stored version is not the one the write expects; nothing is written. */
export class VersionConflictError extends Error {
  override name = 'VersionConflictError';
  constructor(
    readonly tournamentId: string,
    readonly expected: number,
    readonly actual: number,
  ) {
    super(`tournament ${tournamentId} is at version ${actual}, expected ${expected}`);
  }
}

/** Thrown when the store cannot be opened or reached; the message names the cause. */
export class StorageUnavailableError extends Error {
  override name = 'StorageUnavailableError';
}

/** Thrown when a unique value (user email, provider abbreviation, provider id) is taken. */
export class DuplicateKeyError extends Error {
  override name = 'DuplicateKeyError';
  constructor(
    readonly entity: string,
    readonly key: string,
  ) {
    super(`${entity} ${key} already exists`);
  }
}

export interface TournamentStore {
  /** The record at its head version: the snapshot with the log tail replayed (engine work). */
  get(tournamentId: string): Promise<StoredTournament | undefined>;
  /** The snapshot's text and the log tail after it, unreplayed: the engine host rebuilds the record. */
  getStored(tournamentId: string): Promise<SnapshotAndTail | undefined>;
  /**
   * The record's stored JSON text when its snapshot is at the head version (nothing to replay), so
   * a reader that only passes the text on never parses it (exports); undefined otherwise.
   */
  getText(tournamentId: string): Promise<StoredText | undefined>;
  /** The stored version without loading the record; undefined when absent. */
  getVersion(tournamentId: string): Promise<number | undefined>;
  /** Version, owner and commit time without loading the record; undefined when absent. */
  getSummary(tournamentId: string): Promise<TournamentSummary | undefined>;
  list(filter?: { providerId?: string }): Promise<TournamentSummary[]>;
  /**
   * Writes every record and its log entry, all or nothing. Each write must be the next version of
   * its tournament (version 1 for a new one); otherwise throws `VersionConflictError` and writes
   * nothing. Durable when the promise resolves.
   */
  commit(writes: TournamentWrite[]): Promise<void>;
  /** Removes the record and its mutation log. Returns false when it did not exist. */
  remove(tournamentId: string): Promise<boolean>;
  /**
   * Stores the whole record at `version` as the tournament's snapshot, unless the stored snapshot is
   * already at or past it, or the tournament is not at `version` or later. Returns whether it wrote.
   */
  snapshot(tournamentId: string, version: number, json: string): Promise<boolean>;
  /**
   * Stores shared by several processes (PostgreSQL): keeps every other writer of these
   * tournaments out until the lock's `commit` or `release`, so a read-run-write cannot lose a race.
   * Absent where one process owns the store (LevelDB).
   */
  lockForWrite?(tournamentIds: string[]): Promise<WriteLock>;
  /**
   * Writes a tournament as an export carried it: the record at its version and commit time, with
   * its retained log entries, in one atomic write (imports). Throws `DuplicateKeyError` and writes
   * nothing when the tournament exists.
   */
  restore(tournament: RestoredTournament, log: MutationLogEntry[]): Promise<void>;
}

/** A tournament to `restore`: what `get` answered, with the record serialised once by the caller. */
export interface RestoredTournament {
  tournamentId: string;
  providerId?: string;
  version: number;
  json: string;
  updatedAt: string;
}

/** Reads and one commit under a cross-instance write lock; `commit` and `release` end it. */
export interface WriteLock {
  getStored(tournamentId: string): Promise<SnapshotAndTail | undefined>;
  getVersion(tournamentId: string): Promise<number | undefined>;
  findByAckId(tournamentId: string, ackId: string): Promise<MutationLogEntry | undefined>;
  /** As `TournamentStore.commit`, for tournaments of this lock. */
  commit(writes: TournamentWrite[]): Promise<void>;
  /** Ends the lock without writing; nothing happens after `commit`. */
  release(): Promise<void>;
}

export interface MutationLogStore {
  /** Entries with `version > sinceVersion`, oldest first, at most `limit`. */
  since(tournamentId: string, sinceVersion: number, limit?: number): Promise<MutationLogEntry[]>;
  /** The oldest version still in the log; undefined when the log is empty. */
  firstVersion(tournamentId: string): Promise<number | undefined>;
  /** The entry committed with this `ackId` for this tournament, if the log still holds it. */
  findByAckId(tournamentId: string, ackId: string): Promise<MutationLogEntry | undefined>;
  /**
   * Deletes entries with `version < beforeVersion`, never one after the latest snapshot (it is needed
   * to rebuild the record); returns how many went.
   */
  prune(tournamentId: string, beforeVersion: number): Promise<number>;
}

export interface StoredUser {
  /** Stable id, a UUID; the token's `sub`. */
  userId: string;
  /** Lower-cased; unique. */
  email: string;
  /** argon2id (or a legacy bcrypt) hash; never leaves the server. */
  passwordHash: string;
  firstName?: string;
  lastName?: string;
  roles: string[];
  permissions: string[];
  services: string[];
  providerId?: string;
  /** The provider the user last picked in the desk app (`PATCH /auth/me/last-selected-provider`). */
  lastSelectedProviderId?: string;
  /**
   * The session generation (docs/auth.md): tokens carry it as `sv`, and a token of an older one is
   * refused. Moves on removal, a change of roles, permissions, services or provider, a password
   * reset and a sign-out everywhere. Absent (users from before generations) is 0.
   */
  sessionVersion?: number;
  createdAt: string;
  updatedAt: string;
}

export interface UserStore {
  get(email: string): Promise<StoredUser | undefined>;
  /** Creates a user; throws `DuplicateKeyError` when the email is taken. */
  create(user: StoredUser): Promise<void>;
  /** Replaces an existing user; returns false when there is none. */
  update(user: StoredUser): Promise<boolean>;
  remove(email: string): Promise<boolean>;
  list(filter?: { providerId?: string }): Promise<StoredUser[]>;
  count(): Promise<number>;
}

export interface Provider {
  organisationId: string;
  organisationAbbreviation: string;
  organisationName: string;
  onlineResources?: unknown[];
  [key: string]: unknown;
}

export interface ProviderStore {
  get(providerId: string): Promise<Provider | undefined>;
  /** Case-insensitive lookup by `organisationAbbreviation`. */
  getByAbbreviation(abbreviation: string): Promise<Provider | undefined>;
  /** Throws `DuplicateKeyError` when the id or the abbreviation (case-insensitive) is taken. */
  create(provider: Provider): Promise<void>;
  /** Replaces a provider; throws `DuplicateKeyError` when the new abbreviation belongs to another. */
  update(provider: Provider): Promise<boolean>;
  list(): Promise<Provider[]>;
}

export interface CalendarEntry {
  tournamentId: string;
  providerId: string;
  searchText: string;
  tournament: {
    tournamentId: string;
    tournamentName?: string;
    startDate?: string;
    endDate?: string;
    [key: string]: unknown;
  };
}

export interface CalendarStore {
  upsert(entry: CalendarEntry): Promise<void>;
  remove(tournamentId: string): Promise<boolean>;
  listByProvider(providerId: string): Promise<CalendarEntry[]>;
}

export type CodeKind = 'invite' | 'password-reset' | 'magic-link';

export interface CodeStore {
  /** Stores a one-time code; `expiresAt` is epoch ms. */
  put(kind: CodeKind, code: string, data: Record<string, unknown>, expiresAt: number): Promise<void>;
  /** Returns the code's data and deletes the code, atomically; undefined when absent or expired. */
  take(kind: CodeKind, code: string): Promise<Record<string, unknown> | undefined>;
  /** Reads without consuming; undefined when absent or expired. */
  peek(kind: CodeKind, code: string): Promise<Record<string, unknown> | undefined>;
  /** Deletes expired codes; returns how many went. */
  purgeExpired(now?: number): Promise<number>;
}

/** One refresh token as stored: never the token itself, only its SHA-256. */
export interface StoredRefreshToken {
  /** SHA-256 (hex) of the token. */
  hash: string;
  /** The chain (family) this token belongs to: one per sign-in, kept through every rotation. */
  familyId: string;
  userId: string;
  /** Lower-cased email of the user it was issued to. */
  email: string;
  /** The user's session generation when it was issued. */
  sv: number;
  /** Epoch ms. */
  expiresAt: number;
  /** Epoch ms when it was rotated or revoked; absent while it may still be used. */
  retiredAt?: number;
}

/** A refresh token to store next in the chain of the one it replaces. */
export type NextRefreshToken = Omit<StoredRefreshToken, 'familyId' | 'retiredAt'>;

/**
 * What `rotate` did: `rotated` (the presented token was live: it is now retired and `next` stored in
 * its chain), `reused` (it was already retired: the whole chain is revoked, nothing stored) or
 * `invalid` (unknown or expired: nothing changed). `token` is the presented token as it was.
 */
export type RefreshRotation =
  | { outcome: 'rotated'; token: StoredRefreshToken }
  | { outcome: 'reused'; token: StoredRefreshToken }
  | { outcome: 'invalid' };

export interface RefreshTokenStore {
  /** Stores a new, live token (the first of its chain, or a replacement written by `rotate`). */
  put(token: StoredRefreshToken): Promise<void>;
  /** The stored token (live, retired or expired), undefined when unknown. */
  get(hash: string): Promise<StoredRefreshToken | undefined>;
  /**
   * Atomically: a live, unexpired token is retired and `next` stored in its chain; a retired one
   * revokes its whole chain. Of concurrent rotations of one token exactly one gets `rotated`.
   */
  rotate(hash: string, next: NextRefreshToken, now?: number): Promise<RefreshRotation>;
  /** Retires every token of the chain; returns how many were still live. */
  revokeFamily(familyId: string, now?: number): Promise<number>;
  /** Retires every token of the user; returns how many were still live. */
  revokeUser(userId: string, now?: number): Promise<number>;
  /** Deletes expired tokens (live or retired); returns how many went. */
  purgeExpired(now?: number): Promise<number>;
}

/** The entity stores of an open store. */
export interface StoreParts {
  chat: ChatStore;
  tournaments: TournamentStore & MutationLogStore;
  users: UserStore;
  providers: ProviderStore;
  calendars: CalendarStore;
  codes: CodeStore;
  refreshTokens: RefreshTokenStore;
}

/** The whole store. Nest injects it by this class; `StorageModule` picks the implementation. */
export abstract class Storage {
  abstract readonly kind: 'leveldb' | 'postgres';
  /** The open store's parts; throws `StorageUnavailableError` when it is not open. */
  protected abstract parts(): StoreParts;
  get tournaments(): TournamentStore {
    return this.parts().tournaments;
  }
  get log(): MutationLogStore {
    return this.parts().tournaments;
  }
  get users(): UserStore {
    return this.parts().users;
  }
  get providers(): ProviderStore {
    return this.parts().providers;
  }
  get calendars(): CalendarStore {
    return this.parts().calendars;
  }
  get codes(): CodeStore {
    return this.parts().codes;
  }
  get refreshTokens(): RefreshTokenStore {
    return this.parts().refreshTokens;
  }
  get chat(): ChatStore {
    return this.parts().chat;
  }
  /** Opens the store (and runs migrations). Throws `StorageUnavailableError` with a plain cause. */
  abstract open(): Promise<void>;
  /** Resolves when the store answers; rejects otherwise. */
  abstract ping(): Promise<void>;
  abstract close(): Promise<void>;
}
