import type {
  CalendarEntry,
  MutationLogEntry,
  Provider,
  RestoredTournament,
  StoredUser,
  TournamentRecord,
} from '../storage/storage.types';

/** What an import writes, from an export file or from another server's database. */
export type ImportItem =
  | { type: 'provider'; provider: Provider }
  | { type: 'user'; user: StoredUser }
  | { type: 'tournament'; tournament: RestoredTournament; record: TournamentRecord; log: MutationLogEntry[] }
  | { type: 'calendar'; entry: CalendarEntry };

/** A file or source that cannot be imported as it is; the message names the line or the row. */
export class ImportError extends Error {
  override name = 'ImportError';
}
