import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

/** The local Redis server the tests use. Override with TEST_REDIS_URL. Never flushed: keys are prefixed. */
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A key prefix of one's own for a test run, e.g. `cfs-test:1a2b3c4d:`. */
export function testRedisPrefix(label = 'test'): string {
  return `cfs-${label}:${Date.now().toString(36)}${randomBytes(4).toString('hex')}:`;
}

/** Deletes every key under `prefix` (SCAN, never FLUSH); returns how many there were. */
export async function deleteRedisPrefix(prefix: string, url = TEST_REDIS_URL): Promise<number> {
  const client = new Redis(url, { lazyConnect: true });
  await client.connect();
  try {
    let cursor = '0';
    let removed = 0;
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length) removed += await client.del(...keys);
    } while (cursor !== '0');
    return removed;
  } finally {
    client.disconnect();
  }
}

/** Keys under `prefix` now (for assertions). */
export async function redisKeys(prefix: string, url = TEST_REDIS_URL): Promise<string[]> {
  const client = new Redis(url, { lazyConnect: true });
  await client.connect();
  try {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      keys.push(...batch);
    } while (cursor !== '0');
    return keys;
  } finally {
    client.disconnect();
  }
}

/** Checks that Redis answers PING, with a plain error when it does not. */
export async function assertRedisReachable(url = TEST_REDIS_URL): Promise<void> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 3000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    if ((await client.ping()) !== 'PONG') throw new Error('no PONG');
  } catch (error) {
    throw new Error(`Redis is not answering at ${url}: ${(error as Error).message}`, { cause: error });
  } finally {
    client.disconnect();
  }
}
