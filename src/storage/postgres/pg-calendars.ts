import type { Pool } from 'pg';
import type { CalendarEntry, CalendarStore } from '../storage.types';

/** One calendar entry per tournament, read by provider. */
export class PgCalendars implements CalendarStore {
  constructor(private readonly pool: Pool) {}

  async upsert(entry: CalendarEntry): Promise<void> {
    await this.pool.query(
      `INSERT INTO calendar_entries (tournament_id, provider_id, entry) VALUES ($1, $2, $3::jsonb)
       ON CONFLICT (tournament_id) DO UPDATE SET provider_id = EXCLUDED.provider_id, entry = EXCLUDED.entry`,
      [entry.tournamentId, entry.providerId, JSON.stringify(entry)],
    );
  }

  async remove(tournamentId: string): Promise<boolean> {
    const { rowCount } = await this.pool.query('DELETE FROM calendar_entries WHERE tournament_id = $1', [tournamentId]);
    return (rowCount ?? 0) > 0;
  }

  async listByProvider(providerId: string): Promise<CalendarEntry[]> {
    const { rows } = await this.pool.query<{ entry: CalendarEntry }>(
      'SELECT entry FROM calendar_entries WHERE provider_id = $1 ORDER BY tournament_id',
      [providerId],
    );
    return rows.map((row) => row.entry);
  }
}
