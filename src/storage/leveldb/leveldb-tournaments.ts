import {
  DuplicateKeyError,
  VersionConflictError,
  type MutationLogEntry,
  type MutationLogStore,
  type RestoredTournament,
  type StoredTournament,
  type TournamentRecord,
  type TournamentStore,
  type TournamentSummary,
  type TournamentWrite,
} from '../storage.types';
import { checkRestore, checkWrites } from '../check-writes';
import { compoundKey, prefixRange, versionKey, versionOfKey } from './keys';
import type { KeyedMutex } from './keyed-mutex';
import { del, put, read, writeBatch, type BatchOp, type Db, type Sublevels, type TournamentMeta } from './level-db';

/** Tournament records, their versions and their mutation log; one tournament key lock guards all three. */
export class LevelDbTournaments implements TournamentStore, MutationLogStore {
  constructor(
    private readonly db: Db,
    private readonly subs: Sublevels,
    private readonly locks: KeyedMutex,
  ) {}

  async get(tournamentId: string): Promise<StoredTournament | undefined> {
    // One snapshot for both reads, so a record never pairs with another commit's version.
    const snapshot = this.db.snapshot();
    try {
      const [meta, json] = await Promise.all([
        read(this.subs.meta, tournamentId, snapshot),
        read(this.subs.records, tournamentId, snapshot),
      ]);
      if (!meta || json === undefined) return undefined;
      const record = JSON.parse(json) as TournamentRecord;
      return {
        tournamentId,
        providerId: meta.providerId,
        version: meta.version,
        record,
        bytes: meta.bytes,
        updatedAt: meta.updatedAt,
      };
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
    await this.locks.run(ids, async () => {
      const metas = (await this.subs.meta.getMany(ids)) as (TournamentMeta | undefined)[];
      const ackKeys = writes.map((write) =>
        write.log.ackId === undefined ? undefined : compoundKey(write.tournamentId, write.log.ackId),
      );
      const takenAcks = await this.takenAckKeys(ackKeys.filter((key) => key !== undefined));
      const ops: BatchOp[] = [];
      writes.forEach((write, index) => {
        const stored = metas[index]?.version ?? 0;
        if (stored !== write.version - 1) throw new VersionConflictError(write.tournamentId, write.version - 1, stored);
        const ackKey = ackKeys[index];
        if (ackKey !== undefined && takenAcks.has(ackKey)) {
          throw new DuplicateKeyError('mutation ackId', `${write.tournamentId}/${write.log.ackId}`);
        }
        const meta: TournamentMeta = {
          providerId: write.providerId,
          version: write.version,
          updatedAt: write.log.at,
          bytes: write.json.length,
        };
        ops.push(put(this.subs.records, write.tournamentId, write.json), put(this.subs.meta, write.tournamentId, meta));
        ops.push(put(this.subs.log, versionKey(write.tournamentId, write.version), write.log));
        if (ackKey !== undefined) ops.push(put(this.subs.acks, ackKey, write.version));
      });
      await writeBatch(this.db, ops);
    });
  }

  private async takenAckKeys(keys: string[]): Promise<Set<string>> {
    if (keys.length === 0) return new Set();
    const values = await this.subs.acks.getMany(keys);
    return new Set(keys.filter((_key, index) => values[index] !== undefined));
  }

  async remove(tournamentId: string): Promise<boolean> {
    return this.locks.run([tournamentId], async () => {
      const existed = (await read(this.subs.meta, tournamentId)) !== undefined;
      const ops: BatchOp[] = [del(this.subs.records, tournamentId), del(this.subs.meta, tournamentId)];
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
      const range = { gte: prefixRange(tournamentId).gte, lt: versionKey(tournamentId, Math.max(0, beforeVersion)) };
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
        bytes: json.length,
      };
      const ops: BatchOp[] = [put(this.subs.records, tournamentId, json), put(this.subs.meta, tournamentId, meta)];
      for (const entry of log) {
        ops.push(put(this.subs.log, versionKey(tournamentId, entry.version), entry));
        if (entry.ackId !== undefined)
          ops.push(put(this.subs.acks, compoundKey(tournamentId, entry.ackId), entry.version));
      }
      await writeBatch(this.db, ops);
    });
  }
}
