/**
 * Log-first commits rest on one property (issue 15): a batch's log entry, replayed with its seed and
 * clock on the record it was run on, gives the record the batch gave. The live record here is held
 * as the executor holds it (one object, changed in place by batch after batch, never re-parsed);
 * replays start from JSON snapshots, as loading, catching up and verifying do.
 *
 * Everything is reproducible: the starting records, the desk-side draws and every choice of the
 * randomised session come from fixed seeds.
 */
import { mocksEngine } from 'tods-competition-factory';
import { beforeAll, describe, expect, it } from 'vitest';
import { runDeterministic } from '../../src/engine/deterministic';
import { installEngineState } from '../../src/engine/engine-state';
import { NON_REPLAYABLE_METHODS } from '../../src/engine/replay';
import type { Directive, TournamentRecord } from '../../src/storage/storage.types';
import {
  commitAndExpectReplay,
  compareReplay,
  expectReplayToRebuild,
  firstDifference,
  jsonHazards,
  LiveTournament,
  seededChooser,
  type Chooser,
} from './live-tournament';

type Row = Record<string, any>;

const START_DATE = '2026-12-01';
const DAYS = ['2026-12-01', '2026-12-02', '2026-12-03', '2026-12-04'];

/** Desk-side work (mocks, draws the desk generates) made repeatable: its own seed, a fixed clock. */
function onTheDesk<T>(seed: number, work: () => T): T {
  return runDeterministic({ seed, at: Date.parse('2026-11-30T12:00:00.000Z') }, work);
}

/** The starting record: a seeded 16-draw, an 8-player round robin, one venue of six courts, spare players. */
function startingRecord(seed = 2026): TournamentRecord {
  const { tournamentRecord } = onTheDesk(seed, () =>
    mocksEngine.generateTournamentRecord({
      tournamentName: 'Replay Open',
      startDate: START_DATE,
      endDate: DAYS[DAYS.length - 1],
      participantsProfile: { participantsCount: 64 },
      drawProfiles: [
        { drawSize: 16, seedsCount: 4, eventName: 'Singles 16' },
        { drawSize: 8, drawType: 'ROUND_ROBIN', eventName: 'Round Robin 8' },
      ],
      venueProfiles: [
        { venueName: 'Centre', venueAbbreviation: 'CTR', courtsCount: 6, startTime: '08:00', endTime: '20:00' },
      ],
    }),
  ) as { tournamentRecord: TournamentRecord };
  return tournamentRecord;
}

/** A live tournament on a fresh starting record, and the snapshot of that record. */
function session(seed = 1): { live: LiveTournament; initial: string } {
  const live = new LiveTournament(startingRecord(), { seed });
  return { live, initial: live.snapshot() };
}

function allMatchUps(live: LiveTournament): Row[] {
  return live.query<{ matchUps: Row[] }>('allTournamentMatchUps', { inContext: true }).matchUps;
}

function scorable(live: LiveTournament, drawId?: string): Row[] {
  return allMatchUps(live).filter((m) => m.readyToScore && !m.winningSide && (!drawId || m.drawId === drawId));
}

function events(live: LiveTournament): Row[] {
  return (live.record.events as Row[] | undefined) ?? [];
}

function eventNamed(live: LiveTournament, name: string): Row {
  const event = events(live).find((e) => e.eventName === name);
  if (!event) throw new Error(`no event ${name}`);
  return event;
}

function participantIdsNotEntered(live: LiveTournament): string[] {
  const entered = new Set(events(live).flatMap((e) => ((e.entries as Row[]) ?? []).map((x) => x.participantId)));
  return ((live.record.participants as Row[]) ?? [])
    .filter((p) => p.participantType === 'INDIVIDUAL' && !entered.has(p.participantId))
    .map((p) => p.participantId as string);
}

function venue(live: LiveTournament): Row {
  return (live.record.venues as Row[])[0];
}

/** The outcome a desk's score entry produces (`scoreString` from the winner's side; desk-side, no engine state). */
function outcome(scoreString: string, winningSide: 1 | 2, matchUpStatus?: string): Row {
  return (mocksEngine.generateOutcomeFromScoreString({ scoreString, winningSide, matchUpStatus }) as { outcome: Row })
    .outcome;
}

function score(matchUp: Row, result: Row, extra: Row = {}): Directive {
  return {
    method: 'setMatchUpStatus',
    params: { matchUpId: matchUp.matchUpId, drawId: matchUp.drawId, outcome: result, ...extra },
  };
}

/**
 * A draw generated the way the TMX desk does it (its own engine and random, on its copy), to be sent
 * whole with addDrawDefinition: `generateDrawDefinition` is not on the server's allow-list, so the
 * server's own randomness in draws is in automatedPositioning, addPlayoffStructures and the like.
 */
function deskGeneratedDraw(live: LiveTournament, params: Row): Row {
  const generated = onTheDesk(live.version, () =>
    live.query<{ drawDefinition?: Row; error?: unknown }>('generateDrawDefinition', {
      ignoreStageSpace: true,
      ...params,
    }),
  );
  if (!generated.drawDefinition) throw new Error(`generateDrawDefinition failed: ${JSON.stringify(generated.error)}`);
  return generated.drawDefinition;
}

function addDraw(eventId: string, drawDefinition: Row): Directive {
  return { method: 'addDrawDefinition', params: { eventId, drawDefinition, allowReplacement: true, force: false } };
}

/** A new singles event with `count` players not entered anywhere yet, as the desk's event editor adds it. */
function addEventWithEntries(live: LiveTournament, eventName: string, count: number, eventId?: string): string {
  const participantIds = participantIdsNotEntered(live).slice(0, count);
  expect(participantIds).toHaveLength(count);
  const id = eventId ?? `event-${eventName.replace(/\W+/g, '-').toLowerCase()}`;
  commitAndExpectReplay(live, [
    { method: 'addEvent', params: { event: { eventId: id, eventName, eventType: 'SINGLES', gender: 'ANY' } } },
    {
      method: 'addEventEntries',
      params: { eventId: id, participantIds, entryStatus: 'DIRECT_ACCEPTANCE', entryStage: 'MAIN' },
    },
  ]);
  return id;
}

function expectWholeLogReplays(live: LiveTournament, initial: string): void {
  expectReplayToRebuild(initial, live.log, live.record);
}

