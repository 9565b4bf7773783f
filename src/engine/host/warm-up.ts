import { randomUUID } from 'node:crypto';
import { mocksEngine } from 'tods-competition-factory';
import type { Directive, TournamentRecord } from '../../storage/storage.types';
import type { EngineCore } from './engine-core';
import type { RunReply } from './protocol';

/** Id of the tournament a host warms up on: no stored tournament's. */
const WARM_UP_ID = `warm-up-${randomUUID()}`;
/** Scores of one winner; scoring a match again with the next one corrects it (the bench's desks do the same). */
const SCORES = ['6-3 6-4', '7-5 6-4', '6-4 3-6 6-2', '6-2 6-2'];

export interface WarmUpReport {
  batches: number;
  ms: number;
}

/**
 * A fresh engine thread runs its first batches several times slower than a busy one (measured: the
 * first ten to twenty scores on a medium tournament at 20–80 ms against 12 once compiled), because
 * V8 compiles the engine's code as it goes. This runs the path a desk's score takes (run, notices,
 * facts, settle) on a generated tournament of the host's own, one batch per step, so the caller can
 * give real requests every turn in between. Ends by dropping the tournament; returns what it did.
 */
export function* warmUp(core: EngineCore, batches: number): Generator<void, WarmUpReport> {
  const started = performance.now();
  if (batches <= 0) return { batches: 0, ms: 0 };
  const record = generated();
  yield;
  const targets = firstRoundMatchUps(record);
  if (!targets.length) return { batches: 0, ms: Math.round(performance.now() - started) };
  const outcomes = scoreOutcomes();
  const json = JSON.stringify(record);
  core.handle({ type: 'put', tournamentId: WARM_UP_ID, version: 1, json, updatedAt: new Date().toISOString() });
  let done = 0;
  try {
    for (; done < batches; done++) {
      yield;
      const target = targets[done % targets.length];
      const outcome = outcomes[Math.floor(done / targets.length) % outcomes.length];
      const directives: Directive[] = [
        { method: 'setMatchUpStatus', params: { tournamentId: WARM_UP_ID, ...target, outcome } },
      ];
      const version = done + 1;
      const ids = [WARM_UP_ID];
      const reply = core.handle({
        ...{ type: 'run', key: done, tournamentIds: ids, directives: JSON.stringify(directives) },
        ...{ seed: done, at: Date.now() },
        ...{ versions: { [WARM_UP_ID]: version }, loads: {}, targets: {}, json: [] },
      }) as RunReply;
      const committed = reply.ok ? { [WARM_UP_ID]: version + 1 } : {};
      core.handle({ type: 'settle', key: done, tournamentIds: ids, committed });
      if (!reply.ok) break;
    }
  } finally {
    core.handle({ type: 'drop', tournamentIds: [WARM_UP_ID] });
  }
  return { batches: done, ms: Math.round(performance.now() - started) };
}

/** Two 32-draws on one venue, under the warm-up id. */
function generated(): TournamentRecord {
  const { tournamentRecord } = mocksEngine.generateTournamentRecord({
    drawProfiles: [{ drawSize: 32 }, { drawSize: 32 }],
    venueProfiles: [{ courtsCount: 4 }],
  }) as { tournamentRecord: TournamentRecord };
  const json = JSON.stringify(tournamentRecord).split(tournamentRecord.tournamentId).join(WARM_UP_ID);
  return JSON.parse(json) as TournamentRecord;
}

type RawMatchUp = { matchUpId: string; roundNumber?: number; drawPositions?: Array<number | undefined> };
type RawDraw = { drawId: string; structures?: Array<{ matchUps?: RawMatchUp[] }> };

/** The outcomes of `SCORES`, side 1 winning, as `setMatchUpStatus` takes them. */
export function scoreOutcomes(): unknown[] {
  return SCORES.map(
    (scoreString) =>
      (mocksEngine.generateOutcomeFromScoreString({ scoreString, winningSide: 1 }) as { outcome: unknown }).outcome,
  );
}

/** MatchUps that can be scored in any order, again and again (same winner, another score). */
export function firstRoundMatchUps(record: TournamentRecord): Array<{ drawId: string; matchUpId: string }> {
  const draws = ((record.events ?? []) as Array<{ drawDefinitions?: RawDraw[] }>).flatMap(
    (event) => event.drawDefinitions ?? [],
  );
  return draws.flatMap((draw) =>
    (draw.structures ?? []).flatMap((structure) =>
      (structure.matchUps ?? [])
        .filter((m) => m.roundNumber === 1 && m.drawPositions?.filter(Boolean).length === 2)
        .map((m) => ({ drawId: draw.drawId, matchUpId: m.matchUpId })),
    ),
  );
}
