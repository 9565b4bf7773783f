import { mocksEngine } from 'tods-competition-factory';
import { beforeAll, describe, expect, it } from 'vitest';
import { installEngineState } from '../../src/engine/engine-state';
import { runDirectives } from '../../src/engine/run-directives';
import type { TournamentRecord } from '../../src/storage/storage.types';

type MatchUp = { matchUpId: string; roundNumber: number; winnerMatchUpId?: string };
type Structure = { structureId: string; stage: string; matchUps: MatchUp[] };

/** The ids `publicUpdate { type: 'matchUpUpdate' }` starts from: collected from the engine's notices. */
describe('changed ids collected from engine notices', () => {
  beforeAll(() => installEngineState());

  it('names the scored matchUp, the one the winner moves to, and the structure a loser is placed in', () => {
    const { tournamentRecord } = mocksEngine.generateTournamentRecord({
      drawProfiles: [{ drawSize: 8, drawType: 'FEED_IN_CHAMPIONSHIP' }],
      startDate: '2026-12-01',
      endDate: '2026-12-07',
    }) as { tournamentRecord: TournamentRecord };
    const id = tournamentRecord.tournamentId;
    const draw = (tournamentRecord.events as any[])[0].drawDefinitions[0];
    const main = (draw.structures as Structure[]).find((s) => s.stage === 'MAIN')!;
    const consolation = (draw.structures as Structure[]).find((s) => s.stage === 'CONSOLATION')!;
    const target = main.matchUps.find((m) => m.roundNumber === 1)!;
    const { outcome } = mocksEngine.generateOutcomeFromScoreString({ scoreString: '6-1 6-1', winningSide: 1 }) as {
      outcome: unknown;
    };

    const result = runDirectives({ [id]: tournamentRecord }, [
      { method: 'setMatchUpStatus', params: { drawId: draw.drawId, matchUpId: target.matchUpId, outcome } },
    ]);
    expect(result.success).toBe(true);
    if (!result.success) return;
    const changes = result.changes[id];
    expect(changes.matchUpIds).toEqual(expect.arrayContaining([target.matchUpId, target.winnerMatchUpId]));
    expect(changes.structureIds).toEqual([consolation.structureId]);
    expect(changes.participantIds).toEqual([]);
    expect(changes.venueIds).toEqual([]);
  });

  it('names added participants', () => {
    const { tournamentRecord } = mocksEngine.generateTournamentRecord({
      participantsProfile: { participantsCount: 2 },
    }) as {
      tournamentRecord: TournamentRecord;
    };
    const id = tournamentRecord.tournamentId;
    const participant = {
      participantId: 'added-1',
      participantType: 'INDIVIDUAL',
      participantRole: 'COMPETITOR',
      person: { standardFamilyName: 'New', standardGivenName: 'Player' },
    };
    const result = runDirectives({ [id]: tournamentRecord }, [
      { method: 'addParticipants', params: { participants: [participant] } },
    ]);
    expect(result.success && result.changes[id].participantIds).toEqual(['added-1']);
  });
});
