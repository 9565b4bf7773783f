import { Redis } from 'ioredis';
import { CacheStore } from './cache-store';

export interface RedisCacheOptions {
  url: string;
  /** Prepended to every key by ioredis (the deployment's prefix, plus a per-run one in tests). */
  keyPrefix: string;
  maxEntryBytes: number;
  /** How long one command may take before the caller gives up and computes instead. */
  commandTimeoutMs?: number;
}

/**
 * Redis through ioredis. Commands fail at once while disconnected (no offline queue), so a Redis
 * outage costs the caller nothing but a computed answer; ioredis keeps reconnecting in the background.
 */
export class RedisCacheStore extends CacheStore {
  readonly provider = 'redis' as const;
  private readonly client: Redis;
  private readonly keyPrefix: string;
  private readonly maxEntryBytes: number;

  constructor(options: RedisCacheOptions) {
    super();
    this.keyPrefix = options.keyPrefix;
    this.maxEntryBytes = options.maxEntryBytes;
    this.client = new Redis(options.url, {
      keyPrefix: options.keyPrefix,
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: 2000,
      commandTimeout: options.commandTimeoutMs ?? 1000,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    });
    // Failures surface through the commands (and the cache service logs them once per outage);
    // without a listener ioredis would print every reconnect attempt.
    this.client.on('error', () => undefined);
  }

  /** First connection; a failure is not fatal: the server starts and ioredis keeps retrying. */
  async connect(): Promise<boolean> {
    return this.client.connect().then(
      () => true,
      () => false,
    );
  }

  async get(key: string): Promise<Buffer | undefined> {
    return (await this.client.getBuffer(key)) ?? undefined;
  }

  async set(key: string, value: Buffer, ttlMs: number): Promise<void> {
    if (value.length > this.maxEntryBytes) return;
    await this.client.set(key, value, 'PX', Math.max(1, Math.ceil(ttlMs)));
  }

  async deletePrefix(prefix: string): Promise<number> {
    // SCAN MATCH sees full key names; DEL gets the prefix added again by ioredis.
    let cursor = '0';
    let removed = 0;
    do {
      const [next, keys] = await this.client.scan(
        cursor,
        'MATCH',
        `${escapeGlob(this.keyPrefix + prefix)}*`,
        'COUNT',
        500,
      );
      cursor = next;
      if (keys.length) removed += await this.client.del(...keys.map((key) => key.slice(this.keyPrefix.length)));
    } while (cursor !== '0');
    return removed;
  }

  async ping(): Promise<boolean> {
    if (this.client.status !== 'ready') return false;
    return this.client.ping().then(
      (answer) => answer === 'PONG',
      () => false,
    );
  }

  async close(): Promise<void> {
    if (this.client.status === 'end') return;
    await this.client.quit().catch(() => this.client.disconnect());
  }
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, (char) => `\\${char}`);
}
