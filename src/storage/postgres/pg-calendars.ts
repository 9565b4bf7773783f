import type { Pool, PoolClient } from 'pg';
import type { CalendarEntry, CalendarStore } from '../storage.types';

/** Puts a tournament's entry in place; also part of a tournament commit's transaction (pg-tournaments.ts). */
export async function upsertCalendarEntry(db: Pool | PoolClient, entry: CalendarEntry): Promise<void> {
  await db.query(
    `INSERT INTO calendar_entries (tournament_id, provider_id, entry) VALUES ($1, $2, $3::jsonb)
     ON CONFLICT (tournament_id) DO UPDATE SET provider_id = EXCLUDED.provider_id, entry = EXCLUDED.entry`,
    [entry.tournamentId, entry.providerId, JSON.stringify(entry)],
  );
}

export async function removeCalendarEntry(db: Pool | PoolClient, tournamentId: string): Promise<boolean> {
  const { rowCount } = await db.query('DELETE FROM calendar_entries WHERE tournament_id = $1', [tournamentId]);
  return (rowCount ?? 0) > 0;
}

/** One calendar entry per tournament, read by provider. */
export class PgCalendars implements CalendarStore {
  constructor(private readonly pool: Pool) {}

  upsert(entry: CalendarEntry): Promise<void> {
    return upsertCalendarEntry(this.pool, entry);
  }

  remove(tournamentId: string): Promise<boolean> {
    return removeCalendarEntry(this.pool, tournamentId);
  }

  async listByProvider(providerId: string): Promise<CalendarEntry[]> {
    const { rows } = await this.pool.query<{ entry: CalendarEntry }>(
      'SELECT entry FROM calendar_entries WHERE provider_id = $1 ORDER BY tournament_id',
      [providerId],
    );
    return rows.map((row) => row.entry);
  }
}
