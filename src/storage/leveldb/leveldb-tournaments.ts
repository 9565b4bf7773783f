import {
  DuplicateKeyError,
  VersionConflictError,
  type MutationLogEntry,
  type MutationLogStore,
  type RestoredTournament,
  type StoredText,
  type StoredTournament,
  type TournamentStore,
  type TournamentSummary,
  type TournamentWrite,
} from '../storage.types';
import { checkRestore, checkWrites } from '../check-writes';
import { materialize, type SnapshotAndTail } from '../materialize';
import { calendarWrites } from './leveldb-calendars';
import { compoundKey, prefixRange, versionKey, versionOfKey } from './keys';
import type { KeyedMutex } from './keyed-mutex';
import { del, put, read, writeBatch, type BatchOp, type Db, type Sublevels, type TournamentMeta } from './level-db';

/** The lock of a tournament's snapshot (ids never contain NUL, so this never meets a tournament id). */
const snapshotKey = (tournamentId: string): string => `\u0000snapshot\u0000${tournamentId}`;

/**
 * Tournament heads, snapshots and mutation log. A tournament's key lock guards its head and log
 * (commits); its snapshot lock guards the snapshot, so writing one never waits for a commit.
 */
export class LevelDbTournaments implements TournamentStore, MutationLogStore {
  constructor(
    private readonly db: Db,
    private readonly subs: Sublevels,
    private readonly locks: KeyedMutex,
  ) {}

  async get(tournamentId: string): Promise<StoredTournament | undefined> {
    const stored = await this.getStored(tournamentId);
    return stored && materialize(stored);
  }

  async getStored(tournamentId: string): Promise<SnapshotAndTail | undefined> {
    // One snapshot for every read, so a record never pairs with another commit's version or log.
    const snapshot = this.db.snapshot();
    try {
      const [meta, stored, json] = await Promise.all([
        read(this.subs.meta, tournamentId, snapshot),
        read(this.subs.snapshots, tournamentId, snapshot),
        read(this.subs.records, tournamentId, snapshot),
      ]);
      if (!meta || !stored || json === undefined) return undefined;
      const range = { gt: versionKey(tournamentId, stored.version), lte: versionKey(tournamentId, meta.version) };
      const tail = stored.version < meta.version ? await this.subs.log.values({ ...range, snapshot }).all() : [];
      const { version: snapshotVersion, bytes } = stored;
      return { tournamentId, ...meta, snapshotVersion, bytes, snapshot: json, tail };
    } finally {
      await snapshot.close();
    }
  }

  async getText(tournamentId: string): Promise<StoredText | undefined> {
    const snapshot = this.db.snapshot();
    try {
      const [meta, stored] = await Promise.all([
        read(this.subs.meta, tournamentId, snapshot),
        read(this.subs.snapshots, tournamentId, snapshot),
      ]);
      if (!meta || stored?.version !== meta.version) return undefined;
      const json = await read(this.subs.records, tournamentId, snapshot);
      return json === undefined ? undefined : { tournamentId, ...meta, json };
    } finally {
      await snapshot.close();
    }
  }

  async getVersion(tournamentId: string): Promise<number | undefined> {
    const meta = await read(this.subs.meta, tournamentId);
    return meta?.version;
  }

  async getSummary(tournamentId: string): Promise<TournamentSummary | undefined> {
    const meta = await read(this.subs.meta, tournamentId);
    if (!meta) return undefined;
    return { tournamentId, providerId: meta.providerId, version: meta.version, updatedAt: meta.updatedAt };
  }

  async list(filter: { providerId?: string } = {}): Promise<TournamentSummary[]> {
    const summaries: TournamentSummary[] = [];
    for await (const [tournamentId, meta] of this.subs.meta.iterator()) {
      if (filter.providerId !== undefined && meta.providerId !== filter.providerId) continue;
      summaries.push({ tournamentId, providerId: meta.providerId, version: meta.version, updatedAt: meta.updatedAt });
    }
    return summaries;
  }

  async commit(writes: TournamentWrite[]): Promise<void> {
    if (writes.length === 0) return;
    checkWrites(writes);
    const ids = writes.map((write) => write.tournamentId);
    const snapshotted = writes
      .filter((write) => write.json !== undefined)
      .map((write) => snapshotKey(write.tournamentId));
    await this.locks.run([...ids, ...snapshotted], async () => {
      const metas = (await this.subs.meta.getMany(ids)) as (TournamentMeta | undefined)[];
      const ackKeys = writes.map((write) =>
        write.log.ackId === undefined ? undefined : compoundKey(write.tournamentId, write.log.ackId),
      );
      const takenAcks = await this.takenAckKeys(ackKeys.filter((key) => key !== undefined));
      const ops: BatchOp[] = [];
      for (const [index, write] of writes.entries()) {
        const previous = metas[index];
        const stored = previous?.version ?? 0;
        if (stored !== write.version - 1) throw new VersionConflictError(write.tournamentId, write.version - 1, stored);
        const ackKey = ackKeys[index];
        if (ackKey !== undefined && takenAcks.has(ackKey)) {
          throw new DuplicateKeyError('mutation ackId', `${write.tournamentId}/${write.log.ackId}`);
        }
        if (write.json === undefined && !previous)
          throw new Error(`the first version of ${write.tournamentId} needs its record`);
        const meta: TournamentMeta = { providerId: write.providerId, version: write.version, updatedAt: write.log.at };
        ops.push(put(this.subs.meta, write.tournamentId, meta));
        // Without a record the snapshot stays where it was, and the log entry carries the change.
        if (write.json !== undefined) ops.push(...this.snapshotOps(write.tournamentId, write.version, write.json));
        ops.push(put(this.subs.log, versionKey(write.tournamentId, write.version), write.log));
        if (ackKey !== undefined) ops.push(put(this.subs.acks, ackKey, write.version));
        if (write.calendar !== undefined) {
          const { calendar, calendarOwner } = this.subs;
          ops.push(...(await calendarWrites(calendar, calendarOwner, write.tournamentId, write.calendar)));
        }
      }
      // Commits of other tournaments at the same moment share one fsync: LevelDB queues concurrent
      // writes and the first in line writes the whole group (group commit).
      await writeBatch(this.db, ops);
    });
  }

