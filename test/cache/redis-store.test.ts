import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisCacheStore } from '../../src/cache/redis-cache-store';
import { deleteRedisPrefix, redisKeys, TEST_REDIS_URL, testRedisPrefix } from '../support/redis';
import { eventually, TcpProxy } from './tcp-proxy';
import { reservedPort } from '../support/ports';

describe('Redis cache store (real server, own key prefix)', () => {
  const prefix = testRedisPrefix('cache');
  const stores: RedisCacheStore[] = [];
  let raw: Redis;

  const open = async (url = TEST_REDIS_URL, maxEntryBytes = 10_000) => {
    const store = new RedisCacheStore({ url, keyPrefix: prefix, maxEntryBytes, commandTimeoutMs: 500 });
    stores.push(store);
    await store.connect();
    return store;
  };

  beforeAll(() => {
    raw = new Redis(TEST_REDIS_URL);
  });
  afterAll(async () => {
    await Promise.all(stores.map((store) => store.close()));
    raw.disconnect();
    await deleteRedisPrefix(prefix);
    expect(await redisKeys(prefix)).toEqual([]);
  });

  it('stores under its prefix with the TTL given', async () => {
    const store = await open();
    await store.set('pub:t1:1:eventdata:abc', Buffer.from('value'), 5_000);
    expect((await store.get('pub:t1:1:eventdata:abc'))?.toString()).toBe('value');
    expect(await store.get('pub:t1:1:eventdata:missing')).toBeUndefined();
    const ttl = await raw.pttl(`${prefix}pub:t1:1:eventdata:abc`);
    expect(ttl).toBeGreaterThan(4_000);
    expect(ttl).toBeLessThanOrEqual(5_000);
    expect(await store.ping()).toBe(true);
  });

  it('does not store a value larger than the entry limit', async () => {
    const store = await open(TEST_REDIS_URL, 100);
    await store.set('big', Buffer.from('x'.repeat(101)), 5_000);
    expect(await raw.exists(`${prefix}big`)).toBe(0);
  });

  it('deletes one tournament prefix and nothing else', async () => {
    const store = await open();
    await store.set('pub:t2:1:a', Buffer.from('1'), 60_000);
    await store.set('pub:t2:7:b', Buffer.from('2'), 60_000);
    await store.set('pub:t22:1:a', Buffer.from('3'), 60_000);
    expect(await store.deletePrefix('pub:t2:')).toBe(2);
    expect((await store.get('pub:t22:1:a'))?.toString()).toBe('3');
  });

  it('fails fast, without waiting, when Redis cannot be reached', async () => {
    const store = await open(`redis://127.0.0.1:${await reservedPort()}`);
    const started = Date.now();
    await expect(store.get('k')).rejects.toThrow();
    await expect(store.set('k', Buffer.from('v'), 1000)).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(200);
    expect(await store.ping()).toBe(false);
  });

  it('reconnects by itself when the connection comes back', async () => {
    const proxy = new TcpProxy('127.0.0.1', Number(new URL(TEST_REDIS_URL).port || 6379));
    await proxy.start();
    const store = await open(proxy.url);
    await store.set('k', Buffer.from('before'), 60_000);
    await proxy.cut();
    await expect(store.get('k')).rejects.toThrow();
    await proxy.start();
    await eventually(() => store.ping());
    expect((await store.get('k'))?.toString()).toBe('before');
    await proxy.cut();
  });
});
