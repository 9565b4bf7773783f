/**
 * Where cached answers live: Redis, or this process's memory. Values are opaque bytes (answers
 * already serialised and compressed), so a hit costs no parse, no stringify and no compression.
 */
export abstract class CacheStore {
  abstract readonly provider: 'memory' | 'redis';
  /** The value, or undefined on a miss. Rejects when the store cannot be reached. */
  abstract get(key: string): Promise<Buffer | undefined>;
  /** Stores a value for `ttlMs`; a value larger than the store's entry limit is silently not kept. */
  abstract set(key: string, value: Buffer, ttlMs: number): Promise<void>;
  /** Removes every key starting with `prefix` (rare: used when a tournament is removed). */
  abstract deletePrefix(prefix: string): Promise<number>;
  /** Whether the store answers right now. Never rejects. */
  abstract ping(): Promise<boolean>;
  abstract close(): Promise<void>;
}
