import { continuesFrom, engineMsOf, replayEntries, replayEntriesYielding, ReplayError } from '../engine/replay';
import type { MutationLogEntry, StoredTournament, TournamentRecord } from './storage.types';

/** A tournament as a store keeps it: the latest snapshot, and the log entries after it. */
export interface SnapshotAndTail {
  tournamentId: string;
  providerId?: string;
  /** The head: the latest committed version and its commit time. */
  version: number;
  updatedAt: string;
  snapshotVersion: number;
  /** The snapshot's JSON text. */
  snapshot: string;
  bytes: number;
  tail: MutationLogEntry[];
}

/** The record at the head version: the snapshot with the tail replayed on it, yielding between entries. */
export async function materialize(stored: SnapshotAndTail): Promise<StoredTournament> {
  const record = parsed(stored);
  await replayEntriesYielding(record, stored.tail);
  return withRecord(stored, record);
}

/** As `materialize`, in one go: for an engine host, whose thread has nothing else to do meanwhile. */
export function materializeSync(stored: SnapshotAndTail): StoredTournament {
  const record = parsed(stored);
  replayEntries(record, stored.tail);
  return withRecord(stored, record);
}

function parsed(stored: SnapshotAndTail): TournamentRecord {
  const { tournamentId, version, snapshotVersion, tail } = stored;
  if (!continuesFrom(tail, snapshotVersion, version)) {
    throw new ReplayError(
      `the log of ${tournamentId} does not reach from its snapshot (version ${snapshotVersion}) to version ${version}`,
    );
  }
  return JSON.parse(stored.snapshot) as TournamentRecord;
}

function withRecord(stored: SnapshotAndTail, record: TournamentRecord): StoredTournament {
  const { tournamentId, version, snapshotVersion, tail } = stored;
  return {
    tournamentId,
    providerId: stored.providerId,
    version,
    record,
    bytes: stored.bytes,
    updatedAt: stored.updatedAt,
    snapshotVersion,
    tailMs: engineMsOf(tail),
  };
}