describe('replaying a logged batch on the snapshot before it rebuilds the live record', () => {
  beforeAll(() => installEngineState());

  it('scores: completed, in progress, retired, walkover, corrected and cleared outcomes (setMatchUpStatus)', () => {
    const { live, initial } = session(11);
    // Scores leave `winningSide: undefined` and the like on the live record, which a snapshot drops:
    // a later score puts those keys back in another order (see "what a replay cannot reproduce").
    // Here the values must be the same; the whole log, replayed from the start, is byte-identical.
    const sameValues = { keyOrder: 'ignored' } as const;
    const singles = eventNamed(live, 'Singles 16').drawDefinitions[0].drawId as string;
    const [first, second, third, fourth] = scorable(live, singles);
    commitAndExpectReplay(live, [score(first, outcome('6-3 3-6 7-5', 1))], sameValues);
    commitAndExpectReplay(live, [score(second, { matchUpStatus: 'IN_PROGRESS' })], sameValues);
    commitAndExpectReplay(live, [score(second, outcome('6-2 2-1', 2, 'RETIRED'))], sameValues);
    commitAndExpectReplay(live, [score(third, { matchUpStatus: 'WALKOVER', winningSide: 1 })], sameValues);
    // A correction that changes the winner, propagated into the next round.
    commitAndExpectReplay(
      live,
      [score(first, outcome('7-5 3-6 6-3', 2), { allowChangePropagation: true })],
      sameValues,
    );
    commitAndExpectReplay(live, [score(fourth, outcome('7-6(5) 6-7(3) 6-4', 1))], sameValues);
    // Clearing a result (the desk sends the outcome without score or winner).
    commitAndExpectReplay(live, [score(fourth, { matchUpStatus: 'TO_BE_PLAYED' })], sameValues);
    // Several scores in one batch, then a second-round matchUp they made ready.
    const batch = scorable(live, singles).slice(0, 3);
    commitAndExpectReplay(
      live,
      batch.map((m, i) => score(m, outcome('6-4 6-4', ((i % 2) + 1) as 1 | 2))),
      sameValues,
    );
    const nextRound = scorable(live, singles).find((m) => m.roundNumber === 2);
    expect(nextRound).toBeDefined();
    commitAndExpectReplay(live, [score(nextRound!, outcome('6-0 6-0', 1))], sameValues);
    expectWholeLogReplays(live, initial);
  });

  it('scores: a round-robin group completed in one batch (the tally orders the group)', () => {
    const { live, initial } = session(12);
    const roundRobin = eventNamed(live, 'Round Robin 8').drawDefinitions[0].drawId as string;
    const group = scorable(live, roundRobin);
    const firstGroup = group.filter((m) => m.structureId === group[0].structureId);
    expect(firstGroup).toHaveLength(6);
    // Mixed winners, two- and three-set results: the tally orders the group by them.
    commitAndExpectReplay(
      live,
      firstGroup.map((m, i) => score(m, outcome(i % 2 ? '6-4 4-6 6-4' : '6-3 6-3', i % 3 === 1 ? 2 : 1))),
    );
    const rest = scorable(live, roundRobin);
    commitAndExpectReplay(
      live,
      rest.map((m) => score(m, outcome('6-1 6-1', 1))),
    );
    expectWholeLogReplays(live, initial);
  });

  it('draws: a single-elimination draw generated with automated positioning and seeds, then added (addDrawDefinition)', () => {
    const { live, initial } = session(13);
    const eventId = addEventWithEntries(live, 'Open Singles', 12);
    const drawDefinition = deskGeneratedDraw(live, { eventId, drawSize: 16, seedsCount: 4, automated: true });
    commitAndExpectReplay(live, [addDraw(eventId, drawDefinition)]);
    const drawId = drawDefinition.drawId as string;
    commitAndExpectReplay(live, [score(scorable(live, drawId)[0], outcome('6-1 6-1', 1))]);
    expectWholeLogReplays(live, initial);
  });

  it('draws: a round-robin draw generated and added, then played', () => {
    const { live, initial } = session(14);
    const eventId = addEventWithEntries(live, 'Round Robin 12', 12);
    const drawDefinition = deskGeneratedDraw(live, {
      eventId,
      drawSize: 12,
      drawType: 'ROUND_ROBIN',
      structureOptions: { groupSize: 4 },
      automated: true,
    });
    commitAndExpectReplay(live, [addDraw(eventId, drawDefinition)]);
    const drawId = drawDefinition.drawId as string;
    commitAndExpectReplay(
      live,
      scorable(live, drawId)
        .slice(0, 5)
        .map((m) => score(m, outcome('6-2 6-2', 2))),
    );
    expectWholeLogReplays(live, initial);
  });

  it('draws: structures generated on the server (addPlayoffStructures, automatedPlayoffPositioning)', () => {
    const { live, initial } = session(15);
    const singles = eventNamed(live, 'Singles 16').drawDefinitions[0];
    const main = singles.structures[0];
    // A playoff for the first round's losers: the engine makes its structure, matchUps and ids.
    commitAndExpectReplay(live, [
      {
        method: 'addPlayoffStructures',
        params: { drawId: singles.drawId, structureId: main.structureId, roundNumbers: [1] },
      },
    ]);
    // A round robin with a playoff of group winners, positioned by the server once the groups are done.
    const eventId = addEventWithEntries(live, 'Round Robin Playoff', 8);
    const drawDefinition = deskGeneratedDraw(live, {
      eventId,
      drawSize: 8,
      drawType: 'ROUND_ROBIN_WITH_PLAYOFF',
      structureOptions: { groupSize: 4, playoffGroups: [{ finishingPositions: [1, 2], structureName: 'Gold' }] },
      automated: true,
    });
    commitAndExpectReplay(live, [addDraw(eventId, drawDefinition)]);
    const drawId = drawDefinition.drawId as string;
    commitAndExpectReplay(
      live,
      scorable(live, drawId).map((m) => score(m, outcome('6-3 6-3', 1))),
    );
    // Positions the playoff from the completed groups (it names the groups' structure, the source).
    const groups = (live.record.events as Row[])
      .find((e) => e.eventId === eventId)!
      .drawDefinitions[0].structures.find((s: Row) => s.stage === 'MAIN');
    commitAndExpectReplay(live, [
      { method: 'automatedPlayoffPositioning', params: { drawId, structureId: groups.structureId } },
    ]);
    expect(scorable(live, drawId).length).toBeGreaterThan(0);
    expectWholeLogReplays(live, initial);
  });

  it('positioning: automatedPositioning on the server places players by the seed, and replays', () => {
    const { live, initial } = session(16);
    const eventId = addEventWithEntries(live, 'Server Positioned', 20);
    // Seeding ratings, as the desk's seeding table sets them.
    const participantIds = (events(live).find((e) => e.eventId === eventId)!.entries as Row[]).map(
      (e) => e.participantId,
    );
    commitAndExpectReplay(live, [
      {
        method: 'setParticipantScaleItems',
        params: {
          scaleItemsWithParticipantIds: participantIds.map((participantId, i) => ({
            participantId,
            scaleItems: [{ scaleType: 'SEEDING', eventType: 'SINGLES', scaleName: eventId, scaleValue: i + 1 }],
          })),
        },
      },
    ]);
    const drawDefinition = deskGeneratedDraw(live, {
      eventId,
      drawSize: 32,
      seedsCount: 8,
      seedingScaleName: eventId,
      automated: false,
    });
    commitAndExpectReplay(live, [addDraw(eventId, drawDefinition)]);
    const drawId = drawDefinition.drawId as string;
    const structureId = drawDefinition.structures[0].structureId as string;
    const positioning: Directive[] = [{ method: 'automatedPositioning', params: { drawId, structureId } }];

    // The same batch under two seeds places players differently: the seed is what decides.
    const placed = (seed: number) => {
      const probe = new LiveTournament(JSON.parse(live.snapshot()) as TournamentRecord);
      probe.commit(positioning, { seed });
      return JSON.stringify(
        (probe.record.events as Row[]).find((e) => e.eventId === eventId)!.drawDefinitions[0].structures[0]
          .positionAssignments,
      );
    };
    expect(placed(1)).not.toBe(placed(2));
    expect(placed(1)).toBe(placed(1));

    commitAndExpectReplay(live, positioning);
    commitAndExpectReplay(live, [score(scorable(live, drawId)[0], outcome('6-4 6-4', 1))]);
    expectWholeLogReplays(live, initial);
  });

  it('positioning: desk-made assignments, byes and removals (setPositionAssignments, assignDrawPosition, ...)', () => {
    const { live, initial } = session(17);
    const eventId = addEventWithEntries(live, 'Desk Positioned', 7);
    const drawDefinition = deskGeneratedDraw(live, { eventId, drawSize: 8, automated: false });
    commitAndExpectReplay(live, [addDraw(eventId, drawDefinition)]);
    const drawId = drawDefinition.drawId as string;
    const structureId = drawDefinition.structures[0].structureId as string;
    // The desk runs automatedPositioning without applying it and sends the assignments.
    const { positionAssignments } = live.query<{ positionAssignments: Row[] }>('automatedPositioning', {
      applyPositioning: false,
      structureId,
      drawId,
    });
    commitAndExpectReplay(live, [
      {
        method: 'setPositionAssignments',
        params: { structurePositionAssignments: [{ structureId, positionAssignments }], structureId, drawId },
      },
    ]);
    const placed = positionAssignments.find((a) => a.participantId)!;
    commitAndExpectReplay(live, [
      { method: 'removeDrawPositionAssignment', params: { drawId, structureId, drawPosition: placed.drawPosition } },
    ]);
    commitAndExpectReplay(live, [
      {
        method: 'assignDrawPosition',
        params: { drawId, structureId, drawPosition: placed.drawPosition, participantId: placed.participantId },
      },
    ]);
    expectWholeLogReplays(live, initial);
  });

  it('scheduling: schedule items, bulk schedules, court moves, called-at and locks', () => {
    const { live, initial } = session(18);
    const { venueId, courts } = venue(live);
    const [m1, m2, m3, m4] = scorable(live);
    const slot = (courtIndex: number, courtOrder: number, scheduledTime = '') => ({
      courtId: courts[courtIndex].courtId,
      venueId,
      courtOrder,
      scheduledDate: DAYS[0],
      scheduledTime,
    });
    commitAndExpectReplay(live, [
      {
        method: 'addMatchUpScheduleItems',
        params: { matchUpId: m1.matchUpId, drawId: m1.drawId, schedule: slot(0, 1, '09:00'), removePriorValues: true },
      },
    ]);
    commitAndExpectReplay(live, [
      {
        method: 'bulkScheduleMatchUps',
        params: {
          matchUpIds: [m2.matchUpId, m3.matchUpId],
          schedule: { scheduledDate: DAYS[1], scheduledTime: '10:30' },
        },
      },
    ]);
    // A grid drop that moves m1 to another court: clear, then place.
    commitAndExpectReplay(live, [
      {
        method: 'addMatchUpScheduleItems',
        params: {
          matchUpId: m1.matchUpId,
          drawId: m1.drawId,
          schedule: { scheduledTime: '', scheduledDate: '', courtOrder: '', venueId: '', courtId: '' },
          removePriorValues: true,
        },
      },
      {
        method: 'addMatchUpScheduleItems',
        params: { matchUpId: m1.matchUpId, drawId: m1.drawId, schedule: slot(2, 3, '09:00'), removePriorValues: true },
      },
    ]);
    commitAndExpectReplay(live, [
      {
        method: 'assignMatchUpCourt',
        params: { matchUpId: m4.matchUpId, drawId: m4.drawId, courtId: courts[1].courtId, courtDayDate: DAYS[0] },
      },
      {
        method: 'addMatchUpScheduledTime',
        params: { matchUpId: m4.matchUpId, drawId: m4.drawId, scheduledTime: '14:00' },
      },
    ]);
    // Called to court (the desk stamps its own time), then started.
    commitAndExpectReplay(live, [
      {
        method: 'setMatchUpCalledAt',
        params: { matchUpId: m1.matchUpId, drawId: m1.drawId, calledAt: '2026-12-01T09:02:00.000Z' },
      },
      {
        method: 'bulkScheduleMatchUps',
        params: { matchUpIds: [m1.matchUpId], schedule: { startTime: '09:05' }, removePriorValues: true },
      },
      score(m1, { matchUpStatus: 'IN_PROGRESS' }),
    ]);
    commitAndExpectReplay(live, [
      { method: 'setMatchUpScheduleLock', params: { matchUpId: m2.matchUpId, drawId: m2.drawId, scheduleLock: true } },
    ]);
    expectWholeLogReplays(live, initial);
  });

  it('scheduling: scheduleMatchUps and scheduleProfileRounds fill the courts on the server', () => {
    const { live, initial } = session(19);
    const { venueId } = venue(live);
    const firstRound = allMatchUps(live).filter((m) => m.roundNumber === 1 && m.drawPositions?.length);
    commitAndExpectReplay(live, [
      {
        method: 'scheduleMatchUps',
        params: {
          scheduleDate: DAYS[0],
          venueIds: [venueId],
          matchUpIds: firstRound.slice(0, 6).map((m) => m.matchUpId),
          startTime: '09:00',
          endTime: '18:00',
        },
      },
    ]);
    // The scheduling profile the desk's profile view saves, then "Apply schedule".
    const rounds = (live.record.events as Row[]).flatMap((event) =>
      (event.drawDefinitions as Row[]).flatMap((draw) =>
        (draw.structures as Row[]).map((structure) => ({
          tournamentId: live.tournamentId,
          eventId: event.eventId,
          drawId: draw.drawId,
          structureId: structure.structureId,
          roundNumber: 2,
        })),
      ),
    );
    commitAndExpectReplay(live, [
      {
        method: 'setSchedulingProfile',
        params: { schedulingProfile: [{ scheduleDate: DAYS[1], venues: [{ venueId, rounds }] }] },
      },
    ]);
    const [result] = commitAndExpectReplay(live, [
      { method: 'scheduleProfileRounds', params: { scheduleDates: [DAYS[1]] } },
    ]) as Row[];
    const scheduled = Object.values((result.scheduledMatchUpIds as Record<string, string[]>) ?? {}).flat();
    expect(scheduled.length).toBeGreaterThan(0);
    expectWholeLogReplays(live, initial);
  });

  it('publishing: publishEvent, publishOrderOfPlay, publishParticipants, seeding, and their unPublish*', () => {
    const { live, initial } = session(20);
    const singles = eventNamed(live, 'Singles 16');
    const drawId = singles.drawDefinitions[0].drawId as string;
    const structureId = singles.drawDefinitions[0].structures[0].structureId as string;
    commitAndExpectReplay(live, [{ method: 'publishEvent', params: { eventId: singles.eventId } }]);
    commitAndExpectReplay(live, [
      {
        method: 'publishEvent',
        params: {
          eventId: singles.eventId,
          removePriorValues: true,
          drawDetails: { [drawId]: { structureDetails: { [structureId]: { published: true, roundLimit: 2 } } } },
        },
      },
    ]);
    commitAndExpectReplay(live, [{ method: 'publishEventSeeding', params: { eventId: singles.eventId } }]);
    commitAndExpectReplay(live, [
      { method: 'publishOrderOfPlay', params: { scheduledDates: [DAYS[1], DAYS[0]], removePriorValues: true } },
    ]);
    commitAndExpectReplay(live, [
      { method: 'publishParticipants', params: { columns: { country: true, ratings: ['WTN'] } } },
    ]);
    commitAndExpectReplay(live, [{ method: 'unPublishEventSeeding', params: { eventId: singles.eventId } }]);
    commitAndExpectReplay(live, [{ method: 'unPublishOrderOfPlay', params: { removePriorValues: true } }]);
    commitAndExpectReplay(live, [{ method: 'unPublishParticipants' }]);
    commitAndExpectReplay(live, [{ method: 'unPublishEvent', params: { eventId: singles.eventId } }]);
    commitAndExpectReplay(live, [{ method: 'publishParticipants', params: { removePriorValues: true } }]);
    expectWholeLogReplays(live, initial);
  });

  it('participants: addParticipants (desk ids and server ids), modifyParticipant, sign-in, ratings, deleteParticipants', () => {
    const { live, initial } = session(21);
    // The desk's "mock participants": made on the desk, ids included.
    const { participants } = onTheDesk(4, () => mocksEngine.generateParticipants({ participantsCount: 4 })) as {
      participants: Row[];
    };
    commitAndExpectReplay(live, [{ method: 'addParticipants', params: { participants } }]);
    // Participants without ids: the server's engine makes them.
    const person = (given: string, family: string) => ({
      participantType: 'INDIVIDUAL',
      participantRole: 'COMPETITOR',
      person: { standardGivenName: given, standardFamilyName: family, sex: 'FEMALE' },
    });
    commitAndExpectReplay(live, [
      { method: 'addParticipants', params: { participants: [person('Ada', 'Lovelace'), person('Grace', 'Hopper')] } },
    ]);
    const target = participants[0];
    commitAndExpectReplay(live, [
      {
        method: 'modifyParticipant',
        params: { participant: { participantId: target.participantId, person: { tennisId: 'T-123' } } },
      },
    ]);
    commitAndExpectReplay(live, [
      {
        method: 'modifyParticipantsSignInStatus',
        params: { signInState: 'SIGNED_IN', participantIds: participants.map((p) => p.participantId) },
      },
    ]);
    commitAndExpectReplay(live, [
      {
        method: 'setParticipantScaleItems',
        params: {
          scaleItemsWithParticipantIds: participants.map((p, i) => ({
            participantId: p.participantId,
            scaleItems: [
              { scaleType: 'RATING', eventType: 'SINGLES', scaleName: 'WTN', scaleValue: { wtnRating: 20 + i } },
            ],
          })),
        },
      },
    ]);
    // A pair made on the server from two individuals.
    commitAndExpectReplay(live, [
      {
        method: 'addParticipants',
        params: {
          participants: [
            {
              participantType: 'PAIR',
              participantRole: 'COMPETITOR',
              individualParticipantIds: [participants[2].participantId, participants[3].participantId],
            },
          ],
        },
      },
    ]);
    commitAndExpectReplay(live, [
      { method: 'deleteParticipants', params: { participantIds: [participants[1].participantId] } },
    ]);
    expectWholeLogReplays(live, initial);
  });

  it('events: addEvent (desk ids and server ids), addEventEntries, modifyEvent, removeEventEntries, deleteEvents', () => {
    const { live, initial } = session(22);
    const eventId = addEventWithEntries(live, 'Desk Event', 6, 'desk-made-event-id');
    commitAndExpectReplay(live, [
      { method: 'addEvent', params: { event: { eventName: 'Server Ids', eventType: 'SINGLES' } } },
    ]);
    const serverMade = eventNamed(live, 'Server Ids').eventId as string;
    commitAndExpectReplay(live, [
      {
        method: 'addEventEntries',
        params: {
          eventId: serverMade,
          participantIds: participantIdsNotEntered(live).slice(0, 4),
          entryStatus: 'ALTERNATE',
          entryStage: 'MAIN',
        },
      },
    ]);
    commitAndExpectReplay(live, [
      {
        method: 'modifyEvent',
        params: { eventId, eventUpdates: { eventName: 'Desk Event Renamed', gender: 'MIXED' } },
      },
    ]);
    const entered = (events(live).find((e) => e.eventId === eventId)!.entries as Row[]).map((e) => e.participantId);
    commitAndExpectReplay(live, [
      { method: 'removeEventEntries', params: { eventId, participantIds: entered.slice(0, 2) } },
    ]);
    commitAndExpectReplay(live, [{ method: 'deleteEvents', params: { eventIds: [serverMade] } }]);
    commitAndExpectReplay(live, [
      { method: 'deleteEvents', params: { eventIds: [eventNamed(live, 'Round Robin 8').eventId] } },
    ]);
    expectWholeLogReplays(live, initial);
  });

  it('venues: addVenue + addCourts (desk ids and server ids), modifyVenue, modifyCourt, availability, deletes', () => {
    const { live, initial } = session(23);
    commitAndExpectReplay(live, [
      {
        method: 'addVenue',
        params: {
          venue: {
            venueName: 'North Park',
            venueAbbreviation: 'NP',
            venueId: 'desk-venue',
            defaultStartTime: '08:00',
            defaultEndTime: '21:00',
          },
          returnDetails: true,
        },
      },
      { method: 'addCourts', params: { venueId: 'desk-venue', courtsCount: 3, courtIds: ['dc-1', 'dc-2', 'dc-3'] } },
    ]);
    commitAndExpectReplay(live, [
      {
        method: 'addVenue',
        params: { venue: { venueName: 'Server Park', venueAbbreviation: 'SP' }, returnDetails: true },
      },
    ]);
    const serverVenue = (live.record.venues as Row[]).find((v) => v.venueName === 'Server Park')!;
    commitAndExpectReplay(live, [
      {
        method: 'addCourts',
        params: {
          venueId: serverVenue.venueId,
          courtsCount: 2,
          dateAvailability: [{ startTime: '09:00', endTime: '17:00' }],
        },
      },
    ]);
    commitAndExpectReplay(live, [
      {
        method: 'modifyVenue',
        params: {
          venueId: 'desk-venue',
          modifications: { venueName: 'North Park Club', addresses: [{ city: 'Oslo', countryCode: 'NOR' }] },
        },
      },
      {
        method: 'modifyVenue',
        params: { venueId: 'desk-venue', modifications: { defaultStartTime: '07:00', defaultEndTime: '22:00' } },
      },
    ]);
    commitAndExpectReplay(live, [
      { method: 'modifyCourt', params: { courtId: 'dc-2', modifications: { courtName: 'Stadium' } } },
    ]);
    commitAndExpectReplay(live, [
      {
        method: 'modifyCourtAvailability',
        params: { courtId: 'dc-1', dateAvailability: [{ date: DAYS[1], startTime: '10:00', endTime: '16:00' }] },
      },
    ]);
    commitAndExpectReplay(live, [{ method: 'deleteCourts', params: { courtIds: ['dc-3'] } }]);
    commitAndExpectReplay(live, [{ method: 'deleteVenues', params: { venueIds: [serverVenue.venueId] } }]);
    expectWholeLogReplays(live, initial);
  });
});

