import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { version as engineVersion } from 'tods-competition-factory';
import type { MutationLogEntry, Storage } from '../storage/storage.types';
import { EXPORT_FORMAT, EXPORT_FORMAT_VERSION, line, tournamentLinePieces, zeroCounts, type Counts } from './format';

export interface ExportOptions {
  /** Called after each tournament: how many are written, of how many. */
  onProgress?: (done: number, total: number) => void;
  /** Filled with the number of lines of each type as they are written. */
  counts?: Counts;
}

const byKey =
  <T>(key: (item: T) => string) =>
  (a: T, b: T) =>
    key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;

/**
 * The whole store as export lines, one at a time: at most one tournament (record and log) is held
 * in memory, so an export of any size runs in flat memory when the consumer honours backpressure.
 */
export async function* exportLines(storage: Storage, options: ExportOptions = {}): AsyncGenerator<string> {
  const counts: Counts = options.counts ?? zeroCounts();
  yield line('header', {
    format: EXPORT_FORMAT,
    formatVersion: EXPORT_FORMAT_VERSION,
    exportedAt: new Date().toISOString(),
    engineVersion: engineVersion(),
  });
  const providers = (await storage.providers.list()).sort(byKey((provider) => provider.organisationId));
  for (const provider of providers) {
    counts.provider += 1;
    yield line('provider', { provider });
  }
  for (const user of (await storage.users.list()).sort(byKey((user) => user.email))) {
    counts.user += 1;
    yield line('user', { user });
  }
  const summaries = (await storage.tournaments.list()).sort(byKey((summary) => summary.tournamentId));
  let done = 0;
  for (const summary of summaries) {
    const read = await readTournament(storage, summary.tournamentId);
    done += 1;
    if (read) {
      counts.tournament += 1;
      counts.log += read.log.length;
      // Only text is held while the lines are written: the record is garbage by then.
      yield* read.lines();
    }
    options.onProgress?.(done, summaries.length);
  }
  if (summaries.length === 0) options.onProgress?.(0, 0);
  // Entries are listed per provider: the providers stored and any owner of a tournament.
  const owners = new Set([
    ...providers.map((provider) => provider.organisationId),
    ...summaries.flatMap((summary) => (summary.providerId ? [summary.providerId] : [])),
  ]);
  for (const providerId of [...owners].sort()) {
    const entries = await storage.calendars.listByProvider(providerId);
    for (const entry of entries.sort(byKey((item) => item.tournamentId))) {
      counts.calendar += 1;
      yield line('calendar', { entry });
    }
  }
  yield line('end', { counts });
}

/**
 * The stored record with the log entries up to its version, as lines. A commit landing between the
 * two reads only adds entries past that version (left out); a prune only drops the oldest.
 */
async function readTournament(
  storage: Storage,
  tournamentId: string,
): Promise<{ log: MutationLogEntry[]; lines(): Generator<string> } | undefined> {
  // The stored text when there is nothing to replay: passed on as it is, never parsed (memory).
  const stored = (await storage.tournaments.getText(tournamentId)) ?? (await storage.tournaments.get(tournamentId));
  if (!stored) return undefined; // removed since the listing
  // No closure here may refer to `stored`: `lines` would keep the record alive through it.
  const { providerId, version, updatedAt } = stored;
  const log = (await storage.log.since(tournamentId, 0)).filter((entry) => entry.version <= version);
  const body = 'json' in stored ? { json: stored.json } : { record: stored.record };
  const first = tournamentLinePieces({ tournamentId, providerId, version, updatedAt, ...body });
  return {
    log,
    *lines() {
      yield* first;
      for (const entry of log) yield line('log', { entry });
    },
  };
}

/** Streams the export into `out` (gzipped when asked), honouring backpressure. */
export async function writeExport(
  storage: Storage,
  out: Writable,
  options: ExportOptions & { gzip?: boolean } = {},
): Promise<void> {
  const source = Readable.from(exportLines(storage, options), { objectMode: false });
  if (options.gzip) await pipeline(source, createGzip(), out);
  else await pipeline(source, out);
}

/**
 * Writes the export to `path` (gzipped when it ends in `.gz`), readable by its owner only: the file
 * holds password hashes. Written under a temporary name and renamed when complete.
 */
export async function exportToFile(storage: Storage, path: string, options: ExportOptions = {}): Promise<void> {
  const partial = `${path}.partial`;
  try {
    await writeExport(storage, createWriteStream(partial, { mode: 0o600 }), {
      ...options,
      gzip: path.endsWith('.gz'),
    });
    await rename(partial, path);
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
}
