import { calendarEntry } from '../providers/calendar-entry';
import { CfsSource } from './cfs-source';
import { DuplicateKeyError, type CalendarEntry, type Storage } from '../storage/storage.types';
import { ImportError, type ImportItem } from './items';
import { fileLines, readExport } from './read-export';
import { ImportSummary } from './summary';

export interface ImportOptions {
  /** Add to a store that already holds data, skipping what it has; without it such a store is refused. */
  merge?: boolean;
  /** Build calendar entries from the records instead of reading them from the source. */
  rebuildCalendars?: boolean;
  /** Called after each tournament: how many are done, of how many. */
  onProgress?: (done: number, total: number) => void;
  /** Tournaments to expect (for progress). */
  total?: number;
}

/** What a store holds already, or undefined when it is empty (users, providers, tournaments). */
export async function heldData(storage: Storage): Promise<string | undefined> {
  const [providers, users, tournaments] = await Promise.all([
    storage.providers.list().then((list) => list.length),
    storage.users.count(),
    storage.tournaments.list().then((list) => list.length),
  ]);
  if (providers + users + tournaments === 0) return undefined;
  return `providers: ${providers}, users: ${users}, tournaments: ${tournaments}`;
}

/** Refuses a store with data unless merging: an import is meant for a new store. */
export async function checkTarget(storage: Storage, merge: boolean | undefined): Promise<void> {
  if (merge) return;
  const held = await heldData(storage);
  if (held) {
    throw new ImportError(
      `the ${storage.kind} store already holds data (${held}); add --merge to import only what it lacks (also how to finish an interrupted import)`,
    );
  }
}

/**
 * Writes items into the store, each one atomically (a tournament with its whole log), skipping what
 * the store already has. Running it again over the same items writes nothing new, so an import
 * that stopped half-way is finished by running it again with `merge`.
 */
export async function writeItems(
  storage: Storage,
  items: AsyncIterable<ImportItem>,
  options: ImportOptions = {},
  summary = new ImportSummary(),
): Promise<ImportSummary> {
  const written = new Set<string>();
  const calendars = new Map<string, Set<string>>();
  let done = 0;

  const hasEntry = async (entry: CalendarEntry): Promise<boolean> => {
    let ids = calendars.get(entry.providerId);
    if (!ids) {
      ids = new Set((await storage.calendars.listByProvider(entry.providerId)).map((item) => item.tournamentId));
      calendars.set(entry.providerId, ids);
    }
    return ids.has(entry.tournamentId);
  };

  for await (const item of items) {
    switch (item.type) {
      case 'provider': {
        const { provider } = item;
        try {
          await storage.providers.create(provider);
          summary.add('provider');
        } catch (error) {
          if (!(error instanceof DuplicateKeyError)) throw error;
          if (await storage.providers.get(provider.organisationId)) {
            summary.skip('provider', provider.organisationAbbreviation);
          } else {
            summary.refuse(
              'provider',
              `${provider.organisationId}: abbreviation ${provider.organisationAbbreviation} belongs to another provider in the store`,
            );
          }
        }
        break;
      }
      case 'user': {
        try {
          await storage.users.create(item.user);
          summary.add('user');
        } catch (error) {
          if (!(error instanceof DuplicateKeyError)) throw error;
          summary.skip('user', item.user.email);
        }
        break;
      }
      case 'tournament': {
        const { tournament, log, record } = item;
        try {
          await storage.tournaments.restore(tournament, log);
          summary.add('tournament');
          summary.add('log', log.length);
          written.add(tournament.tournamentId);
          if (options.rebuildCalendars && tournament.providerId) {
            await storage.calendars.upsert(calendarEntry(record, tournament.providerId));
            summary.add('calendar');
          }
        } catch (error) {
          if (!(error instanceof DuplicateKeyError)) throw error;
          summary.skip('tournament', tournament.tournamentId);
          summary.skip('log', undefined, log.length);
        }
        done += 1;
        options.onProgress?.(done, options.total ?? done);
        break;
      }
      case 'calendar': {
        const { entry } = item;
        if (!written.has(entry.tournamentId) && (await hasEntry(entry))) {
          summary.skip('calendar', entry.tournamentId);
        } else {
          await storage.calendars.upsert(entry);
          summary.add('calendar');
        }
        break;
      }
    }
  }
  return summary;
}

/**
 * Imports an export file: reads it through once to check every line (nothing is written when a
 * line is bad), then again to write. Gzipped files are recognised by their first bytes.
 */
export async function importFile(storage: Storage, path: string, options: ImportOptions = {}): Promise<ImportSummary> {
  await checkTarget(storage, options.merge);
  let total = 0;
  for await (const item of readExport(fileLines(path))) if (item.type === 'tournament') total += 1;
  return writeItems(storage, readExport(fileLines(path)), { ...options, total });
}

/** Imports a CourtHive server's PostgreSQL database (see `CfsSource`); calendars are rebuilt from the records. */
export async function importFromCfs(
  storage: Storage,
  url: string,
  options: ImportOptions = {},
): Promise<ImportSummary> {
  await checkTarget(storage, options.merge);
  const source = await CfsSource.open(url);
  try {
    const summary = new ImportSummary();
    const total = await source.countTournaments();
    return await writeItems(storage, source.items(summary), { ...options, total, rebuildCalendars: true }, summary);
  } finally {
    await source.close();
  }
}