describe('the replay checks are not vacuous', () => {
  beforeAll(() => installEngineState());

  it('a batch whose result depends on the seed or the clock gives another record under other inputs', () => {
    const record = startingRecord();
    const run = (seed: number, at: number) => {
      const copy = JSON.parse(JSON.stringify(record)) as TournamentRecord;
      const live = new LiveTournament(copy, { at });
      live.commit(
        [
          { method: 'addEvent', params: { event: { eventName: 'Server Ids', eventType: 'SINGLES' } } },
          { method: 'publishOrderOfPlay', params: { scheduledDates: [DAYS[0]] } },
        ],
        { seed },
      );
      return live.record;
    };
    const base = JSON.stringify(run(1, 0));
    expect(JSON.stringify(run(1, 0))).toBe(base);
    // Another seed: another eventId. Another clock: another time stamp on the publish state.
    expect(firstDifference(JSON.parse(base), run(2, 0))).toMatch(/eventId/);
    expect(firstDifference(JSON.parse(base), run(1, 3_600_000))).toMatch(/createdAt|timeStamp|[Tt]ime/);
  });
});

/** An event of 14 entries and 2 alternates whose 16-draw the desk generated unpositioned and sent whole. */
function eventWithDeskDraw(seed: number) {
  const live = new LiveTournament(startingRecord(), { seed });
  const spare = participantIdsNotEntered(live);
  live.commit([
    { method: 'addEvent', params: { event: { eventId: 'entries-event', eventName: 'Entries', eventType: 'SINGLES' } } },
    { method: 'addEventEntries', params: { eventId: 'entries-event', participantIds: spare.slice(0, 14) } },
    {
      method: 'addEventEntries',
      params: { eventId: 'entries-event', participantIds: spare.slice(14, 16), entryStatus: 'ALTERNATE' },
    },
  ]);
  const drawDefinition = deskGeneratedDraw(live, { eventId: 'entries-event', drawSize: 16, automated: false });
  live.commit([addDraw('entries-event', drawDefinition)]);
  return {
    live,
    spare,
    eventId: 'entries-event',
    drawId: drawDefinition.drawId as string,
    structureId: drawDefinition.structures[0].structureId as string,
  };
}

