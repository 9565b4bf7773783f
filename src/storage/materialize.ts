import { continuesFrom, replayEntriesYielding, ReplayError } from '../engine/replay';
import type { MutationLogEntry, StoredTournament, TournamentRecord } from './storage.types';

/** A tournament as a store keeps it: the latest snapshot, and the log entries after it. */
export interface SnapshotAndTail {
  tournamentId: string;
  providerId?: string;
  /** The head: the latest committed version and its commit time. */
  version: number;
  updatedAt: string;
  snapshotVersion: number;
  /** The snapshot's JSON text, or the record already parsed (PostgreSQL's driver parses jsonb). */
  snapshot: string | TournamentRecord;
  bytes: number;
  tail: MutationLogEntry[];
}

/** The record at the head version: the snapshot with the tail replayed on it. */
export async function materialize(stored: SnapshotAndTail): Promise<StoredTournament> {
  const { tournamentId, version, snapshotVersion, tail } = stored;
  if (!continuesFrom(tail, snapshotVersion, version)) {
    throw new ReplayError(
      `the log of ${tournamentId} does not reach from its snapshot (version ${snapshotVersion}) to version ${version}`,
    );
  }
  const record =
    typeof stored.snapshot === 'string' ? (JSON.parse(stored.snapshot) as TournamentRecord) : stored.snapshot;
  await replayEntriesYielding(record, tail);
  return {
    tournamentId,
    providerId: stored.providerId,
    version,
    record,
    bytes: stored.bytes,
    updatedAt: stored.updatedAt,
    snapshotVersion,
    tailMs: tail.reduce((sum, entry) => sum + (entry.engineMs ?? 0), 0),
  };
}
