import { LRUCache } from 'lru-cache';
import type { TournamentRecord } from '../storage/storage.types';

export interface HotRecord {
  version: number;
  record: TournamentRecord;
  providerId?: string;
  /** Length of the record's JSON; the cache is bounded by the sum of these. */
  bytes: number;
  /** ISO commit time of `version` (absent only for a record not yet stored). */
  updatedAt?: string;
}

/**
 * Recently used tournament records, parsed and ready for the engine, bounded by JSON bytes.
 * The executor *takes* a record out while a batch runs on it and puts it back only after the
 * commit, so nobody else can ever see a half-applied or uncommitted record here.
 */
export class HotRecords {
  private readonly cache: LRUCache<string, HotRecord>;

  /** `onEvict` hears of records pushed out by others (not of those taken, replaced or deleted). */
  constructor(maxBytes: number, onEvict?: (tournamentId: string, entry: HotRecord) => void) {
    this.cache = new LRUCache<string, HotRecord>({
      maxSize: maxBytes,
      // A record larger than the whole budget is simply not kept.
      maxEntrySize: maxBytes,
      sizeCalculation: (entry) => Math.max(1, entry.bytes),
      dispose: (entry, tournamentId, reason) => {
        if (reason === 'evict') onEvict?.(tournamentId, entry);
      },
    });
  }

  /** Removes and returns the cached record, whatever its version. */
  take(tournamentId: string): HotRecord | undefined {
    const entry = this.cache.get(tournamentId);
    if (entry) this.cache.delete(tournamentId);
    return entry;
  }

  /** The cached committed record, for synchronous read-only use; undefined when not hot. */
  peek(tournamentId: string): HotRecord | undefined {
    return this.cache.peek(tournamentId);
  }

  put(tournamentId: string, entry: HotRecord): void {
    this.cache.set(tournamentId, entry);
  }

  delete(tournamentId: string): void {
    this.cache.delete(tournamentId);
  }

  get size(): number {
    return this.cache.size;
  }

  get bytes(): number {
    return this.cache.calculatedSize;
  }
}
