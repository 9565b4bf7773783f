import { Mutex } from 'async-mutex';
import type { CalendarEntry, CalendarStore } from '../storage.types';
import { compoundKey, prefixRange } from './keys';
import { del, put, read, writeBatch, type BatchOp, type Db, type Sub } from './level-db';

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
    const key = compoundKey(entry.providerId, entry.tournamentId);
    return this.mutex.runExclusive(async () => {
      const previous = await read(this.owners, entry.tournamentId);
      const ops: BatchOp[] = [];
      if (previous !== undefined && previous !== entry.providerId) {
        ops.push(del(this.entries, compoundKey(previous, entry.tournamentId)));
      }
      ops.push(put(this.entries, key, entry), put(this.owners, entry.tournamentId, entry.providerId));
      await writeBatch(this.db, ops);
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
