import { Mutex } from 'async-mutex';
import type { NextRefreshToken, RefreshRotation, RefreshTokenStore, StoredRefreshToken } from '../storage.types';
import { compoundKey, prefixRange } from './keys';
import { del, put, read, writeBatch, type BatchOp, type Db, type Sublevels } from './level-db';

type Subs = Pick<Sublevels, 'refreshTokens' | 'refreshFamilies' | 'refreshUsers'>;

/**
 * Refresh tokens by hash, with two index sublevels (per chain, per user). Every change runs under
 * one mutex: a rotation reads and writes with no revocation in between, and of two rotations of one
 * token only the first finds it live. One process owns a LevelDB folder, so that is enough.
 */
export class LevelDbRefreshTokens implements RefreshTokenStore {
  private readonly mutex = new Mutex();

  constructor(
    private readonly db: Db,
    private readonly subs: Subs,
  ) {}

  put(token: StoredRefreshToken): Promise<void> {
    return this.mutex.runExclusive(() => writeBatch(this.db, this.putOps(token)));
  }

  get(hash: string): Promise<StoredRefreshToken | undefined> {
    return read(this.subs.refreshTokens, hash);
  }

  rotate(hash: string, next: NextRefreshToken, now = Date.now()): Promise<RefreshRotation> {
    return this.mutex.runExclusive(async (): Promise<RefreshRotation> => {
      const token = await read(this.subs.refreshTokens, hash);
      if (!token || token.expiresAt <= now) return { outcome: 'invalid' };
      if (token.retiredAt !== undefined) {
        await this.retire(this.subs.refreshFamilies, token.familyId, now);
        return { outcome: 'reused', token };
      }
      await writeBatch(this.db, [
        put(this.subs.refreshTokens, hash, { ...token, retiredAt: now }),
        ...this.putOps({ ...next, familyId: token.familyId }),
      ]);
      return { outcome: 'rotated', token };
    });
  }

  revokeFamily(familyId: string, now = Date.now()): Promise<number> {
    return this.mutex.runExclusive(() => this.retire(this.subs.refreshFamilies, familyId, now));
  }

  revokeUser(userId: string, now = Date.now()): Promise<number> {
    return this.mutex.runExclusive(() => this.retire(this.subs.refreshUsers, userId, now));
  }

  purgeExpired(now = Date.now()): Promise<number> {
    return this.mutex.runExclusive(async () => {
      const ops: BatchOp[] = [];
      for await (const [hash, token] of this.subs.refreshTokens.iterator()) {
        if (token.expiresAt > now) continue;
        ops.push(
          del(this.subs.refreshTokens, hash),
          del(this.subs.refreshFamilies, compoundKey(token.familyId, hash)),
          del(this.subs.refreshUsers, compoundKey(token.userId, hash)),
        );
      }
      await writeBatch(this.db, ops);
      return ops.length / 3;
    });
  }

  private putOps(token: StoredRefreshToken): BatchOp[] {
    return [
      put(this.subs.refreshTokens, token.hash, token),
      put(this.subs.refreshFamilies, compoundKey(token.familyId, token.hash), 1),
      put(this.subs.refreshUsers, compoundKey(token.userId, token.hash), 1),
    ];
  }

  /** Retires the still-live tokens listed under `owner` in an index sublevel. Caller holds the mutex. */
  private async retire(index: Subs['refreshFamilies'], owner: string, now: number): Promise<number> {
    const prefix = compoundKey(owner);
    const ops: BatchOp[] = [];
    for await (const key of index.keys(prefixRange(prefix))) {
      const hash = key.slice(prefix.length + 1);
      const token = await read(this.subs.refreshTokens, hash);
      if (token && token.retiredAt === undefined) {
        ops.push(put(this.subs.refreshTokens, hash, { ...token, retiredAt: now }));
      }
    }
    await writeBatch(this.db, ops);
    return ops.length;
  }
}
