import type { Pool, PoolClient } from 'pg';
import { checkRestore, checkWrites } from '../check-writes';
import {
  DuplicateKeyError,
  VersionConflictError,
  type MutationLogEntry,
  type MutationLogStore,
  type RestoredTournament,
  type StoredTournament,
  type TournamentRecord,
  type TournamentStore,
  type TournamentSummary,
  type TournamentWrite,
  type WriteLock,
} from '../storage.types';
import { transaction, uniqueViolation } from './pool';

interface LogRow {
  tournament_id: string;
  version: number;
  ack_id: string | null;
  methods: MutationLogEntry['methods'];
  user_id: string;
  kind: MutationLogEntry['kind'];
  at: Date;
  changes: MutationLogEntry['changes'] | null;
  overrides: number[] | null;
  by_holder: string | null;
}

const LOG_COLUMNS = 'tournament_id, version, ack_id, methods, user_id, kind, at, changes, overrides, by_holder';

function toEntry(row: LogRow): MutationLogEntry {
  const entry: MutationLogEntry = {
    tournamentId: row.tournament_id,
    version: row.version,
    methods: row.methods,
    userId: row.user_id,
    at: row.at.toISOString(),
    kind: row.kind,
  };
  if (row.ack_id !== null) entry.ackId = row.ack_id;
  if (row.changes) entry.changes = row.changes;
  if (row.overrides) entry.overrides = row.overrides;
  if (row.by_holder) entry.by = row.by_holder;
  return entry;
}

/** Advisory-lock namespace for tournament ids (the two-key form never meets the migration lock). */
const TOURNAMENT_LOCK_SPACE = 1;

/**
 * Serialises writers of these tournaments across every instance, including the first writer of a
 * tournament that has no row yet to lock. Taken in hash order, so overlapping sets cannot deadlock.
 */
async function lockTournaments(client: PoolClient, ids: string[]): Promise<void> {
  await client.query(
    `SELECT pg_advisory_xact_lock($1, h)
       FROM (SELECT DISTINCT hashtext(id) AS h FROM unnest($2::text[]) AS id ORDER BY h) AS locks`,
    [TOURNAMENT_LOCK_SPACE, ids],
  );
}

/** Tournament records with versions, and their mutation log; one transaction per commit. */
export class PgTournaments implements TournamentStore, MutationLogStore {
  constructor(private readonly pool: Pool) {}

  get(tournamentId: string): Promise<StoredTournament | undefined> {
    return this.getWith(this.pool, tournamentId);
  }

  private async getWith(db: Pool | PoolClient, tournamentId: string): Promise<StoredTournament | undefined> {
    const { rows } = await db.query<{
      provider_id: string | null;
      version: number;
      record: TournamentRecord;
      bytes: number;
      updated_at: Date;
    }>('SELECT provider_id, version, record, bytes, updated_at FROM tournaments WHERE tournament_id = $1', [
      tournamentId,
    ]);
    const row = rows[0];
    if (!row) return undefined;
    return {
      tournamentId,
      providerId: row.provider_id ?? undefined,
      version: row.version,
      record: row.record,
      bytes: row.bytes,
      updatedAt: row.updated_at.toISOString(),
    };
  }

  getVersion(tournamentId: string): Promise<number | undefined> {
    return this.getVersionWith(this.pool, tournamentId);
  }

  private async getVersionWith(db: Pool | PoolClient, tournamentId: string): Promise<number | undefined> {
    const { rows } = await db.query<{ version: number }>('SELECT version FROM tournaments WHERE tournament_id = $1', [
      tournamentId,
    ]);
    return rows[0]?.version;
  }

  async getSummary(tournamentId: string): Promise<TournamentSummary | undefined> {
    const { rows } = await this.pool.query<SummaryRow>(
      'SELECT tournament_id, provider_id, version, updated_at FROM tournaments WHERE tournament_id = $1',
      [tournamentId],
    );
    return rows[0] && toSummary(rows[0]);
  }

  async list(filter: { providerId?: string } = {}): Promise<TournamentSummary[]> {
    const { rows } = await this.pool.query<SummaryRow>(
      `SELECT tournament_id, provider_id, version, updated_at FROM tournaments
        WHERE $1::text IS NULL OR provider_id = $1 ORDER BY tournament_id`,
      [filter.providerId ?? null],
    );
    return rows.map(toSummary);
  }

