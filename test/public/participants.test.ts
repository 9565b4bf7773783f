import { mocksEngine } from 'tods-competition-factory';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TournamentRecord } from '../../src/storage/storage.types';
import { seedAccount, type TestAccount } from '../support/accounts';
import { BACKENDS, startTestApp, type TestApp } from '../support/app';
import { testProvider } from '../support/records';
import { mutate, publicPost, publishEvent, publishParticipants, save, scoreDirective } from './helpers';

type Participant = {
  participantId: string;
  participantType: string;
  participantRole?: string;
  individualParticipantIds?: string[];
  person?: Record<string, unknown>;
  timeItems?: unknown[];
};
type Event = {
  eventId: string;
  eventName: string;
  eventType: string;
  entries: Array<{ participantId: string }>;
  drawDefinitions: Array<{ drawId: string; structures: Array<{ matchUps: any[] }> }>;
};

/** Singles (published), doubles (published) and a second singles event that stays unpublished; WTN ratings. */
function tournament(provider: ReturnType<typeof testProvider>) {
  const { tournamentRecord } = mocksEngine.generateTournamentRecord({
    drawProfiles: [
      { drawSize: 8, eventName: 'Open Singles' },
      { drawSize: 4, eventType: 'DOUBLES', eventName: 'Open Doubles', uniqueParticipants: true },
      { drawSize: 8, eventName: 'Secret Singles', uniqueParticipants: true },
    ],
    participantsProfile: { scaledParticipantsCount: 100, category: { ratingType: 'WTN' } },
    tournamentName: 'Roster Open',
    startDate: '2026-12-01',
    endDate: '2026-12-07',
  }) as { tournamentRecord: TournamentRecord };
  const record = tournamentRecord;
  record.parentOrganisation = { ...provider };
  const [singles, doubles, secret] = record.events as Event[];
  const participants = record.participants as Participant[];
  const ranked = participants.find((p) => p.participantId === singles.entries[0].participantId)!;
  ranked.timeItems = [
    ...(ranked.timeItems ?? []),
    { itemType: 'SCALE.RANKING.SINGLES.NATIONAL', itemValue: 7, createdAt: '2026-11-01T00:00:00Z' },
  ];
  ranked.person = {
    ...ranked.person,
    birthDate: '2001-02-03',
    contacts: [{ emailAddress: 'ranked@private.example' }],
    addresses: [{ addressLine1: '1 Private Lane', city: 'Hidden City' }],
  };
  participants.push({
    participantId: 'official-1',
    participantType: 'INDIVIDUAL',
    participantRole: 'OFFICIAL',
    person: { standardFamilyName: 'Umpire', standardGivenName: 'Olga' },
  });
  return { record, tournamentId: record.tournamentId as string, singles, doubles, secret, ranked };
}

