import { describe, expect, it } from 'vitest';
import { MemoryCacheStore } from '../../src/cache/memory-cache-store';

describe('in-process cache store', () => {
  it('stays within its byte budget, dropping the least recently used', async () => {
    const store = new MemoryCacheStore(1000, 500, 60_000);
    for (let i = 0; i < 10; i++) await store.set(`k${i}`, Buffer.from('x'.repeat(198)), 60_000);
    expect(store.bytes).toBeLessThanOrEqual(1000);
    expect(await store.get('k0')).toBeUndefined();
    expect((await store.get('k9'))?.toString()).toBe('x'.repeat(198));
  });

  it('does not keep an entry larger than the entry limit', async () => {
    const store = new MemoryCacheStore(10_000, 100, 60_000);
    await store.set('big', Buffer.from('x'.repeat(200)), 60_000);
    expect(await store.get('big')).toBeUndefined();
    expect(store.bytes).toBe(0);
  });

  it('forgets an entry after its time to live', async () => {
    const store = new MemoryCacheStore(10_000, 1000, 60_000);
    await store.set('short', Buffer.from('v'), 30);
    await store.set('long', Buffer.from('v'), 60_000);
    expect((await store.get('short'))?.toString()).toBe('v');
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(await store.get('short')).toBeUndefined();
    expect((await store.get('long'))?.toString()).toBe('v');
  });

  it('deletes by prefix only the matching keys', async () => {
    const store = new MemoryCacheStore(10_000, 1000, 60_000);
    await store.set('pub:a:1:x', Buffer.from('1'), 60_000);
    await store.set('pub:a:2:x', Buffer.from('2'), 60_000);
    await store.set('pub:ab:1:x', Buffer.from('3'), 60_000);
    expect(await store.deletePrefix('pub:a:')).toBe(2);
    expect((await store.get('pub:ab:1:x'))?.toString()).toBe('3');
  });
});