describe('what a replay cannot reproduce from a snapshot (engine 6.38)', () => {
  beforeAll(() => installEngineState());

  it('keys the engine sets to undefined on the live record come back in another key order: same values, other JSON text', () => {
    const { live } = session(31);
    const singles = eventNamed(live, 'Singles 16').drawDefinitions[0].drawId as string;
    const firstRound = scorable(live, singles);
    const feeders = firstRound.filter((m) => m.roundPosition === 1 || m.roundPosition === 2);
    live.commit(feeders.map((m) => score(m, outcome('6-2 6-2', 1))));
    // The engine assigned `winningSide = undefined` on the second-round matchUp: the key exists on
    // the live object (in the place it was made) but not in JSON.
    expect(jsonHazards(live.record).undefinedKeys.some((path) => path.endsWith('.winningSide'))).toBe(true);
    const snapshot = live.snapshot();
    const from = live.log.length;
    const secondRound = scorable(live, singles).find((m) => m.roundNumber === 2)!;
    live.commit([score(secondRound, outcome('6-4 6-4', 2))]);
    const replay = compareReplay(snapshot, live.log.slice(from), live.record);
    expect(replay.sameContent).toBe(true);
    expect(replay.identical).toBe(false);
    expect(replay.difference).toMatch(/same keys in another order: .*winningSide/);
  });

  it('a draw the desk adds shares its entries array with its flight on the live record', () => {
    const { live, eventId } = eventWithDeskDraw(32);
    const event = events(live).find((e) => e.eventId === eventId)!;
    expect(event.flightProfile.flights[0].drawEntries).toBe(event.drawDefinitions[0].entries);
    expect(jsonHazards(live.record).shared).toContain(
      `$.events[${events(live).indexOf(event)}].flightProfile.flights[0].drawEntries is $.events[${events(live).indexOf(event)}].drawDefinitions[0].entries`,
    );
  });

  const writesThroughSharedEntries: Array<[method: string, batch: (ids: string[], drawId: string) => Directive[]]> = [
    [
      'addDrawEntries',
      (ids, drawId) => [
        { method: 'addEventEntries', params: { eventId: 'entries-event', participantIds: [ids[20]] } },
        {
          method: 'addDrawEntries',
          params: {
            eventId: 'entries-event',
            drawId,
            participantIds: [ids[20]],
            entryStatus: 'ALTERNATE',
            ignoreStageSpace: true,
          },
        },
      ],
    ],
    [
      'setEntryPositions',
      (ids, drawId) => [
        {
          method: 'setEntryPositions',
          params: { eventId: 'entries-event', drawId, entryPositions: [{ participantId: ids[0], entryPosition: 5 }] },
        },
      ],
    ],
    [
      'setEntryPosition',
      (ids, drawId) => [
        {
          method: 'setEntryPosition',
          params: { eventId: 'entries-event', drawId, participantId: ids[0], entryPosition: 7 },
        },
      ],
    ],
  ];

  it.each(writesThroughSharedEntries)(
    '%s after a snapshot changes the flight entries on the live record only: it is listed as non-replayable',
    (method, batch) => {
      const { live, spare, drawId } = eventWithDeskDraw(33);
      const snapshot = live.snapshot();
      const from = live.log.length;
      live.commit(batch(spare, drawId));
      const replay = compareReplay(snapshot, live.log.slice(from), live.record);
      expect(replay.sameContent, 'replay differs (if the engine stopped sharing the array, unlist the method)').toBe(
        false,
      );
      expect(replay.difference).toMatch(/flightProfile\.flights\[0\]\.drawEntries/);
      expect(NON_REPLAYABLE_METHODS.has(method)).toBe(true);
    },
  );

  it('the entry changes the desk sends that do not write through the shared array replay exactly', () => {
    type Draw = ReturnType<typeof eventWithDeskDraw>;
    const batches: Array<(draw: Draw) => Directive> = [
      ({ eventId, drawId, spare }) => ({
        method: 'removeDrawEntries',
        params: { eventId, drawId, participantIds: [spare[3]] },
      }),
      ({ eventId, drawId, spare }) => ({
        method: 'modifyEntriesStatus',
        params: {
          autoEntryPositions: true,
          participantIds: [spare[1]],
          entryStatus: 'WILDCARD',
          entryStage: 'MAIN',
          eventId,
          drawId,
        },
      }),
      ({ eventId, drawId, spare }) => ({
        method: 'modifyEntriesStatus',
        params: { participantIds: [spare[4]], entryStatus: 'WITHDRAWN', eventId, drawId },
      }),
      ({ eventId, drawId, spare }) => ({
        method: 'promoteAlternate',
        params: { eventId, drawId, participantId: spare[14] },
      }),
      ({ eventId, spare }) => ({ method: 'removeEventEntries', params: { eventId, participantIds: [spare[15]] } }),
      ({ drawId, structureId }) => ({ method: 'automatedPositioning', params: { drawId, structureId } }),
      ({ eventId, drawId }) => ({ method: 'deleteFlightAndFlightDraw', params: { eventId, drawId } }),
    ];
    batches.forEach((batch, i) => {
      const draw = eventWithDeskDraw(34 + i);
      commitAndExpectReplay(draw.live, [batch(draw)]);
    });
  });

  it('lists exactly the methods found non-replayable here', () => {
    expect([...NON_REPLAYABLE_METHODS].sort()).toEqual(['addDrawEntries', 'setEntryPosition', 'setEntryPositions']);
  });
});

