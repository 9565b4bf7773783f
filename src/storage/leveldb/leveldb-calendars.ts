import { Mutex } from 'async-mutex';
import type { CalendarEntry, CalendarStore } from '../storage.types';
import { compoundKey, prefixRange } from './keys';
import { del, put, read, writeBatch, type BatchOp, type Db, type Sub } from './level-db';

/**
 * The writes that put a tournament's calendar entry in place (`null`: remove it), moving it in the
 * owner index when its provider changed. Also part of a tournament commit (leveldb-tournaments.ts).
 */
export async function calendarWrites(
  entries: Sub<CalendarEntry>,
  owners: Sub<string>,
  tournamentId: string,
  entry: CalendarEntry | null,
): Promise<BatchOp[]> {
  const owner = await read(owners, tournamentId);
  const ops: BatchOp[] = [];
  if (owner !== undefined && owner !== entry?.providerId) {
    ops.push(del(entries, compoundKey(owner, tournamentId)), del(owners, tournamentId));
  }
  if (entry)
    ops.push(
      put(entries, compoundKey(entry.providerId, tournamentId), entry),
      put(owners, tournamentId, entry.providerId),
    );
  return ops;
}

/**
 * Calendar entries keyed by provider then tournament, so one provider's calendar is one range read;
 * an owner index finds the entry when a tournament moves provider or is removed.
 */
export class LevelDbCalendars implements CalendarStore {
  private readonly mutex = new Mutex();

  constructor(
    private readonly db: Db,
    private readonly entries: Sub<CalendarEntry>,
    private readonly owners: Sub<string>,
  ) {}

  upsert(entry: CalendarEntry): Promise<void> {
    return this.mutex.runExclusive(async () => {
      await writeBatch(this.db, await calendarWrites(this.entries, this.owners, entry.tournamentId, entry));
    });
  }

  remove(tournamentId: string): Promise<boolean> {
    return this.mutex.runExclusive(async () => {
      const owner = await read(this.owners, tournamentId);
      if (owner === undefined) return false;
      await writeBatch(this.db, [del(this.entries, compoundKey(owner, tournamentId)), del(this.owners, tournamentId)]);
      return true;
    });
  }

  async listByProvider(providerId: string): Promise<CalendarEntry[]> {
    return this.entries.values(prefixRange(providerId)).all();
  }
}
