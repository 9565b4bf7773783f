import { LRUCache } from 'lru-cache';

/** What the executor knows of a record an engine host holds (the record itself lives in the host). */
export interface HotRecord {
  version: number;
  providerId?: string;
  /** Length of the record's JSON; the budget is the sum of these, across every host. */
  bytes: number;
  /** ISO commit time of `version`. */
  updatedAt?: string;
  /** The engine host holding it. */
  slot: number;
  /** The host's generation when it got the record: a replaced worker holds nothing. */
  generation: number;
}

const REPLICA = '\u0000replica:';

/** The key of a tournament's read replica (public answers, computed away from its batches' host). */
export function replicaKey(tournamentId: string): string {
  return REPLICA + tournamentId;
}

/** The tournament a replica key stands for; undefined for the key of a record in its own host. */
export function replicaOf(key: string): string | undefined {
  return key.startsWith(REPLICA) ? key.slice(REPLICA.length) : undefined;
}

/**
 * The tournaments whose records the engine hosts hold, bounded by JSON bytes: one budget shared by
 * every worker. An entry moves to the next version after its batch commits, and goes when the batch
 * fails; an entry pushed out of the budget makes its host drop the record.
 */
export class HotRecords {
  private readonly cache: LRUCache<string, HotRecord>;

  /** `onEvict` hears of records pushed out by others (not of those taken, replaced or deleted). */
  constructor(
    maxBytes: number,
    private readonly valid: (entry: HotRecord) => boolean,
    onEvict?: (tournamentId: string, entry: HotRecord) => void,
  ) {
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

  /** The entry, when its host still holds the record. */
  peek(tournamentId: string): HotRecord | undefined {
    const entry = this.cache.peek(tournamentId);
    return entry && this.valid(entry) ? entry : undefined;
  }

  put(tournamentId: string, entry: HotRecord): void {
    this.cache.set(tournamentId, entry);
  }

  delete(tournamentId: string): void {
    this.cache.delete(tournamentId);
  }

  /** Forgets every entry held by a replaced host. */
  forgetSlot(slot: number): void {
    for (const [key, entry] of [...this.cache.entries()]) if (entry.slot === slot) this.cache.delete(key);
  }

  get size(): number {
    return this.cache.size;
  }

  get bytes(): number {
    return this.cache.calculatedSize;
  }
}
