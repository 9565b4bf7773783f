import type { Pool, PoolClient } from 'pg';
import { checkRestore, checkWrites } from '../check-writes';
import {
  DuplicateKeyError,
  VersionConflictError,
  type CalendarEntry,
  type MutationLogEntry,
  type MutationLogStore,
  type RestoredTournament,
  type StoredText,
  type StoredTournament,
  type TournamentStore,
  type TournamentSummary,
  type TournamentWrite,
  type WriteLock,
} from '../storage.types';
import { materialize, type SnapshotAndTail } from '../materialize';
import { removeCalendarEntry, upsertCalendarEntry } from './pg-calendars';
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
  seed: string | null;
  engine: string | null;
  engine_ms: number | null;
}

const LOG_COLUMNS =
  'tournament_id, version, ack_id, methods, user_id, kind, at, changes, overrides, by_holder, seed, engine, engine_ms';
/** The placeholders of one log row, from parameter `first` on, with the casts its columns need. */
const logPlaceholders = (first: number): string =>
  LOG_COLUMN_CASTS.map((cast, index) => `$${first + index}${cast}`).join(', ');
// methods: json, not jsonb, which would reorder the keys of the objects replay copies into records.
const LOG_COLUMN_CASTS = ['', '', '', '::json', '', '', '', '::jsonb', '', '', '', '', ''];

