import type { Pool, PoolClient } from 'pg';
import type { NextRefreshToken, RefreshRotation, RefreshTokenStore, StoredRefreshToken } from '../storage.types';
import { transaction } from './pool';

/** Advisory lock space for refresh-token chains (1: tournaments, 2: chat). */
const FAMILY_LOCK_SPACE = 3;

interface Row {
  hash: string;
  family_id: string;
  user_id: string;
  email: string;
  sv: number;
  expires_at: Date;
  retired_at: Date | null;
}

/** JavaScript's Date range, which timestamptz covers; clamps "never" and "everything". */
const DATE_LIMIT_MS = 8.64e15;
const toDate = (ms: number) => new Date(Math.max(-DATE_LIMIT_MS, Math.min(DATE_LIMIT_MS, ms)));

const COLUMNS = 'hash, family_id, user_id, email, sv, expires_at, retired_at';

function fromRow(row: Row): StoredRefreshToken {
  const token: StoredRefreshToken = {
    hash: row.hash,
    familyId: row.family_id,
    userId: row.user_id,
    email: row.email,
    sv: row.sv,
    expiresAt: row.expires_at.getTime(),
  };
  if (row.retired_at) token.retiredAt = row.retired_at.getTime();
  return token;
}

/**
 * Refresh tokens in one table. Everything that changes a chain holds the chain's advisory lock
 * (then the rows' locks), so a rotation and a revocation of one chain never interleave: a
 * revocation sees the token a concurrent rotation stored, and of two rotations of one token the
 * second finds it retired.
 */
export class PgRefreshTokens implements RefreshTokenStore {
  constructor(private readonly pool: Pool) {}

  async put(token: StoredRefreshToken): Promise<void> {
    await insert(this.pool, token);
  }

  async get(hash: string): Promise<StoredRefreshToken | undefined> {
    const { rows } = await this.pool.query<Row>(`SELECT ${COLUMNS} FROM refresh_tokens WHERE hash = $1`, [hash]);
    return rows[0] && fromRow(rows[0]);
  }

  async rotate(hash: string, next: NextRefreshToken, now = Date.now()): Promise<RefreshRotation> {
    // The chain id never changes, so it can be read before taking the chain's lock.
    const { rows: found } = await this.pool.query<{ family_id: string }>(
      'SELECT family_id FROM refresh_tokens WHERE hash = $1',
      [hash],
    );
    if (!found[0]) return { outcome: 'invalid' };
    const familyId = found[0].family_id;
    return transaction(this.pool, async (client): Promise<RefreshRotation> => {
      await lockFamilies(client, [familyId]);
      const { rows } = await client.query<Row>(`SELECT ${COLUMNS} FROM refresh_tokens WHERE hash = $1 FOR UPDATE`, [
        hash,
      ]);
      if (!rows[0]) return { outcome: 'invalid' };
      const token = fromRow(rows[0]);
      if (token.expiresAt <= now) return { outcome: 'invalid' };
      if (token.retiredAt !== undefined) {
        await retireFamily(client, familyId, now);
        return { outcome: 'reused', token };
      }
      await client.query('UPDATE refresh_tokens SET retired_at = $2 WHERE hash = $1', [hash, toDate(now)]);
      await insert(client, { ...next, familyId });
      return { outcome: 'rotated', token };
    });
  }

  revokeFamily(familyId: string, now = Date.now()): Promise<number> {
    return transaction(this.pool, async (client) => {
      await lockFamilies(client, [familyId]);
      return retireFamily(client, familyId, now);
    });
  }

  revokeUser(userId: string, now = Date.now()): Promise<number> {
    return transaction(this.pool, async (client) => {
      const { rows } = await client.query<{ family_id: string }>(
        'SELECT DISTINCT family_id FROM refresh_tokens WHERE user_id = $1 AND retired_at IS NULL',
        [userId],
      );
      await lockFamilies(
        client,
        rows.map((row) => row.family_id),
      );
      const { rowCount } = await client.query(
        'UPDATE refresh_tokens SET retired_at = $2 WHERE user_id = $1 AND retired_at IS NULL',
        [userId, toDate(now)],
      );
      return rowCount ?? 0;
    });
  }

  async purgeExpired(now = Date.now()): Promise<number> {
    const { rowCount } = await this.pool.query('DELETE FROM refresh_tokens WHERE expires_at <= $1', [toDate(now)]);
    return rowCount ?? 0;
  }
}

async function insert(client: Pool | PoolClient, token: StoredRefreshToken): Promise<void> {
  await client.query(`INSERT INTO refresh_tokens (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)`, [
    token.hash,
    token.familyId,
    token.userId,
    token.email,
    token.sv,
    toDate(token.expiresAt),
    token.retiredAt === undefined ? null : toDate(token.retiredAt),
  ]);
}

/** Chain locks in sorted order, so two callers over several chains cannot deadlock. */
async function lockFamilies(client: PoolClient, familyIds: string[]): Promise<void> {
  for (const familyId of [...new Set(familyIds)].sort()) {
    await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [FAMILY_LOCK_SPACE, familyId]);
  }
}

/** A statement of its own (after the lock): it sees every token of the chain committed before. */
async function retireFamily(client: PoolClient, familyId: string, now: number): Promise<number> {
  const { rowCount } = await client.query(
    'UPDATE refresh_tokens SET retired_at = $2 WHERE family_id = $1 AND retired_at IS NULL',
    [familyId, toDate(now)],
  );
  return rowCount ?? 0;
}
