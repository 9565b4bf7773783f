import { Logger } from '@nestjs/common';
import { CacheStore } from './cache-store';

export interface CacheStats {
  provider: 'memory' | 'redis';
  /** Answers served from the store. */
  hits: number;
  /** Lookups that found nothing (each is followed by one compute). */
  misses: number;
  /** Requests that joined a compute already running for the same key (single-flight). */
  coalesced: number;
  /** Times an answer was computed (engine calls), including computes while the store was down. */
  computes: number;
  /** Store calls that failed (Redis down or slow). */
  errors: number;
}

export interface Computed {
  value: Buffer;
  /** Shorter lifetime than the default (e.g. until an embargo lifts). */
  ttlMs?: number;
}

/**
 * Get-or-compute over the configured store. Concurrent requests for one key share one compute.
 * The store is an optimisation only: when it fails, answers are computed and the outage is logged
 * once (and its end once), never turned into an error for the caller.
 */
export class CacheService {
  private readonly logger = new Logger('Cache');
  private readonly flights = new Map<string, Promise<Buffer>>();
  private readonly counts = { hits: 0, misses: 0, coalesced: 0, computes: 0, errors: 0 };
  private down = false;

  constructor(
    private readonly store: CacheStore,
    private readonly defaultTtlMs: number,
  ) {}

  get provider(): 'memory' | 'redis' {
    return this.store.provider;
  }

  /** Counters since start, for metrics. */
  stats(): CacheStats {
    return { provider: this.store.provider, ...this.counts };
  }

  /** For /health: whether the store answers now. */
  async health(): Promise<{ provider: 'memory' | 'redis'; status: 'up' | 'down' }> {
    return { provider: this.store.provider, status: (await this.store.ping()) ? 'up' : 'down' };
  }

  /** The cached value of `key`, or `compute()`'s value (then stored). Rejects only if `compute` does. */
  getOrCompute(key: string, compute: () => Promise<Computed>): Promise<Buffer> {
    const running = this.flights.get(key);
    if (running) {
      this.counts.coalesced++;
      return running;
    }
    const flight = this.resolve(key, compute).finally(() => this.flights.delete(key));
    this.flights.set(key, flight);
    return flight;
  }

  /** Removes every key under a prefix; failures are logged like any store failure. */
  async deletePrefix(prefix: string): Promise<void> {
    await this.attempt(() => this.store.deletePrefix(prefix));
  }

  private async resolve(key: string, compute: () => Promise<Computed>): Promise<Buffer> {
    const cached = await this.attempt(() => this.store.get(key));
    if (cached !== undefined) {
      this.counts.hits++;
      return cached;
    }
    this.counts.misses++;
    this.counts.computes++;
    const computed = await compute();
    await this.attempt(() => this.store.set(key, computed.value, this.ttlOf(computed)));
    return computed.value;
  }

  private ttlOf(computed: Computed): number {
    return Math.max(1, Math.min(this.defaultTtlMs, computed.ttlMs ?? this.defaultTtlMs));
  }

  /** Runs a store call; a failure becomes `undefined` and is logged once per outage. */
  private async attempt<T>(call: () => Promise<T>): Promise<T | undefined> {
    try {
      const result = await call();
      if (this.down) {
        this.down = false;
        this.logger.log(`${this.store.provider} cache is answering again`);
      }
      return result;
    } catch (error) {
      this.counts.errors++;
      if (!this.down) {
        this.down = true;
        this.logger.warn(
          `${this.store.provider} cache unavailable (${(error as Error).message}); computing answers until it returns`,
        );
      }
      return undefined;
    }
  }
}
