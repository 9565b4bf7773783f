import { randomUUID } from 'node:crypto';
import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';
import { AppConfig } from '../config/config';
import { Storage, type StoredUser } from '../storage/storage.types';
import { generationOf } from './claims';

/** How long a cached generation is trusted without a word from storage or Redis (docs/auth.md). */
export const GENERATION_TTL_MS = 5000;
/** Users whose generation one instance remembers at once; the oldest entry goes first. */
const MAX_ENTRIES = 10_000;

/** The user a token names: `sub`, email and generation (`sv`, 0 for tokens from before generations). */
export interface TokenHolder {
  userId: string;
  email: string;
  sv?: number;
}

/** A session generation moved (`sv`), or the account went (`removed`). */
export interface GenerationChange {
  userId: string;
  email: string;
  sv: number;
  removed: boolean;
}

interface Entry {
  sv: number;
  removed: boolean;
}

/**
 * The current session generation of each user (docs/auth.md, "Sessions"), so that every request
 * and desk event can refuse a token of an older generation or of a removed account without a
 * storage round trip. Entries live `GENERATION_TTL_MS`; a miss reads the user once (concurrent
 * misses share the read). A change made on this instance updates the cache at once and tells the
 * listeners (the desk gateway closes the sockets concerned); with REDIS_URL set it is published
 * on `<prefix>sessions`, and the other instances do the same on receipt. Redis is never waited
 * for: while it is down, the time-to-live bounds how long another instance trusts an old entry.
 */
@Injectable()
export class SessionGenerations implements OnApplicationShutdown {
  private readonly logger = new Logger('SessionGenerations');
  /** Least recently used out first; an entry is trusted for `GENERATION_TTL_MS` from when it was set. */
  private readonly entries = new LRUCache<string, Entry>({
    max: MAX_ENTRIES,
    ttl: GENERATION_TTL_MS,
    dispose: (_entry, userId, reason) => {
      if (reason === 'evict') this.epochs.delete(userId);
    },
  });
  private readonly loading = new Map<string, Promise<Entry>>();
  /** Bumped by each change of a user: a read begun before it must not overwrite what it set. */
  private readonly epochs = new Map<string, number>();
  private readonly listeners = new Set<(change: GenerationChange) => void>();
  private readonly origin = randomUUID();
  private readonly channel?: string;
  private publisher?: Redis;
  private subscriber?: Redis;
  private closed = false;

  constructor(
    private readonly storage: Storage,
    config: AppConfig,
  ) {
    if (!config.redis) return;
    this.channel = `${config.redis.keyPrefix}sessions`;
    const common = { connectTimeout: 2000, retryStrategy: (attempt: number) => Math.min(attempt * 200, 2000) };
    // The publisher fails at once while Redis is down (the time-to-live covers a lost message).
    this.publisher = new Redis(config.redis.url, { ...common, enableOfflineQueue: false, maxRetriesPerRequest: 0 });
    // The subscriber waits for Redis and subscribes again after each reconnection (ioredis does).
    this.subscriber = new Redis(config.redis.url, { ...common, enableOfflineQueue: true, maxRetriesPerRequest: null });
    for (const client of [this.publisher, this.subscriber]) client.on('error', () => undefined);
    this.subscriber.on('message', (channel: string, message: string) => {
      if (channel === this.channel) this.received(message);
    });
    this.subscriber.subscribe(this.channel).catch((error: Error) => {
      if (!this.closed) this.logger.warn(`Redis subscribe failed: ${error.message}`);
    });
  }

  /**
   * Whether the token's session has ended, from the cache alone: undefined when this instance
   * holds no current entry for the user (then `isRevoked` reads storage).
   */
  revokedNow(holder: TokenHolder): boolean | undefined {
    const entry = this.entries.get(holder.userId);
    if (!entry) return undefined;
    const sv = holder.sv ?? 0;
    // A token we signed of a newer generation than the entry's: the generation is at least that.
    if (!entry.removed && sv > entry.sv) entry.sv = sv;
    return entry.removed || sv < entry.sv;
  }

  /** Whether the token's session has ended; reads storage only on a cache miss. */
  isRevoked(holder: TokenHolder): boolean | Promise<boolean> {
    const known = this.revokedNow(holder);
    if (known !== undefined) return known;
    return this.load(holder).then((entry) => entry.removed || (holder.sv ?? 0) < entry.sv);
  }

  /** Hears every change (made here or, through Redis, elsewhere); returns the unsubscribe. */
  onChange(listener: (change: GenerationChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Records a change made on this instance (already stored) and tells the other instances. */
  changed(user: Pick<StoredUser, 'userId' | 'email' | 'sessionVersion'>, removed = false): void {
    const change: GenerationChange = { userId: user.userId, email: user.email, sv: generationOf(user), removed };
    this.apply(change);
    if (!this.publisher || !this.channel || this.closed) return;
    this.publisher
      .publish(this.channel, JSON.stringify({ origin: this.origin, ...change }))
      .catch((error: Error) => this.logger.warn(`session change not published: ${error.message}`));
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    this.listeners.clear();
    for (const client of [this.publisher, this.subscriber]) client?.disconnect();
  }

  private received(message: string): void {
    try {
      const parsed = JSON.parse(message) as Partial<GenerationChange> & { origin?: string };
      if (parsed.origin === this.origin) return; // applied when made
      if (typeof parsed.userId !== 'string' || typeof parsed.sv !== 'number') return;
      const { userId, email = '', sv, removed = false } = parsed;
      this.apply({ userId, email, sv, removed: removed === true });
    } catch {
      // Not ours: ignored.
    }
  }

  private apply(change: GenerationChange): void {
    const { userId } = change;
    this.epochs.set(userId, (this.epochs.get(userId) ?? 0) + 1);
    const previous = this.entries.get(userId);
    // Messages may cross: a generation never goes back, and a removed account stays removed.
    const sv = Math.max(change.sv, previous?.sv ?? 0);
    this.entries.set(userId, { sv, removed: change.removed || !!previous?.removed });
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch (error) {
        this.logger.error(`session change listener failed: ${(error as Error).message}`);
      }
    }
  }

  private load(holder: TokenHolder): Promise<Entry> {
    const { userId } = holder;
    const pending = this.loading.get(userId);
    if (pending) return pending;
    const epoch = this.epochs.get(userId) ?? 0;
    const read = this.storage.users
      .get(holder.email)
      .then((user) => {
        // Another account under this email (removed, then created again) is not the token's.
        const entry: Entry =
          user && user.userId === userId ? { sv: generationOf(user), removed: false } : { sv: 0, removed: true };
        // A change heard while reading wins over what was read.
        if ((this.epochs.get(userId) ?? 0) !== epoch) return this.entries.get(userId) ?? entry;
        this.entries.set(userId, entry);
        return entry;
      })
      .finally(() => this.loading.delete(userId));
    this.loading.set(userId, read);
    return read;
  }
}
