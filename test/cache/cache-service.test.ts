import { Logger } from '@nestjs/common';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CacheService } from '../../src/cache/cache.service';
import { CacheStore } from '../../src/cache/cache-store';
import { MemoryCacheStore } from '../../src/cache/memory-cache-store';

/** A store that can be switched off, recording the TTLs it is given. */
class SwitchableStore extends CacheStore {
  readonly provider = 'redis' as const;
  readonly inner = new MemoryCacheStore(1_000_000, 100_000, 60_000);
  readonly ttls: number[] = [];
  down = false;

  async get(key: string) {
    if (this.down) throw new Error('connection refused');
    return this.inner.get(key);
  }
  async set(key: string, value: Buffer, ttlMs: number) {
    if (this.down) throw new Error('connection refused');
    this.ttls.push(ttlMs);
    return this.inner.set(key, value, ttlMs);
  }
  async deletePrefix(prefix: string) {
    if (this.down) throw new Error('connection refused');
    return this.inner.deletePrefix(prefix);
  }
  async ping() {
    return !this.down;
  }
  async close() {}
}

const later = <T>(value: T, ms = 20) => new Promise<T>((resolve) => setTimeout(() => resolve(value), ms));
const bytes = (text: string) => Buffer.from(text);
const text = (value: Buffer) => value.toString();

describe('cache service', () => {
  afterEach(() => vi.restoreAllMocks());

  it('computes once for many concurrent requests of one key, then serves hits', async () => {
    const cache = new CacheService(new SwitchableStore(), 60_000);
    let calls = 0;
    const compute = () => {
      calls++;
      return later({ value: bytes('answer') });
    };
    const answers = await Promise.all(Array.from({ length: 25 }, () => cache.getOrCompute('k', compute)));
    expect(answers.map(text)).toEqual(Array(25).fill('answer'));
    expect(calls).toBe(1);
    expect(text(await cache.getOrCompute('k', compute))).toBe('answer');
    expect(calls).toBe(1);
    expect(cache.stats()).toEqual({ provider: 'redis', hits: 1, misses: 1, coalesced: 24, computes: 1, errors: 0 });
  });

  it('keeps a shorter TTL when the answer asks for one, never a longer one', async () => {
    const store = new SwitchableStore();
    const cache = new CacheService(store, 60_000);
    await cache.getOrCompute('a', async () => ({ value: bytes('1'), ttlMs: 5_000 }));
    await cache.getOrCompute('b', async () => ({ value: bytes('2'), ttlMs: 600_000 }));
    await cache.getOrCompute('c', async () => ({ value: bytes('3') }));
    expect(store.ttls).toEqual([5_000, 60_000, 60_000]);
  });

  it('computes answers while the store is down, logs the outage once and its end once', async () => {
    const warn = vi.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const log = vi.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    const store = new SwitchableStore();
    const cache = new CacheService(store, 60_000);
    store.down = true;
    for (let i = 0; i < 5; i++)
      expect(text(await cache.getOrCompute('k', async () => ({ value: bytes(`v${i}`) })))).toBe(`v${i}`);
    expect(cache.stats()).toMatchObject({ computes: 5, errors: 10, hits: 0 });
    expect(warn).toHaveBeenCalledTimes(1);
    expect(await cache.health()).toEqual({ provider: 'redis', status: 'down' });

    store.down = false;
    expect(text(await cache.getOrCompute('k', async () => ({ value: bytes('fresh') })))).toBe('fresh');
    expect(text(await cache.getOrCompute('k', async () => ({ value: bytes('unused') })))).toBe('fresh');
    expect(log).toHaveBeenCalledTimes(1);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(await cache.health()).toEqual({ provider: 'redis', status: 'up' });
  });

  it('lets a failed compute fail its callers, and the next request try again', async () => {
    const cache = new CacheService(new SwitchableStore(), 60_000);
    const failing = Promise.all([
      cache.getOrCompute('k', () => later(undefined).then(() => Promise.reject(new Error('boom')))),
      cache.getOrCompute('k', async () => ({ value: bytes('never') })),
    ]);
    await expect(failing).rejects.toThrow('boom');
    expect(text(await cache.getOrCompute('k', async () => ({ value: bytes('ok') })))).toBe('ok');
  });
});