/** One kind of desk batch for the randomised run: its directives, or undefined when it does not apply now. */
type BatchMaker = (live: LiveTournament, choose: Chooser) => Directive[] | undefined;

const SCORE_STRINGS = ['6-3 6-4', '6-1 6-2', '7-5 6-7(4) 6-3', '6-4 3-6 7-6(5)', '7-6(2) 6-0', '6-2 4-6 6-1'];

const randomScore: BatchMaker = (live, choose) => {
  const open = scorable(live);
  if (!open.length) return undefined;
  const matchUp = choose.pick(open);
  const winningSide = choose.pick([1, 2] as const);
  const roll = choose.next();
  if (roll < 0.1) return [score(matchUp, { matchUpStatus: 'IN_PROGRESS' })];
  if (roll < 0.17) return [score(matchUp, { matchUpStatus: 'WALKOVER', winningSide })];
  if (roll < 0.22) return [score(matchUp, outcome('6-2 3-1', winningSide, 'RETIRED'))];
  return [score(matchUp, outcome(choose.pick(SCORE_STRINGS), winningSide))];
};

const scoreCorrection: BatchMaker = (live, choose) => {
  const done = allMatchUps(live).filter((m) => m.winningSide && m.matchUpStatus === 'COMPLETED');
  if (!done.length) return undefined;
  const matchUp = choose.pick(done);
  return [score(matchUp, outcome(choose.pick(SCORE_STRINGS), matchUp.winningSide), { allowChangePropagation: true })];
};

