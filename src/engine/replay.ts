import { Logger } from '@nestjs/common';
import { version as factoryVersion } from 'tods-competition-factory';
import type { Directive, MutationLogEntry, TournamentRecord } from '../storage/storage.types';
import { runDeterministic } from './deterministic';
import { runDirectives } from './run-directives';

export const ENGINE_VERSION: string = factoryVersion();

/**
 * Methods whose run a replay does not reproduce, found by test/engine/determinism.test.ts: batches
 * with one of them store the whole record in their commit (a snapshot) instead of relying on replay.
 */
export const NON_REPLAYABLE_METHODS: ReadonlySet<string> = new Set<string>([
  // Engine 6.38: addDrawDefinition gives a new flight the draw's own entries array (flight.drawEntries
  // === drawDefinition.entries), so on the live record these three change the flight's entries too.
  // A record parsed from JSON has two arrays and they change only the draw's: replayed on a snapshot
  // taken after the draw was added, they give other flight entries (a new entry without entryStage,
  // old entry positions). Seed and clock cannot help: the difference is object identity.
  'addDrawEntries',
  'setEntryPosition',
  'setEntryPositions',
]);

/** Whether a log entry's directives rebuild its record when replayed (none of them is listed above). */
export function isReplayable(methods: Directive[]): boolean {
  return methods.every((directive) => !NON_REPLAYABLE_METHODS.has(directive.method));
}

/** Whether `entries` are exactly the versions after `from` up to `to`, in order (nothing missing). */
export function continuesFrom(entries: MutationLogEntry[], from: number, to: number): boolean {
  return entries.length === to - from && entries.every((entry, index) => entry.version === from + 1 + index);
}

/** Counters for /metrics: entries replayed, and those written by another engine version. */
export const replayStats = { entries: 0, foreignEngine: 0, failures: 0 };

/** The engine time replaying these entries costs, as their first runs logged it (ms). */
export function engineMsOf(entries: MutationLogEntry[]): number {
  return entries.reduce((sum, entry) => sum + (entry.engineMs ?? 0), 0);
}

/** A log tail that cannot rebuild its record: a save in it, missing replay inputs, or an engine error. */
export class ReplayError extends Error {
  override name = 'ReplayError';
}

const logger = new Logger('Replay');

/**
 * Applies log entries to `record` (changed in place) with the seed and clock each was first run
 * with, which gives the record those batches produced (docs/mutations.md, Replay). Synchronous: for
 * a record others can reach (a hot copy) between two entries.
 */
export function replayEntries(record: TournamentRecord, entries: MutationLogEntry[]): TournamentRecord {
  for (const entry of entries) replayEntry(record, entry);
  return record;
}

/**
 * As `replayEntries`, letting other work run between two entries, so rebuilding a record (up to the
 * snapshot budget of engine time) never holds the thread longer than one batch would. Only for a
 * record nobody else can reach until it is rebuilt (a cold load).
 */
export async function replayEntriesYielding(
  record: TournamentRecord,
  entries: MutationLogEntry[],
): Promise<TournamentRecord> {
  for (const [index, entry] of entries.entries()) {
    if (index > 0) await new Promise((resolve) => setImmediate(resolve));
    replayEntry(record, entry);
  }
  return record;
}

function replayEntry(record: TournamentRecord, entry: MutationLogEntry): void {
  if (entry.kind !== 'mutation' || entry.seed === undefined) {
    replayStats.failures++;
    throw new ReplayError(`log entry ${entry.version} of ${entry.tournamentId} cannot be replayed`);
  }
  if (entry.engine !== ENGINE_VERSION) {
    replayStats.foreignEngine++;
    logger.warn(
      `replaying version ${entry.version} of ${entry.tournamentId}, written by engine ${entry.engine ?? 'unknown'}, on ${ENGINE_VERSION}`,
    );
  }
  const methods = structuredClone(entry.methods) as Directive[];
  const inputs = { seed: entry.seed, at: Date.parse(entry.at) };
  const outcome = runDeterministic(inputs, () => runDirectives({ [entry.tournamentId]: record }, methods));
  replayStats.entries++;
  if (!outcome.success) {
    replayStats.failures++;
    throw new ReplayError(
      `replaying version ${entry.version} of ${entry.tournamentId} failed: ${outcome.error.code} ${outcome.error.message}`,
    );
  }
}
