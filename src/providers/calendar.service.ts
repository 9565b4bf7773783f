import { Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { tournamentProviderId } from '../auth/access';
import { Storage, type CalendarEntry, type TournamentRecord } from '../storage/storage.types';
import { calendarEntry } from './calendar-entry';

const NONE = '';

/**
 * Keeps one calendar entry per tournament, keyed by tournament id and holding the provider id (not
 * the abbreviation), so renaming a provider's abbreviation keeps its calendar reachable.
 */
@Injectable()
export class CalendarService {
  /**
   * What this process last wrote per tournament, to skip rewriting an unchanged entry after every
   * scored point. Only with the embedded store: with PostgreSQL another instance may have written
   * since, so every call writes.
   */
  private readonly written?: LRUCache<string, string>;

  constructor(private readonly storage: Storage) {
    if (storage.kind === 'leveldb') this.written = new LRUCache({ max: 10_000 });
  }

  /**
   * Called after every save and accepted mutation. The owner is `parentOrganisation.organisationId`
   * unless `providerId` is given; a record without an owner is on no calendar.
   */
  async upsertTournament(record: TournamentRecord, providerId = tournamentProviderId(record)): Promise<void> {
    if (!providerId) {
      if (this.written?.get(record.tournamentId) !== NONE) await this.removeTournament(record.tournamentId);
      return;
    }
    const entry = calendarEntry(record, providerId);
    const json = JSON.stringify(entry);
    if (this.written?.get(entry.tournamentId) === json) return;
    await this.storage.calendars.upsert(entry);
    this.written?.set(entry.tournamentId, json);
  }

  async removeTournament(tournamentId: string): Promise<void> {
    this.written?.delete(tournamentId);
    await this.storage.calendars.remove(tournamentId);
    this.written?.set(tournamentId, NONE);
  }

  async listForProvider(providerId: string): Promise<CalendarEntry[]> {
    const entries = await this.storage.calendars.listByProvider(providerId);
    return entries.sort(
      (a, b) =>
        (a.tournament.startDate ?? '').localeCompare(b.tournament.startDate ?? '') ||
        a.tournamentId.localeCompare(b.tournamentId),
    );
  }
}