const scheduleChange: BatchMaker = (live, choose) => {
  const candidates = allMatchUps(live).filter((m) => !m.winningSide && m.matchUpStatus !== 'IN_PROGRESS');
  if (!candidates.length) return undefined;
  const venues = (live.record.venues as Row[]).filter((v) => v.courts?.length);
  const matchUp = choose.pick(candidates);
  const roll = choose.next();
  if (roll < 0.15 || !venues.length) {
    return [
      {
        method: 'addMatchUpScheduleItems',
        params: {
          matchUpId: matchUp.matchUpId,
          drawId: matchUp.drawId,
          schedule: { scheduledTime: '', scheduledDate: '', courtOrder: '', venueId: '', courtId: '' },
          removePriorValues: true,
        },
      },
    ];
  }
  const place = choose.pick(venues);
  const court = choose.pick(place.courts as Row[]);
  if (roll < 0.7) {
    return [
      {
        method: 'addMatchUpScheduleItems',
        params: {
          matchUpId: matchUp.matchUpId,
          drawId: matchUp.drawId,
          schedule: {
            venueId: place.venueId,
            courtId: court.courtId,
            courtOrder: 1 + choose.int(8),
            scheduledDate: choose.pick(DAYS),
            scheduledTime: `${String(8 + choose.int(10)).padStart(2, '0')}:${choose.pick(['00', '30'])}`,
          },
          removePriorValues: true,
        },
      },
    ];
  }
  if (roll < 0.85) {
    const some = candidates.filter(() => choose.chance(0.2)).slice(0, 6);
    return [
      {
        method: 'bulkScheduleMatchUps',
        params: {
          matchUpIds: (some.length ? some : [matchUp]).map((m) => m.matchUpId),
          schedule: { scheduledDate: choose.pick(DAYS), scheduledTime: choose.pick(['09:00', '12:30', '16:00']) },
        },
      },
    ];
  }
  if (roll < 0.93) {
    return [
      {
        method: 'setMatchUpCalledAt',
        params: {
          matchUpId: matchUp.matchUpId,
          drawId: matchUp.drawId,
          calledAt: `${choose.pick(DAYS)}T1${choose.int(10)}:00:00.000Z`,
        },
      },
    ];
  }
  return [
    {
      method: 'scheduleMatchUps',
      params: {
        scheduleDate: choose.pick(DAYS),
        venueIds: [place.venueId],
        matchUpIds: candidates
          .filter(() => choose.chance(0.3))
          .slice(0, 8)
          .map((m) => m.matchUpId),
        startTime: '09:00',
        endTime: '19:00',
      },
    },
  ];
};