describe.each(BACKENDS)('participants and competitiveness for the public site (%s)', (backend) => {
  const provider = testProvider();
  let t: TestApp;
  let desk: TestAccount;
  let f: ReturnType<typeof tournament>;

  beforeAll(async () => {
    t = await startTestApp(backend);
    desk = await seedAccount(t, { provider });
    f = tournament(provider);
    await save(t, desk, f.record);
    await mutate(t, desk, f.tournamentId, [
      publishEvent(f.singles.eventId),
      publishEvent(f.doubles.eventId),
      publishParticipants(),
    ]);
  });
  afterAll(() => t?.close());

  /** Exactly what courthive-public sends (tabDisplay.ts → tournamentsApi.getParticipants). */
  const asTheSiteSends = () => publicPost(t, '/factory/participants', { params: { tournamentId: f.tournamentId } });

  it('gives each participant its published events, ratings and rankings where the players table reads them', async () => {
    const res = await asTheSiteSends().expect(200);
    expect(res.body.success).toBe(true);
    const participants: any[] = res.body.participants;
    const byId = new Map(participants.map((p) => [p.participantId, p]));

    // Events column: `events[].eventId/eventName/eventType`, published events only.
    for (const entry of f.singles.entries) {
      expect(byId.get(entry.participantId).events).toEqual([
        { eventId: f.singles.eventId, eventName: 'Open Singles', eventType: 'SINGLES' },
      ]);
    }
    // The individuals of a doubles pair carry the doubles event (the table lists individuals only).
    const pair = (f.record.participants as Participant[]).find(
      (p) => p.participantId === f.doubles.entries[0].participantId,
    )!;
    for (const individualId of pair.individualParticipantIds!) {
      expect(byId.get(individualId).events).toEqual([
        { eventId: f.doubles.eventId, eventName: 'Open Doubles', eventType: 'DOUBLES' },
      ]);
    }
    // Entered only in the unpublished event: listed (participants are published) but with no event.
    expect(byId.get(f.secret.entries[0].participantId).events).toEqual([]);
    expect(JSON.stringify(res.body)).not.toContain(f.secret.eventId);
    expect(JSON.stringify(res.body)).not.toContain('Secret Singles');

    // Ratings: `ratings.SINGLES[] { scaleName, scaleValue }`; ranking: `rankings.SINGLES[0].scaleValue`.
    const rated = participants.filter((p) => p.participantType === 'INDIVIDUAL' && p.ratings?.SINGLES?.length);
    expect(rated.length).toBeGreaterThan(0);
    for (const p of rated) {
      for (const item of p.ratings.SINGLES) {
        expect(item.scaleName).toBe('WTN');
        expect(typeof item.scaleValue.wtnRating).toBe('number');
      }
    }
    expect(byId.get(f.ranked.participantId).rankings.SINGLES[0]).toMatchObject({
      scaleName: 'NATIONAL',
      scaleValue: 7,
    });

    // Names and nationality, never contacts, addresses, birth dates or officials.
    const ranked = byId.get(f.ranked.participantId);
    expect(ranked.participantName).toBeTruthy();
    expect(ranked.person.standardFamilyName).toBeTruthy();
    const text = JSON.stringify(res.body);
    for (const secret of ['private.example', 'Private Lane', 'Hidden City', '2001-02-03', 'Umpire', 'official-1']) {
      expect(text).not.toContain(secret);
    }
  });

  it('passes filters through (narrowing only), within bounds, and answers each filter on its own', async () => {
    const one = f.singles.entries[0].participantId;
    const filtered = await publicPost(t, '/factory/participants', {
      params: { tournamentId: f.tournamentId, participantFilters: { participantIds: [one] } },
    }).expect(200);
    expect(filtered.body.participants.map((p: { participantId: string }) => p.participantId)).toEqual([one]);

    const individuals = await publicPost(t, '/factory/participants', {
      params: { tournamentId: f.tournamentId, participantFilters: { participantTypes: ['PAIR'] } },
    }).expect(200);
    expect(individuals.body.participants.length).toBeGreaterThan(0);
    expect(individuals.body.participants.every((p: Participant) => p.participantType === 'PAIR')).toBe(true);

    // Asking for officials still gets competitors only.
    const officials = await publicPost(t, '/factory/participants', {
      params: { tournamentId: f.tournamentId, participantFilters: { participantRoles: ['OFFICIAL'] } },
    }).expect(200);
    expect(JSON.stringify(officials.body)).not.toContain('official-1');

    const noEvents = await publicPost(t, '/factory/participants', {
      params: { tournamentId: f.tournamentId, withEvents: false },
    }).expect(200);
    expect(noEvents.body.participants.length).toBeGreaterThan(0);
    expect(noEvents.body.participants.some((p: { events?: unknown }) => p.events)).toBe(false);

    // Different params are different cache entries: the plain request still answers in full.
    const plain = await asTheSiteSends().expect(200);
    expect(plain.body.participants.length).toBeGreaterThan(filtered.body.participants.length);

    const huge = { participantIds: Array.from({ length: 400 }, (_, i) => `participant-${i}-xxxxxxxx`) };
    const tooLarge = await publicPost(t, '/factory/participants', {
      params: { tournamentId: f.tournamentId, participantFilters: huge },
    });
    expect(tooLarge.status).toBe(400);
    expect(tooLarge.body.error.code).toBe('ERR_INVALID_INPUT');
    const wrongType = await publicPost(t, '/factory/participants', {
      params: { tournamentId: f.tournamentId, withEvents: 'yes' },
    });
    expect(wrongType.status).toBe(400);
  });

  it('event data carries each scored matchUp’s competitiveness where the rounds table reads it', async () => {
    const draw = f.singles.drawDefinitions[0];
    const matchUp = draw.structures[0].matchUps.find((m: { roundNumber: number }) => m.roundNumber === 1);
    await mutate(t, desk, f.tournamentId, [
      scoreDirective({ matchUpId: matchUp.matchUpId, drawId: draw.drawId }, '6-0 6-1'),
    ]);
    // Exactly what the site sends (tournamentsApi.getEventData).
    const res = await publicPost(t, '/factory/eventdata', {
      tournamentId: f.tournamentId,
      eventId: f.singles.eventId,
      hydrateParticipants: false,
    }).expect(200);
    const roundOne: any[] = res.body.eventData.drawsData[0].structures[0].roundMatchUps['1'];
    const scored = roundOne.find((m) => m.matchUpId === matchUp.matchUpId);
    expect(scored.score.scoreStringSide1).toBe('6-0 6-1');
    expect(scored.competitiveProfile).toMatchObject({ competitiveness: 'DECISIVE', pctSpread: expect.any(Number) });
    expect(['COMPETITIVE', 'ROUTINE', 'DECISIVE']).toContain(scored.competitiveProfile.competitiveness);
  });
});
