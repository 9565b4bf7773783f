import { Mutex } from 'async-mutex';
import { DuplicateKeyError, type StoredUser, type UserStore } from '../storage.types';
import { del, put, read, writeBatch, type Db, type Sub } from './level-db';

/** Users keyed by lower-cased email; a mutex makes create's check-then-write atomic. */
export class LevelDbUsers implements UserStore {
  private readonly mutex = new Mutex();

  constructor(
    private readonly db: Db,
    private readonly users: Sub<StoredUser>,
  ) {}

  async get(email: string): Promise<StoredUser | undefined> {
    return read(this.users, email.toLowerCase());
  }

  create(user: StoredUser): Promise<void> {
    const email = user.email.toLowerCase();
    return this.mutex.runExclusive(async () => {
      if ((await read(this.users, email)) !== undefined) throw new DuplicateKeyError('user', email);
      await writeBatch(this.db, [put(this.users, email, { ...user, email })]);
    });
  }

  update(user: StoredUser): Promise<boolean> {
    const email = user.email.toLowerCase();
    return this.mutex.runExclusive(async () => {
      const stored = await read<StoredUser>(this.users, email);
      if (stored === undefined) return false;
      // A session generation never goes back (a write based on an older read keeps the newer one).
      const sessionVersion = Math.max(user.sessionVersion ?? 0, stored.sessionVersion ?? 0);
      const next = { ...user, email, ...(sessionVersion ? { sessionVersion } : {}) };
      await writeBatch(this.db, [put(this.users, email, next)]);
      return true;
    });
  }

  remove(email: string): Promise<boolean> {
    const key = email.toLowerCase();
    return this.mutex.runExclusive(async () => {
      if ((await read(this.users, key)) === undefined) return false;
      await writeBatch(this.db, [del(this.users, key)]);
      return true;
    });
  }

  async list(filter: { providerId?: string } = {}): Promise<StoredUser[]> {
    const users = await this.users.values().all();
    return filter.providerId === undefined ? users : users.filter((user) => user.providerId === filter.providerId);
  }

  async count(): Promise<number> {
    let count = 0;
    for await (const _key of this.users.keys()) count += 1;
    return count;
  }
}