const participantEdit: BatchMaker = (live, choose) => {
  const individuals = ((live.record.participants as Row[]) ?? []).filter((p) => p.participantType === 'INDIVIDUAL');
  const target = choose.pick(individuals);
  const roll = choose.next();
  if (roll < 0.35) {
    return [
      {
        method: 'modifyParticipant',
        params: { participant: { participantId: target.participantId, person: { tennisId: `T${choose.int(1e6)}` } } },
      },
    ];
  }
  if (roll < 0.55) {
    return [
      {
        method: 'modifyParticipantsSignInStatus',
        params: {
          signInState: choose.pick(['SIGNED_IN', 'SIGNED_OUT']),
          participantIds: individuals
            .filter(() => choose.chance(0.1))
            .map((p) => p.participantId)
            .concat(target.participantId),
        },
      },
    ];
  }
  if (roll < 0.7) {
    return [
      {
        method: 'setParticipantScaleItems',
        params: {
          scaleItemsWithParticipantIds: [
            {
              participantId: target.participantId,
              scaleItems: [
                {
                  scaleType: 'RATING',
                  eventType: 'SINGLES',
                  scaleName: 'WTN',
                  scaleValue: { wtnRating: 10 + choose.int(30) },
                },
              ],
            },
          ],
        },
      },
    ];
  }
  if (roll < 0.9) {
    const count = 1 + choose.int(3);
    return [
      {
        method: 'addParticipants',
        params: {
          participants: Array.from({ length: count }, (_, i) => ({
            participantType: 'INDIVIDUAL',
            participantRole: 'COMPETITOR',
            person: {
              standardGivenName: `Given${choose.int(1000)}`,
              standardFamilyName: `Family${i}`,
              sex: choose.pick(['MALE', 'FEMALE']),
            },
          })),
        },
      },
    ];
  }
  const spare = participantIdsNotEntered(live);
  if (!spare.length) return undefined;
  return [{ method: 'deleteParticipants', params: { participantIds: [choose.pick(spare)] } }];
};

const publishToggle: BatchMaker = (live, choose) => {
  const event = choose.pick(events(live));
  return [
    choose.pick([
      { method: 'publishEvent', params: { eventId: event.eventId } },
      { method: 'unPublishEvent', params: { eventId: event.eventId } },
      { method: 'publishEventSeeding', params: { eventId: event.eventId } },
      {
        method: 'publishOrderOfPlay',
        params: { scheduledDates: DAYS.filter(() => choose.chance(0.5)), removePriorValues: true },
      },
      { method: 'unPublishOrderOfPlay', params: { removePriorValues: true } },
      { method: 'publishParticipants', params: { removePriorValues: true } },
      { method: 'unPublishParticipants', params: {} },
    ]),
  ];
};

const venueEdit: BatchMaker = (live, choose) => {
  const place = choose.pick(live.record.venues as Row[]);
  const roll = choose.next();
  if (roll < 0.3)
    return [
      {
        method: 'modifyVenue',
        params: { venueId: place.venueId, modifications: { venueName: `Venue ${choose.int(100)}` } },
      },
    ];
  if (roll < 0.45) {
    return [
      {
        method: 'modifyVenue',
        params: {
          venueId: place.venueId,
          modifications: { defaultStartTime: '07:30', defaultEndTime: choose.pick(['20:00', '22:00']) },
        },
      },
    ];
  }
  if (roll < 0.7 && place.courts?.length) {
    const court = choose.pick(place.courts as Row[]);
    return [
      {
        method: 'modifyCourt',
        params: { courtId: court.courtId, modifications: { courtName: `Court ${choose.int(100)}` } },
      },
    ];
  }
  if (roll < 0.85 && place.courts?.length) {
    const court = choose.pick(place.courts as Row[]);
    return [
      {
        method: 'modifyCourtAvailability',
        params: {
          courtId: court.courtId,
          dateAvailability: [{ date: choose.pick(DAYS), startTime: '09:00', endTime: choose.pick(['17:00', '19:00']) }],
        },
      },
    ];
  }
  if (roll < 0.95) return [{ method: 'addCourts', params: { venueId: place.venueId, courtsCount: 1 } }];
  return [
    { method: 'addVenue', params: { venue: { venueName: `Annex ${choose.int(100)}`, venueAbbreviation: 'ANX' } } },
  ];
};

