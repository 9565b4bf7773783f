import { LRUCache } from 'lru-cache';
import { CacheStore } from './cache-store';

/** In-process LRU bounded by bytes. One instance only. */
export class MemoryCacheStore extends CacheStore {
  readonly provider = 'memory' as const;
  private readonly lru: LRUCache<string, Buffer>;

  constructor(maxBytes: number, maxEntryBytes: number, defaultTtlMs: number) {
    super();
    this.lru = new LRUCache<string, Buffer>({
      maxSize: maxBytes,
      maxEntrySize: Math.min(maxEntryBytes, maxBytes),
      sizeCalculation: (value, key) => Math.max(1, value.length + key.length),
      ttl: defaultTtlMs,
    });
  }

  async get(key: string): Promise<Buffer | undefined> {
    return this.lru.get(key);
  }

  async set(key: string, value: Buffer, ttlMs: number): Promise<void> {
    this.lru.set(key, value, { ttl: Math.max(1, ttlMs) });
  }

  async deletePrefix(prefix: string): Promise<number> {
    let removed = 0;
    for (const key of [...this.lru.keys()]) {
      if (key.startsWith(prefix) && this.lru.delete(key)) removed++;
    }
    return removed;
  }

  async ping(): Promise<boolean> {
    return true;
  }

  async close(): Promise<void> {
    this.lru.clear();
  }

  /** Bytes held now (for tests and metrics). */
  get bytes(): number {
    return this.lru.calculatedSize;
  }
}
