import { describe, expect, it } from 'vitest';
import { runDirectives } from '../../src/engine/run-directives';
import {
  eventDataAnswer,
  participantsAnswer,
  scheduleAnswer,
  tournamentInfoAnswer,
} from '../../src/public/public-queries';
import { publicView } from '../../src/public/public-view';
import { publishInfoOf } from '../../src/public/publish-state';
import { testProvider } from '../support/records';
import {
  firstRoundMatchUps,
  publicTournament,
  publishEvent,
  publishOrderOfPlay,
  publishParticipants,
  scheduleOn,
  scoreDirective,
} from './helpers';

function publishedRecord() {
  const f = publicTournament(testProvider());
  const [e1, e2] = f.eventIds;
  const matchUps = [...firstRoundMatchUps(f.record, e1), ...firstRoundMatchUps(f.record, e2)];
  const outcome = runDirectives({ [f.tournamentId]: f.record }, [
    scheduleOn(matchUps.map((m) => m.matchUpId)),
    scoreDirective(matchUps[0]),
    publishEvent(e1),
    publishOrderOfPlay(),
    publishParticipants(),
  ]);
  expect(outcome.success).toBe(true);
  return f;
}

describe('public answers computed from a committed record', () => {
  it('never change the record they read (it may be the executor hot copy)', () => {
    const f = publishedRecord();
    const before = JSON.stringify(f.record);
    const publish = publishInfoOf(f.record);
    tournamentInfoAnswer(f.record, publish, { withMatchUpStats: true, withVenueData: true });
    eventDataAnswer(f.record, publish, { eventId: f.eventIds[0], hydrateParticipants: true });
    scheduleAnswer(f.record, publish, {
      hydrateParticipants: true,
      courtCompletedMatchUps: true,
      courtByeMatchUps: true,
      nextMatchUps: true,
      withCourtGridRows: true,
      minCourtGridRows: 10,
      sortDateMatchUps: true,
      sortCourtsData: true,
      contextFilters: {},
      matchUpFilters: { scheduledDate: '2026-12-02' },
    });
    participantsAnswer(f.record, publish, {
      participantFilters: { participantTypes: ['INDIVIDUAL'] },
      contextFilters: {},
      matchUpFilters: {},
      withEvents: true,
      withScaleValues: true,
      withIndividualParticipants: true,
      withISO2: true,
      withIOC: true,
    });
    expect(JSON.stringify(f.record)).toBe(before);
  });

  it('builds the public view from published events and visible draws only', () => {
    const f = publishedRecord();
    const publish = publishInfoOf(f.record);
    expect(publish).toMatchObject({
      tournamentPublished: true,
      eventIds: [f.eventIds[0]],
      orderOfPlay: true,
      participants: true,
    });
    const view = publicView(f.record, publish, f.eventIds);
    expect((view.events as Array<{ eventId: string }>).map((e) => e.eventId)).toEqual([f.eventIds[0]]);
    expect((view.participants as unknown[]).length).toBe(8);
    expect((f.record.events as unknown[]).length).toBe(2);
    expect((f.record.participants as unknown[]).length).toBe(16);
  });

  it('counts embargoes: lifted ones, and when the next one lifts', () => {
    const f = publicTournament(testProvider());
    const soon = new Date(Date.now() + 60_000).toISOString();
    const past = new Date(Date.now() - 60_000).toISOString();
    const outcome = runDirectives({ [f.tournamentId]: f.record }, [
      {
        method: 'publishEvent',
        params: {
          eventId: f.eventIds[0],
          drawDetails: { [f.drawIds[0]]: { publishingDetail: { published: true, embargo: soon } } },
        },
      },
      { method: 'publishOrderOfPlay', params: { embargo: past } },
    ]);
    expect(outcome.success).toBe(true);
    const publish = publishInfoOf(f.record);
    expect(publish.embargoes).toEqual({ passed: 1, next: Date.parse(soon) });
    expect(publish.visibleDrawIds).toEqual({ [f.eventIds[0]]: [] });
    expect(publish.orderOfPlay).toBe(true);
    expect(publishInfoOf(f.record, Date.parse(soon) + 1).visibleDrawIds).toEqual({ [f.eventIds[0]]: [f.drawIds[0]] });
  });
});
