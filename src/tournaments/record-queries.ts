import { tournamentEngine } from 'tods-competition-factory';
import { runInEngineContext } from '../engine/engine-state';
import type { TournamentRecord } from '../storage/storage.types';

type RawMatchUp = Record<string, unknown>;
type Structure = { matchUps?: RawMatchUp[]; structures?: Structure[] };

/** Every matchUp in the record's draw structures (round-robin groups included), with its draw's id; read in place, no copies. */
export function* drawMatchUps(record: TournamentRecord): Generator<[drawId: string, matchUp: RawMatchUp]> {
  function* inStructure(drawId: string, structure: Structure | undefined): Generator<[string, RawMatchUp]> {
    for (const matchUp of structure?.matchUps ?? []) if (matchUp) yield [drawId, matchUp];
    for (const child of structure?.structures ?? []) yield* inStructure(drawId, child);
  }
  for (const event of (record.events as Array<{ drawDefinitions?: unknown[] }> | undefined) ?? []) {
    for (const draw of (event?.drawDefinitions as Array<{ drawId: string; structures?: Structure[] }>) ?? []) {
      for (const structure of draw?.structures ?? []) yield* inStructure(draw.drawId, structure);
    }
  }
}

/** The drawId of the draw holding a matchUp. */
export function findDrawIdOfMatchUp(record: TournamentRecord, matchUpId: string): string | undefined {
  for (const [drawId, matchUp] of drawMatchUps(record)) if (matchUp.matchUpId === matchUpId) return drawId;
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
