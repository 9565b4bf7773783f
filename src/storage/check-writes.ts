import type { TournamentWrite } from './storage.types';

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
