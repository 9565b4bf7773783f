import { Global, Module, type OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../config/config';
import { CacheService } from './cache.service';
import { CacheStore } from './cache-store';
import { MemoryCacheStore } from './memory-cache-store';
import { RedisCacheStore } from './redis-cache-store';

/** Redis when `REDIS_URL` is set, in-process LRU otherwise. A single answer may use a quarter of the budget. */
export async function createCacheStore(config: AppConfig): Promise<CacheStore> {
  const { maxBytes, ttlSeconds } = config.publicCache;
  const maxEntryBytes = Math.max(1, Math.floor(maxBytes / 4));
  if (!config.redis) return new MemoryCacheStore(maxBytes, maxEntryBytes, ttlSeconds * 1000);
  const store = new RedisCacheStore({ url: config.redis.url, keyPrefix: config.redis.keyPrefix, maxEntryBytes });
  // Unreachable at start is not fatal: answers are computed until Redis comes back.
  await store.connect();
  return store;
}

/** The one cache of the server (global: the public routes use it, health and metrics read it). */
@Global()
@Module({
  providers: [
    { provide: CacheStore, inject: [AppConfig], useFactory: createCacheStore },
    {
      provide: CacheService,
      inject: [CacheStore, AppConfig],
      useFactory: (store: CacheStore, config: AppConfig) =>
        new CacheService(store, config.publicCache.ttlSeconds * 1000),
    },
  ],
  exports: [CacheService],
})
export class CacheModule implements OnApplicationShutdown {
  constructor(private readonly store: CacheStore) {}

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}