  async commit(writes: TournamentWrite[]): Promise<void> {
    if (writes.length === 0) return;
    checkWrites(writes);
    const sorted = [...writes].sort((a, b) => (a.tournamentId < b.tournamentId ? -1 : 1));
    const ids = sorted.map((write) => write.tournamentId);
    await transaction(this.pool, async (client) => {
      await lockTournaments(client, ids);
      await this.writeChecked(client, sorted);
    });
  }

  /**
   * One transaction that holds the tournaments' advisory locks from the first read to the commit
   * (or release): other instances' commits of these tournaments wait meanwhile. Reads go through
   * the same connection, so a holder never needs a second one from the pool.
   */
  async lockForWrite(tournamentIds: string[]): Promise<WriteLock> {
    const client = await this.pool.connect();
    let ended = false;
    const end = async (sql: 'COMMIT' | 'ROLLBACK'): Promise<void> => {
      if (ended) return;
      ended = true;
      let broken: Error | undefined;
      try {
        await client.query(sql);
      } catch (error) {
        // A client whose COMMIT or ROLLBACK failed has a broken connection: the pool drops it.
        broken = error as Error;
        if (sql === 'COMMIT') await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release(broken);
      }
    };
    try {
      await client.query('BEGIN');
      await lockTournaments(client, [...new Set(tournamentIds)]);
    } catch (error) {
      await end('ROLLBACK').catch(() => undefined);
      throw error;
    }
    return {
      get: (id) => this.getWith(client, id),
      getVersion: (id) => this.getVersionWith(client, id),
      findByAckId: (id, ackId) => this.findByAckIdWith(client, id, ackId),
      commit: async (writes) => {
        if (ended) throw new Error('write lock already ended');
        checkWrites(writes);
        try {
          await this.writeChecked(
            client,
            [...writes].sort((a, b) => (a.tournamentId < b.tournamentId ? -1 : 1)),
          );
        } catch (error) {
          await end('ROLLBACK').catch(() => undefined);
          throw error;
        }
        await end('COMMIT');
      },
      release: () => end('ROLLBACK'),
    };
  }

  /** Under the advisory locks: checks every write is the next version, then writes them all. */
  private async writeChecked(client: PoolClient, sorted: TournamentWrite[]): Promise<void> {
    const ids = sorted.map((write) => write.tournamentId);
    const { rows } = await client.query<{ tournament_id: string; version: number }>(
      'SELECT tournament_id, version FROM tournaments WHERE tournament_id = ANY($1::text[]) ORDER BY tournament_id FOR UPDATE',
      [ids],
    );
    const stored = new Map(rows.map((row) => [row.tournament_id, row.version]));
    for (const write of sorted) {
      const actual = stored.get(write.tournamentId) ?? 0;
      if (actual !== write.version - 1) throw new VersionConflictError(write.tournamentId, write.version - 1, actual);
    }
    for (const write of sorted) await this.insert(client, write);
  }

  private async insert(client: PoolClient, write: TournamentWrite): Promise<void> {
    await client.query(
      `INSERT INTO tournaments (tournament_id, provider_id, version, record, bytes, updated_at)
       VALUES ($1, $2, $3, $4::jsonb, $5, $6)
       ON CONFLICT (tournament_id) DO UPDATE SET provider_id = EXCLUDED.provider_id, version = EXCLUDED.version,
         record = EXCLUDED.record, bytes = EXCLUDED.bytes, updated_at = EXCLUDED.updated_at`,
      [write.tournamentId, write.providerId ?? null, write.version, write.json, write.json.length, write.log.at],
    );
    const { log } = write;
    try {
      await client.query(
        `INSERT INTO mutation_log (${LOG_COLUMNS}) VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7, $8::jsonb, $9, $10)`,
        [
          write.tournamentId,
          write.version,
          log.ackId ?? null,
          JSON.stringify(log.methods),
          log.userId,
          log.kind,
          log.at,
          log.changes ? JSON.stringify(log.changes) : null,
          log.overrides ?? null,
          log.by ?? null,
        ],
      );
    } catch (error) {
      if (uniqueViolation(error)?.constraint === 'mutation_log_ack_idx')
        throw new DuplicateKeyError('mutation ackId', `${write.tournamentId}/${log.ackId}`);
      throw error;
    }
  }

  async remove(tournamentId: string): Promise<boolean> {
    return transaction(this.pool, async (client) => {
      await lockTournaments(client, [tournamentId]);
      await client.query('DELETE FROM mutation_log WHERE tournament_id = $1', [tournamentId]);
      const { rowCount } = await client.query('DELETE FROM tournaments WHERE tournament_id = $1', [tournamentId]);
      return (rowCount ?? 0) > 0;
    });
  }

