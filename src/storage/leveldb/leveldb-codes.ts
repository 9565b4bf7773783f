import { Mutex } from 'async-mutex';
import type { CodeKind, CodeStore } from '../storage.types';
import { compoundKey } from './keys';
import { del, put, read, writeBatch, type BatchOp, type Db, type StoredCode, type Sub } from './level-db';

/** One-time codes; `take` reads and deletes under a mutex so a code is consumed exactly once. */
export class LevelDbCodes implements CodeStore {
  private readonly mutex = new Mutex();

  constructor(
    private readonly db: Db,
    private readonly codes: Sub<StoredCode>,
  ) {}

  async put(kind: CodeKind, code: string, data: Record<string, unknown>, expiresAt: number): Promise<void> {
    const value: StoredCode = { data, expiresAt };
    await writeBatch(this.db, [put(this.codes, compoundKey(kind, code), value)]);
  }

  take(kind: CodeKind, code: string): Promise<Record<string, unknown> | undefined> {
    const key = compoundKey(kind, code);
    return this.mutex.runExclusive(async () => {
      const stored = await read(this.codes, key);
      if (!stored || stored.expiresAt <= Date.now()) return undefined;
      await writeBatch(this.db, [del(this.codes, key)]);
      return stored.data;
    });
  }

  async peek(kind: CodeKind, code: string): Promise<Record<string, unknown> | undefined> {
    const stored = await read(this.codes, compoundKey(kind, code));
    return stored && stored.expiresAt > Date.now() ? stored.data : undefined;
  }

  purgeExpired(now = Date.now()): Promise<number> {
    return this.mutex.runExclusive(async () => {
      const ops: BatchOp[] = [];
      for await (const [key, value] of this.codes.iterator()) {
        if (value.expiresAt <= now) ops.push(del(this.codes, key));
      }
      await writeBatch(this.db, ops);
      return ops.length;
    });
  }
}
