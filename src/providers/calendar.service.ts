import { Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { tournamentProviderId } from '../auth/access';
import { Storage, type CalendarEntry, type TournamentRecord } from '../storage/storage.types';
import { calendarEntry } from './calendar-entry';

/** What this process last stored as a tournament's calendar entry: its JSON (or `null`) at a version. */
interface Known {
  version: number;
  json: string | null;
}

/** A commit's calendar entry: `entry` (`null`: on no calendar) and whether the commit must write it. */
export interface CalendarChange {
  entry: CalendarEntry | null;
  json: string | null;
  changed: boolean;
}

/**
 * Keeps one calendar entry per tournament, keyed by tournament id and holding the provider id (not
 * the abbreviation), so renaming a provider's abbreviation keeps its calendar reachable. Commits
 * write the entry in their own write, only when it changed (docs/storage.md).
 */
@Injectable()
export class CalendarService {
  /**
   * Per tournament, the entry this process stored and at which version. A commit at the next
   * version compares with it; any other version (another instance wrote since) writes anew.
   */
  private readonly known = new LRUCache<string, Known>({ max: 10_000 });

  constructor(private readonly storage: Storage) {}

  /**
   * The entry for `record` committed at `version`. The owner is `parentOrganisation.organisationId`
   * unless `providerId` is given; a record without an owner is on no calendar.
   */
  change(record: TournamentRecord, version: number, providerId = tournamentProviderId(record)): CalendarChange {
    return this.changeTo(record.tournamentId, providerId ? calendarEntry(record, providerId) : null, version);
  }

  /** As `change`, from the entry an engine host built from the record. */
  changeTo(tournamentId: string, entry: CalendarEntry | null, version: number): CalendarChange {
    const json = entry && JSON.stringify(entry);
    const known = this.known.get(tournamentId);
    const changed = !(known && known.version === version - 1 && known.json === json);
    return { entry, json, changed };
  }

  /** After the commit that wrote (or kept) `change` at `version`. */
  committed(tournamentId: string, version: number, change: CalendarChange): void {
    this.known.set(tournamentId, { version, json: change.json });
  }

  async removeTournament(tournamentId: string): Promise<void> {
    this.known.delete(tournamentId);
    await this.storage.calendars.remove(tournamentId);
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