  async since(tournamentId: string, sinceVersion: number, limit?: number): Promise<MutationLogEntry[]> {
    const { rows } = await this.pool.query<LogRow>(
      `SELECT ${LOG_COLUMNS} FROM mutation_log WHERE tournament_id = $1 AND version > $2 ORDER BY version LIMIT $3`,
      [tournamentId, sinceVersion, limit ?? null],
    );
    return rows.map(toEntry);
  }

  async firstVersion(tournamentId: string): Promise<number | undefined> {
    const { rows } = await this.pool.query<{ first: number | null }>(
      'SELECT min(version) AS first FROM mutation_log WHERE tournament_id = $1',
      [tournamentId],
    );
    return rows[0]?.first ?? undefined;
  }

  findByAckId(tournamentId: string, ackId: string): Promise<MutationLogEntry | undefined> {
    return this.findByAckIdWith(this.pool, tournamentId, ackId);
  }

  private async findByAckIdWith(
    db: Pool | PoolClient,
    tournamentId: string,
    ackId: string,
  ): Promise<MutationLogEntry | undefined> {
    const { rows } = await db.query<LogRow>(
      `SELECT ${LOG_COLUMNS} FROM mutation_log WHERE tournament_id = $1 AND ack_id = $2`,
      [tournamentId, ackId],
    );
    return rows[0] ? toEntry(rows[0]) : undefined;
  }

  async prune(tournamentId: string, beforeVersion: number): Promise<number> {
    const { rowCount } = await this.pool.query('DELETE FROM mutation_log WHERE tournament_id = $1 AND version < $2', [
      tournamentId,
      beforeVersion,
    ]);
    return rowCount ?? 0;
  }

  async restore(tournament: RestoredTournament, log: MutationLogEntry[]): Promise<void> {
    checkRestore(tournament, log);
    const { tournamentId, json } = tournament;
    await transaction(this.pool, async (client) => {
      await lockTournaments(client, [tournamentId]);
      const { rowCount } = await client.query('SELECT 1 FROM tournaments WHERE tournament_id = $1', [tournamentId]);
      if (rowCount) throw new DuplicateKeyError('tournament', tournamentId);
      await client.query(
        `INSERT INTO tournaments (tournament_id, provider_id, version, record, bytes, updated_at)
         VALUES ($1, $2, $3, $4::jsonb, $5, $6)`,
        [tournamentId, tournament.providerId ?? null, tournament.version, json, json.length, tournament.updatedAt],
      );
      // Stray entries of a tournament that has no record (none are expected) would collide.
      await client.query('DELETE FROM mutation_log WHERE tournament_id = $1', [tournamentId]);
      for (let start = 0; start < log.length; start += RESTORE_CHUNK) {
        await insertLogRows(client, log.slice(start, start + RESTORE_CHUNK));
      }
    });
  }
}

interface SummaryRow {
  tournament_id: string;
  provider_id: string | null;
  version: number;
  updated_at: Date;
}

function toSummary(row: SummaryRow): TournamentSummary {
  return {
    tournamentId: row.tournament_id,
    providerId: row.provider_id ?? undefined,
    version: row.version,
    updatedAt: row.updated_at.toISOString(),
  };
}

/** Log entries per INSERT statement of a restore (10 parameters each, far below PostgreSQL's 65535). */
const RESTORE_CHUNK = 500;

async function insertLogRows(client: PoolClient, entries: MutationLogEntry[]): Promise<void> {
  if (entries.length === 0) return;
  const values: unknown[] = [];
  const rows = entries.map((log, index) => {
    values.push(
      log.tournamentId,
      log.version,
      log.ackId ?? null,
      JSON.stringify(log.methods),
      log.userId,
      log.kind,
      log.at,
      log.changes ? JSON.stringify(log.changes) : null,
      log.overrides ?? null,
      log.by ?? null,
    );
    const n = index * 10;
    return `($${n + 1}, $${n + 2}, $${n + 3}, $${n + 4}::jsonb, $${n + 5}, $${n + 6}, $${n + 7}, $${n + 8}::jsonb, $${n + 9}, $${n + 10})`;
  });
  await client.query(`INSERT INTO mutation_log (${LOG_COLUMNS}) VALUES ${rows.join(', ')}`, values);
}
