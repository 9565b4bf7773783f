import { E_TIMEOUT, Mutex, withTimeout, type MutexInterface } from 'async-mutex';
import { AppError, ErrorCode } from '../common/errors';

interface Entry {
  mutex: MutexInterface;
  holders: number;
}

/**
 * One mutex per tournament, taken in sorted id order so that two batches over the same
 * tournaments can never deadlock. Entries are dropped when nobody holds or waits for them.
 */
export class TournamentLocks {
  private readonly entries = new Map<string, Entry>();
  private waiting = 0;

  constructor(private readonly timeoutMs: number) {}

  /** Number of lock requests waiting right now (a metric). */
  get queueDepth(): number {
    return this.waiting;
  }

  /**
   * Runs `work` holding every listed tournament's lock, until it ends or calls `unlock` (the locks
   * go then, the work goes on). Ids must already be unique.
   */
  async withLocks<T>(tournamentIds: string[], work: (unlock: () => void) => Promise<T>): Promise<T> {
    const sorted = [...tournamentIds].sort();
    const releases: Array<() => void> = [];
    const unlock = () => {
      for (const release of releases.splice(0).reverse()) release();
    };
    try {
      for (const id of sorted) releases.push(await this.acquire(id));
      return await work(unlock);
    } finally {
      unlock();
    }
  }

  private async acquire(id: string): Promise<() => void> {
    let entry = this.entries.get(id);
    if (!entry) {
      entry = { mutex: withTimeout(new Mutex(), this.timeoutMs), holders: 0 };
      this.entries.set(id, entry);
    }
    entry.holders++;
    this.waiting++;
    try {
      const release = await entry.mutex.acquire();
      return () => {
        release();
        this.drop(id, entry);
      };
    } catch (error) {
      this.drop(id, entry);
      if (error === E_TIMEOUT) {
        throw new AppError(
          ErrorCode.LOCK_TIMEOUT,
          `tournament ${id} is busy: lock not acquired in ${this.timeoutMs} ms`,
          {
            tournamentId: id,
          },
        );
      }
      throw error;
    } finally {
      this.waiting--;
    }
  }

  private drop(id: string, entry: Entry): void {
    entry.holders--;
    if (entry.holders === 0 && this.entries.get(id) === entry) this.entries.delete(id);
  }
}