const eventEdit: BatchMaker = (live, choose) => {
  const event = choose.pick(events(live));
  return [
    {
      method: 'modifyEvent',
      params: {
        eventId: event.eventId,
        eventUpdates: { eventName: `${String(event.eventName).split(' #')[0]} #${choose.int(100)}` },
      },
    },
  ];
};

/** A small event: entries first (one batch), then a draw the desk generates, or one the server positions. */
const smallEventWithDraw: BatchMaker = (live, choose) => {
  const spare = participantIdsNotEntered(live);
  if (spare.length < 4) return undefined;
  const size = Math.min(spare.length, 4 + choose.int(5));
  const eventId = `event-${live.version + 1}`;
  return [
    {
      method: 'addEvent',
      params: { event: { eventId, eventName: `Side Event ${live.version + 1}`, eventType: 'SINGLES' } },
    },
    {
      method: 'addEventEntries',
      params: { eventId, participantIds: spare.slice(0, size), entryStatus: 'DIRECT_ACCEPTANCE', entryStage: 'MAIN' },
    },
  ];
};

const drawForEventWithout: BatchMaker = (live, choose) => {
  const waiting = events(live).filter((e) => !e.drawDefinitions?.length && (e.entries as Row[] | undefined)?.length);
  if (!waiting.length) return undefined;
  const event = choose.pick(waiting);
  const entries = (event.entries as Row[]).length;
  const roundRobin = entries >= 6 && choose.chance(0.4);
  const serverPositioned = !roundRobin && choose.chance(0.5);
  const drawDefinition = deskGeneratedDraw(live, {
    eventId: event.eventId,
    drawSize: roundRobin ? entries : 2 ** Math.ceil(Math.log2(entries)),
    ...(roundRobin ? { drawType: 'ROUND_ROBIN', structureOptions: { groupSize: 3 } } : {}),
    automated: !serverPositioned,
  });
  const methods = [addDraw(event.eventId, drawDefinition)];
  if (serverPositioned) {
    methods.push({
      method: 'automatedPositioning',
      params: { drawId: drawDefinition.drawId, structureId: drawDefinition.structures[0].structureId },
    });
  }
  return methods;
};

/** Entry changes that replay exactly: a spare player entered as an alternate, or an alternate withdrawn. */
const entryChange: BatchMaker = (live, choose) => {
  const event = choose.pick(events(live));
  const alternates = ((event.entries as Row[]) ?? []).filter((e) => e.entryStatus === 'ALTERNATE');
  if (alternates.length && choose.chance(0.5)) {
    return [
      {
        method: 'removeEventEntries',
        params: { eventId: event.eventId, participantIds: [choose.pick(alternates).participantId] },
      },
    ];
  }
  const spare = participantIdsNotEntered(live);
  if (!spare.length) return undefined;
  return [
    {
      method: 'addEventEntries',
      params: { eventId: event.eventId, participantIds: [choose.pick(spare)], entryStatus: 'ALTERNATE' },
    },
  ];
};

const MAKERS: Array<[weight: number, name: string, make: BatchMaker]> = [
  [32, 'score', randomScore],
  [4, 'score correction', scoreCorrection],
  [20, 'schedule', scheduleChange],
  [12, 'participant', participantEdit],
  [10, 'publish', publishToggle],
  [8, 'venue', venueEdit],
  [4, 'event', eventEdit],
  [3, 'new event', smallEventWithDraw],
  [4, 'draw', drawForEventWithout],
  [3, 'entries', entryChange],
];

function chooseBatch(live: LiveTournament, choose: Chooser): { kind: string; methods: Directive[] } {
  const total = MAKERS.reduce((sum, [weight]) => sum + weight, 0);
  for (;;) {
    let roll = choose.int(total);
    const [, kind, make] = MAKERS.find(([weight]) => (roll -= weight) < 0)!;
    const methods = make(live, choose);
    if (methods) return { kind, methods };
  }
}

describe('a randomised session of 300 batches', () => {
  beforeAll(() => installEngineState());

  const SEED = Number(process.env.REPLAY_TEST_SEED ?? 20_261_203);
  const BATCHES = 300;

  it(`replays from each of 10 random snapshots to the final live record (choice seed ${SEED})`, () => {
    console.info(
      `randomised replay: choice seed ${SEED} (reproduce with REPLAY_TEST_SEED=${SEED} pnpm vitest run test/engine)`,
    );
    const choose = seededChooser(SEED);
    const live = new LiveTournament(startingRecord(), { seed: choose.uint32() });
    const snapshotAt = new Set<number>([0]);
    while (snapshotAt.size < 10) snapshotAt.add(1 + choose.int(BATCHES - 1));
    const snapshots: Array<{ version: number; json: string }> = [];
    const committed: Record<string, number> = {};
    const refused: string[] = [];

    for (let batch = 0; batch < BATCHES; batch++) {
      const before = live.snapshot();
      if (snapshotAt.has(batch)) snapshots.push({ version: live.version, json: before });
      const { kind, methods } = chooseBatch(live, choose);
      expect(methods.some((m) => NON_REPLAYABLE_METHODS.has(m.method))).toBe(false);
      const outcome = live.tryCommit(methods);
      if (outcome.success) committed[kind] = (committed[kind] ?? 0) + 1;
      else {
        // As the executor does with a failed batch: the half-changed record is dropped and read again.
        refused.push(`${kind}: ${outcome.error.code}`);
        live.record = JSON.parse(before) as TournamentRecord;
      }
    }
    console.info(`committed ${live.version} of ${BATCHES} batches:`, committed, refused.length ? { refused } : '');
    expect(live.version).toBeGreaterThan(BATCHES * 0.8);
    expect(Object.keys(committed).length).toBe(MAKERS.length);

    const results = snapshots.map(({ version, json }) => ({
      version,
      ...compareReplay(json, live.log.slice(version), live.record),
    }));
    for (const { version, identical, sameContent, difference } of results) {
      const verdict = identical
        ? 'identical JSON'
        : sameContent
          ? `same values, key order differs at ${difference}`
          : `DIFFERENT: ${difference}`;
      console.info(`from the snapshot at version ${version} (${live.version - version} entries): ${verdict}`);
    }
    for (const { version, sameContent, difference } of results) {
      expect(sameContent, `choice seed ${SEED}, replay from version ${version}: ${difference}`).toBe(true);
    }
    // About 15 s on an idle 2-core machine; the margin is for one shared with other suites.
  }, 120_000);
});
