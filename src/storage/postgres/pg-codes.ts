import type { Pool } from 'pg';
import type { CodeKind, CodeStore } from '../storage.types';

type Data = Record<string, unknown>;

/** JavaScript's Date range, which PostgreSQL's timestamptz covers; clamps "never" and "everything". */
const DATE_LIMIT_MS = 8.64e15;
const toDate = (ms: number) => new Date(Math.max(-DATE_LIMIT_MS, Math.min(DATE_LIMIT_MS, ms)));

/** One-time codes. Expiry uses the server's clock, as the codes' `expiresAt` does. */
export class PgCodes implements CodeStore {
  constructor(private readonly pool: Pool) {}

  async put(kind: CodeKind, code: string, data: Data, expiresAt: number): Promise<void> {
    await this.pool.query(
      `INSERT INTO codes (kind, code, data, expires_at) VALUES ($1, $2, $3::jsonb, $4)
       ON CONFLICT (kind, code) DO UPDATE SET data = EXCLUDED.data, expires_at = EXCLUDED.expires_at`,
      [kind, code, JSON.stringify(data), toDate(expiresAt)],
    );
  }

  /** A single DELETE ... RETURNING: of concurrent takers, only the one that deletes the row gets it. */
  async take(kind: CodeKind, code: string): Promise<Data | undefined> {
    const { rows } = await this.pool.query<{ data: Data }>(
      'DELETE FROM codes WHERE kind = $1 AND code = $2 AND expires_at > $3 RETURNING data',
      [kind, code, new Date()],
    );
    return rows[0]?.data;
  }

  async peek(kind: CodeKind, code: string): Promise<Data | undefined> {
    const { rows } = await this.pool.query<{ data: Data }>(
      'SELECT data FROM codes WHERE kind = $1 AND code = $2 AND expires_at > $3',
      [kind, code, new Date()],
    );
    return rows[0]?.data;
  }

  async purgeExpired(now = Date.now()): Promise<number> {
    const { rowCount } = await this.pool.query('DELETE FROM codes WHERE expires_at <= $1', [toDate(now)]);
    return rowCount ?? 0;
  }
}
