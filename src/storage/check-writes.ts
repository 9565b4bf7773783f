import {
  DuplicateKeyError,
  type MutationLogEntry,
  type RestoredTournament,
  type TournamentWrite,
} from './storage.types';

/** Refuses malformed commits (caller bugs, not conflicts) before either store touches its data. */
export function checkWrites(writes: TournamentWrite[]): void {
  const seen = new Set<string>();
  for (const write of writes) {
    if (seen.has(write.tournamentId)) throw new Error(`commit names tournament ${write.tournamentId} twice`);
    seen.add(write.tournamentId);
    if (!Number.isSafeInteger(write.version) || write.version < 1) throw new Error(`invalid version ${write.version}`);
    if (write.log.tournamentId !== write.tournamentId || write.log.version !== write.version) {
      throw new Error(`log entry of ${write.tournamentId} does not match its write`);
    }
    if (write.tournamentId.includes('\u0000')) throw new Error('tournament ids must not contain the NUL character');
  }
}

/** Refuses a restore whose log does not belong to it: other ids, versions out of order or past the record's. */
export function checkRestore(tournament: RestoredTournament, log: MutationLogEntry[]): void {
  const { tournamentId, version } = tournament;
  if (tournamentId.includes('\u0000')) throw new Error('tournament ids must not contain the NUL character');
  if (!Number.isSafeInteger(version) || version < 1) throw new Error(`invalid version ${version}`);
  let previous = 0;
  const acks = new Set<string>();
  for (const entry of log) {
    if (entry.tournamentId !== tournamentId) throw new Error(`log entry of ${entry.tournamentId} in ${tournamentId}`);
    if (!Number.isSafeInteger(entry.version) || entry.version <= previous || entry.version > version) {
      throw new Error(`log entry version ${entry.version} of ${tournamentId} is out of order or past ${version}`);
    }
    previous = entry.version;
    if (entry.ackId !== undefined) {
      if (acks.has(entry.ackId)) throw new DuplicateKeyError('mutation ackId', `${tournamentId}/${entry.ackId}`);
      acks.add(entry.ackId);
    }
  }
}
