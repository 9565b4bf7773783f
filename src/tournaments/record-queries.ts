import { tournamentEngine } from 'tods-competition-factory';
import { runInEngineContext } from '../engine/engine-state';
import type { TournamentRecord } from '../storage/storage.types';

/** The drawId of the draw holding a matchUp, by walking the record's structures (no copies). */
export function findDrawIdOfMatchUp(record: TournamentRecord, matchUpId: string): string | undefined {
  const hasMatchUp = (structure: any): boolean =>
    !!structure?.matchUps?.some((matchUp: any) => matchUp?.matchUpId === matchUpId) ||
    !!structure?.structures?.some(hasMatchUp);
  for (const event of (record.events as any[]) ?? []) {
    for (const draw of event?.drawDefinitions ?? []) {
      if (draw?.structures?.some(hasMatchUp)) return draw.drawId;
    }
  }
  return undefined;
}

/**
 * Runs an allow-listed read-only engine method on records the caller owns (fresh copies: a query
 * must never touch the executor's hot records). `method` must already be checked.
 */
export function runQuery(records: Record<string, TournamentRecord>, method: string, params: Record<string, unknown>) {
  const engine = tournamentEngine as unknown as Record<string, (params: unknown) => unknown>;
  return runInEngineContext(records, () => engine[method]({ ...params }));
}