/** The values of a log row, in LOG_COLUMNS order. */
function logValues(log: MutationLogEntry): unknown[] {
  return [
    ...[log.tournamentId, log.version, log.ackId ?? null, JSON.stringify(log.methods), log.userId, log.kind, log.at],
    ...[log.changes ? JSON.stringify(log.changes) : null, log.overrides ?? null, log.by ?? null],
    ...[log.seed ?? null, log.engine ?? null, log.engineMs ?? null],
  ];
}

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
  if (row.seed !== null) entry.seed = Number(row.seed);
  if (row.engine !== null) entry.engine = row.engine;
  if (row.engine_ms !== null) entry.engineMs = row.engine_ms;
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

  async get(tournamentId: string): Promise<StoredTournament | undefined> {
    const stored = await this.getStored(tournamentId);
    return stored && materialize(stored);
  }

  getStored(tournamentId: string): Promise<SnapshotAndTail | undefined> {
    return this.getStoredWith(this.pool, tournamentId);
  }

  private async getStoredWith(db: Pool | PoolClient, tournamentId: string): Promise<SnapshotAndTail | undefined> {
    // Entries up to the head never change and stay until a later snapshot covers them, so the two
    // reads agree unless a snapshot and a prune both landed between them: then read again.
    for (let attempt = 1; ; attempt++) {
      const { rows } = await db.query<{
        provider_id: string | null;
        version: number;
        updated_at: Date;
        snapshot_version: number;
        record: string;
        bytes: number;
      }>(
        // As text: the engine host parses it (on its own thread when there is a pool).
        `SELECT t.provider_id, t.version, t.updated_at, s.version AS snapshot_version, s.record::text AS record, s.bytes
           FROM tournaments t JOIN tournament_snapshots s USING (tournament_id) WHERE tournament_id = $1`,
        [tournamentId],
      );
      const row = rows[0];
      if (!row) return undefined;
      const snapshotVersion = row.snapshot_version;
      const missing = row.version - snapshotVersion;
      const tail = missing > 0 ? await this.sinceWith(db, tournamentId, snapshotVersion, missing) : [];
      if (attempt < 3 && tail.length !== missing) continue;
      return {
        ...{ tournamentId, providerId: row.provider_id ?? undefined, version: row.version },
        ...{ updatedAt: row.updated_at.toISOString(), snapshotVersion, snapshot: row.record, bytes: row.bytes, tail },
      };
    }
  }

  async getText(tournamentId: string): Promise<StoredText | undefined> {
    const { rows } = await this.pool.query<{
      provider_id: string | null;
      version: number;
      updated_at: Date;
      json: string;
    }>(
      `SELECT t.provider_id, t.version, t.updated_at, s.record::text AS json
         FROM tournaments t JOIN tournament_snapshots s USING (tournament_id)
        WHERE tournament_id = $1 AND s.version = t.version`,
      [tournamentId],
    );
    const row = rows[0];
    if (!row) return undefined;
    const { version, json } = row;
    return {
      tournamentId,
      providerId: row.provider_id ?? undefined,
      version,
      updatedAt: row.updated_at.toISOString(),
      json,
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
    if (writes.length === 1 && writes[0].json === undefined) return this.append(writes[0]);
    const sorted = [...writes].sort((a, b) => (a.tournamentId < b.tournamentId ? -1 : 1));
    const ids = sorted.map((write) => write.tournamentId);
    await transaction(this.pool, async (client) => {
      await lockTournaments(client, ids);
      await this.writeChecked(client, sorted);
    });
  }

  /**
   * The common commit, one statement (so one round trip and its own transaction): under the
   * tournament's advisory lock, the head row moves to the next version only if it is at the one
   * before, and the log entry (and a changed calendar entry) is written only if it moved.
   */
  private async append(write: TournamentWrite): Promise<void> {
    const { tournamentId, version, log } = write;
    const values: unknown[] = [TOURNAMENT_LOCK_SPACE, tournamentId, version, log.at, write.providerId ?? null];
    values.push(...logValues(log));
    const calendar = write.calendar === undefined ? '' : this.calendarStep(write.calendar, values);
    const sql = `WITH locked AS (SELECT pg_advisory_xact_lock($1, hashtext($2))),
      head AS (
        UPDATE tournaments t SET version = $3, updated_at = $4, provider_id = $5
          FROM locked WHERE t.tournament_id = $2 AND t.version = $3 - 1
        RETURNING t.tournament_id),
      logged AS (INSERT INTO mutation_log (${LOG_COLUMNS}) SELECT ${logPlaceholders(6)} FROM head RETURNING version)
      ${calendar}
      SELECT count(*)::int AS n FROM logged`;
    let moved: number;
    try {
      const { rows } = await this.pool.query<{ n: number }>(sql, values);
      moved = rows[0]?.n ?? 0;
    } catch (error) {
      if (uniqueViolation(error)?.constraint === 'mutation_log_ack_idx')
        throw new DuplicateKeyError('mutation ackId', `${tournamentId}/${log.ackId}`);
      throw error;
    }
    if (moved !== 1)
      throw new VersionConflictError(tournamentId, version - 1, (await this.getVersion(tournamentId)) ?? 0);
  }

  /** The calendar part of `append`: upsert or delete the entry, only when the head moved. */
  private calendarStep(entry: CalendarEntry | null, values: unknown[]): string {
    if (entry === null)
      return ', calendar AS (DELETE FROM calendar_entries WHERE tournament_id = $2 AND EXISTS (SELECT 1 FROM head))';
    values.push(entry.providerId, JSON.stringify(entry));
    const [provider, json] = [values.length - 1, values.length];
    return `, calendar AS (INSERT INTO calendar_entries (tournament_id, provider_id, entry)
        SELECT $2, $${provider}, $${json}::jsonb FROM head
        ON CONFLICT (tournament_id) DO UPDATE SET provider_id = EXCLUDED.provider_id, entry = EXCLUDED.entry)`;
  }

  async snapshot(tournamentId: string, version: number, json: string): Promise<boolean> {
    // Its own row, so a snapshot never holds up a commit of the head.
    const { rowCount } = await this.pool.query(
      `UPDATE tournament_snapshots s SET version = $2, record = $3::json, bytes = $4
         FROM tournaments t
        WHERE s.tournament_id = $1 AND t.tournament_id = $1 AND t.version >= $2 AND s.version < $2`,
      [tournamentId, version, json, json.length],
    );
    return (rowCount ?? 0) > 0;
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
      getStored: (id) => this.getStoredWith(client, id),
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
    const { tournamentId, version, log, json } = write;
    if (json === undefined) {
      await client.query(
        'UPDATE tournaments SET version = $2, updated_at = $3, provider_id = $4 WHERE tournament_id = $1',
        [tournamentId, version, log.at, write.providerId ?? null],
      );
    } else {
      await upsertHead(client, tournamentId, write.providerId, version, log.at);
      await upsertSnapshot(client, tournamentId, version, json);
    }
    try {
      await client.query(`INSERT INTO mutation_log (${LOG_COLUMNS}) VALUES (${logPlaceholders(1)})`, logValues(log));
    } catch (error) {
      if (uniqueViolation(error)?.constraint === 'mutation_log_ack_idx')
        throw new DuplicateKeyError('mutation ackId', `${tournamentId}/${log.ackId}`);
      throw error;
    }
    if (write.calendar === null) await removeCalendarEntry(client, tournamentId);
    else if (write.calendar) await upsertCalendarEntry(client, write.calendar);
  }

  async remove(tournamentId: string): Promise<boolean> {
    return transaction(this.pool, async (client) => {
      await lockTournaments(client, [tournamentId]);
      await client.query('DELETE FROM mutation_log WHERE tournament_id = $1', [tournamentId]);
      const { rowCount } = await client.query('DELETE FROM tournaments WHERE tournament_id = $1', [tournamentId]);
      return (rowCount ?? 0) > 0;
    });
  }

  since(tournamentId: string, sinceVersion: number, limit?: number): Promise<MutationLogEntry[]> {
    return this.sinceWith(this.pool, tournamentId, sinceVersion, limit);
  }

  private async sinceWith(
    db: Pool | PoolClient,
    tournamentId: string,
    sinceVersion: number,
    limit?: number,
  ): Promise<MutationLogEntry[]> {
    const { rows } = await db.query<LogRow>(
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
    // Entries after the snapshot rebuild the record: they stay whatever the caller asks.
    const { rowCount } = await this.pool.query(
      `DELETE FROM mutation_log WHERE tournament_id = $1 AND version < $2 AND version <= coalesce(
         (SELECT version FROM tournament_snapshots WHERE tournament_id = $1), $2)`,
      [tournamentId, beforeVersion],
    );
    return rowCount ?? 0;
  }

  async restore(tournament: RestoredTournament, log: MutationLogEntry[]): Promise<void> {
    checkRestore(tournament, log);
    const { tournamentId, json } = tournament;
    await transaction(this.pool, async (client) => {
      await lockTournaments(client, [tournamentId]);
      const { rowCount } = await client.query('SELECT 1 FROM tournaments WHERE tournament_id = $1', [tournamentId]);
      if (rowCount) throw new DuplicateKeyError('tournament', tournamentId);
      await upsertHead(client, tournamentId, tournament.providerId, tournament.version, tournament.updatedAt);
      await upsertSnapshot(client, tournamentId, tournament.version, json);
      // Stray entries of a tournament that has no record (none are expected) would collide.
      await client.query('DELETE FROM mutation_log WHERE tournament_id = $1', [tournamentId]);
      for (let start = 0; start < log.length; start += RESTORE_CHUNK) {
        await insertLogRows(client, log.slice(start, start + RESTORE_CHUNK));
      }
    });
  }
}

async function upsertHead(
  client: PoolClient,
  tournamentId: string,
  providerId: string | undefined,
  version: number,
  at: string,
): Promise<void> {
  await client.query(
    `INSERT INTO tournaments (tournament_id, provider_id, version, updated_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (tournament_id) DO UPDATE SET provider_id = EXCLUDED.provider_id, version = EXCLUDED.version,
       updated_at = EXCLUDED.updated_at`,
    [tournamentId, providerId ?? null, version, at],
  );
}

async function upsertSnapshot(client: PoolClient, tournamentId: string, version: number, json: string): Promise<void> {
  await client.query(
    `INSERT INTO tournament_snapshots (tournament_id, version, record, bytes) VALUES ($1, $2, $3::json, $4)
     ON CONFLICT (tournament_id) DO UPDATE SET version = EXCLUDED.version, record = EXCLUDED.record, bytes = EXCLUDED.bytes`,
    [tournamentId, version, json, json.length],
  );
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

/** Log entries per INSERT statement of a restore (13 parameters each, far below PostgreSQL's 65535). */
const RESTORE_CHUNK = 500;

async function insertLogRows(client: PoolClient, entries: MutationLogEntry[]): Promise<void> {
  if (entries.length === 0) return;
  const values: unknown[] = [];
  const rows = entries.map((log) => {
    const first = values.length + 1;
    values.push(...logValues(log));
    return `(${logPlaceholders(first)})`;
  });
  await client.query(`INSERT INTO mutation_log (${LOG_COLUMNS}) VALUES ${rows.join(', ')}`, values);
}