  async snapshot(tournamentId: string, version: number, json: string): Promise<boolean> {
    // Its own lock, so a snapshot never holds up a commit of the head.
    return this.locks.run([snapshotKey(tournamentId)], async () => {
      const [meta, stored] = await Promise.all([
        read(this.subs.meta, tournamentId),
        read(this.subs.snapshots, tournamentId),
      ]);
      if (!meta || !stored || meta.version < version || stored.version >= version) return false;
      // Not synced: the log holds every change, and the next synced write (a commit, or the prune
      // that follows a snapshot) makes this one durable too, as LevelDB's log is written in order.
      await this.db.batch(this.snapshotOps(tournamentId, version, json), { sync: false });
      return true;
    });
  }

  private snapshotOps(tournamentId: string, version: number, json: string): BatchOp[] {
    return [
      put(this.subs.records, tournamentId, json),
      put(this.subs.snapshots, tournamentId, { version, bytes: json.length }),
    ];
  }

  private async takenAckKeys(keys: string[]): Promise<Set<string>> {
    if (keys.length === 0) return new Set();
    const values = await this.subs.acks.getMany(keys);
    return new Set(keys.filter((_key, index) => values[index] !== undefined));
  }

  async remove(tournamentId: string): Promise<boolean> {
    return this.locks.run([tournamentId, snapshotKey(tournamentId)], async () => {
      const existed = (await read(this.subs.meta, tournamentId)) !== undefined;
      const ops: BatchOp[] = [
        ...[del(this.subs.records, tournamentId), del(this.subs.snapshots, tournamentId)],
        del(this.subs.meta, tournamentId),
      ];
      for await (const key of this.subs.log.keys(prefixRange(tournamentId))) ops.push(del(this.subs.log, key));
      for await (const key of this.subs.acks.keys(prefixRange(tournamentId))) ops.push(del(this.subs.acks, key));
      await writeBatch(this.db, ops);
      return existed;
    });
  }

  async since(tournamentId: string, sinceVersion: number, limit?: number): Promise<MutationLogEntry[]> {
    const range = { gte: versionKey(tournamentId, Math.max(0, sinceVersion + 1)), lt: prefixRange(tournamentId).lt };
    return this.subs.log.values({ ...range, limit: limit ?? -1 }).all();
  }

  async firstVersion(tournamentId: string): Promise<number | undefined> {
    const [first] = await this.subs.log.keys({ ...prefixRange(tournamentId), limit: 1 }).all();
    return first === undefined ? undefined : versionOfKey(first);
  }

  async findByAckId(tournamentId: string, ackId: string): Promise<MutationLogEntry | undefined> {
    const version = await read(this.subs.acks, compoundKey(tournamentId, ackId));
    if (version === undefined) return undefined;
    return read(this.subs.log, versionKey(tournamentId, version));
  }

  async prune(tournamentId: string, beforeVersion: number): Promise<number> {
    return this.locks.run([tournamentId], async () => {
      const stored = await read(this.subs.snapshots, tournamentId);
      // Entries after the snapshot rebuild the record: they stay whatever the caller asks.
      const keepFrom = stored ? Math.min(beforeVersion, stored.version + 1) : beforeVersion;
      const range = { gte: prefixRange(tournamentId).gte, lt: versionKey(tournamentId, Math.max(0, keepFrom)) };
      const ops: BatchOp[] = [];
      let count = 0;
      for await (const [key, value] of this.subs.log.iterator(range)) {
        ops.push(del(this.subs.log, key));
        if (value.ackId !== undefined) ops.push(del(this.subs.acks, compoundKey(tournamentId, value.ackId)));
        count += 1;
      }
      await writeBatch(this.db, ops);
      return count;
    });
  }

  async restore(tournament: RestoredTournament, log: MutationLogEntry[]): Promise<void> {
    checkRestore(tournament, log);
    const { tournamentId, json } = tournament;
    await this.locks.run([tournamentId], async () => {
      if ((await read(this.subs.meta, tournamentId)) !== undefined)
        throw new DuplicateKeyError('tournament', tournamentId);
      const meta: TournamentMeta = {
        providerId: tournament.providerId,
        version: tournament.version,
        updatedAt: tournament.updatedAt,
      };
      const ops: BatchOp[] = [
        put(this.subs.meta, tournamentId, meta),
        ...this.snapshotOps(tournamentId, tournament.version, json),
      ];
      for (const entry of log) {
        ops.push(put(this.subs.log, versionKey(tournamentId, entry.version), entry));
        if (entry.ackId !== undefined)
          ops.push(put(this.subs.acks, compoundKey(tournamentId, entry.ackId), entry.version));
      }
      await writeBatch(this.db, ops);
    });
  }
}
