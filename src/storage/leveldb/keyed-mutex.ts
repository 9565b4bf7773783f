import { Mutex } from 'async-mutex';

/**
 * One mutex per key, created on demand and dropped when nobody holds or waits for it. Several keys
 * are always taken in sorted order, so two callers over overlapping keys cannot deadlock.
 */
export class KeyedMutex {
  private readonly entries = new Map<string, { mutex: Mutex; users: number }>();

  async run<T>(keys: string[], work: () => Promise<T>): Promise<T> {
    const sorted = [...new Set(keys)].sort();
    const releases: (() => void)[] = [];
    try {
      for (const key of sorted) releases.push(await this.acquire(key));
      return await work();
    } finally {
      for (const release of releases.reverse()) release();
    }
  }

  private async acquire(key: string): Promise<() => void> {
    let entry = this.entries.get(key);
    if (!entry) {
      entry = { mutex: new Mutex(), users: 0 };
      this.entries.set(key, entry);
    }
    entry.users += 1;
    const held = entry;
    const release = await held.mutex.acquire();
    return () => {
      release();
      held.users -= 1;
      if (held.users === 0) this.entries.delete(key);
    };
  }
}
