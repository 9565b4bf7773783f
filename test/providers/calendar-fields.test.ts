import { randomUUID } from 'node:crypto';
import { mocksEngine } from 'tods-competition-factory';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { calendarEntry } from '../../src/providers/calendar-entry';
import type { TournamentRecord } from '../../src/storage/storage.types';
import { BACKENDS, type TestApp } from '../support/app';
import { storeCalendarEntry } from '../support/storage';
import { addProvider, post, startAccountsApp } from '../auth/helpers';

/** A record with everything TMX's tournament cards read, next to staff-only and participant data. */
function cardRecord(providerId: string): TournamentRecord {
  return {
    tournamentId: randomUUID(),
    tournamentName: 'Card Open',
    startDate: '2026-06-01',
    endDate: '2026-06-07',
    tournamentStatus: 'COMPLETED',
    localTimeZone: 'Europe/Zagreb',
    updatedAt: '2026-05-20T10:00:00.000Z',
    tournamentTier: { system: 'ITF', value: 'J500', numericRank: 3, internalNote: 'tier staff note' },
    registrationProfile: {
      entriesOpen: '2026-04-01T00:00:00Z',
      entriesClose: '2026-05-25T00:00:00Z',
      entryFees: [{ amount: 40, currencyCode: 'EUR', eventType: 'SINGLES' }, { amount: 'free' }],
      entryMethod: 'ONLINE',
      entryUrl: 'https://enter.example.org',
      staffNotes: 'registration staff note',
    },
    venues: [
      {
        venueId: 'v1',
        venueName: 'Centre Courts',
        venueAbbreviation: 'CC',
        isPrimary: true,
        addresses: [{ addressLine1: '7 Gate Street', city: 'Split', state: 'Dalmatia', countryCode: 'HRV' }],
        contacts: [{ emailAddress: 'venue-manager@private.example' }],
        courts: [{ courtId: 'c1', courtName: 'Court 1', notes: 'court staff note' }],
        notes: 'venue staff note',
      },
    ],
    onlineResources: [
      {
        name: 'tournamentImage',
        resourceType: 'URL',
        resourceSubType: 'IMAGE',
        identifier: 'https://img.example.org/card.png',
      },
      { name: 'court', resourceType: 'OTHER', resourceSubType: 'COURT_SVG', identifier: 'tennis' },
    ],
    timeItems: [
      { itemType: 'TMX', itemValue: { offline: { email: 'desk-user@private.example' } } },
      { itemType: 'PUBLISH.STATUS', itemValue: { secretDraft: 'unpublished plan' } },
    ],
    parentOrganisation: {
      organisationId: providerId,
      organisationName: 'x',
      contacts: [{ email: 'owner@private.example' }],
    },
    tournamentContacts: [{ emailAddress: 'director@private.example' }],
    participants: [{ participantId: 'p1', participantName: 'Secret Player' }],
    events: [{ eventId: 'e1', eventName: 'Unpublished Event' }],
    notes: 'tournament staff note',
  };
}

const PRIVATE = [
  'private.example',
  'staff note',
  'Secret Player',
  'Unpublished',
  'unpublished plan',
  '7 Gate Street',
  'Court 1',
];

/** The fields TMX's cards (courthive-components mapTournamentToCardData) and courthive-public's calendar read. */
function expectCardFields(tournament: Record<string, any>) {
  expect(tournament).toMatchObject({
    tournamentName: 'Card Open',
    startDate: '2026-06-01',
    endDate: '2026-06-07',
    tournamentStatus: 'COMPLETED',
    localTimeZone: 'Europe/Zagreb',
    updatedAt: '2026-05-20T10:00:00.000Z',
    tournamentImageURL: 'https://img.example.org/card.png',
  });
  expect(tournament.tournamentTier).toEqual({ system: 'ITF', value: 'J500', numericRank: 3 });
  expect(tournament.registrationProfile).toEqual({
    entriesOpen: '2026-04-01T00:00:00Z',
    entriesClose: '2026-05-25T00:00:00Z',
    entryFees: [{ amount: 40, currencyCode: 'EUR', eventType: 'SINGLES' }],
    entryMethod: 'ONLINE',
    entryUrl: 'https://enter.example.org',
  });
  expect(tournament.venues).toEqual([
    {
      venueId: 'v1',
      venueName: 'Centre Courts',
      venueAbbreviation: 'CC',
      isPrimary: true,
      addresses: [{ city: 'Split', state: 'Dalmatia', countryCode: 'HRV' }],
    },
  ]);
  expect(tournament.timeItemValues).toEqual({ TMX: { offline: true } });
  expect(tournament.onlineResources).toEqual([
    {
      name: 'tournamentImage',
      resourceType: 'URL',
      resourceSubType: 'IMAGE',
      identifier: 'https://img.example.org/card.png',
    },
    { name: 'court', resourceType: 'OTHER', resourceSubType: 'COURT_SVG', identifier: 'tennis' },
  ]);
  const text = JSON.stringify(tournament);
  for (const secret of PRIVATE) expect(text).not.toContain(secret);
  for (const field of ['participants', 'events', 'tournamentContacts', 'notes', 'parentOrganisation', 'timeItems']) {
    expect(tournament).not.toHaveProperty(field);
  }
}

describe('calendar entry: the public tournament info cards read', () => {
  it('carries tier, registration, venues, status, zone, offline flag and updatedAt, and nothing private', () => {
    const entry = calendarEntry(cardRecord('P1'), 'P1');
    expectCardFields(entry.tournament);
    expect(entry.searchText).toContain('j500');
  });

  it('keeps a text tier, drops a malformed one', () => {
    const record = cardRecord('P1');
    expect(calendarEntry({ ...record, tournamentTier: 'GOLD' }, 'P1').tournament.tournamentTier).toBe('GOLD');
    expect(calendarEntry({ ...record, tournamentTier: { value: 3 } }, 'P1').tournament).not.toHaveProperty(
      'tournamentTier',
    );
  });

  it('stays well under a millisecond for a medium tournament (4 events of 64)', () => {
    const { tournamentRecord } = mocksEngine.generateTournamentRecord({
      drawProfiles: [64, 64, 64, 64].map((drawSize, i) => ({ drawSize, uniqueParticipants: i > 0 })),
      venueProfiles: [{ courtsCount: 8 }],
      startDate: '2026-12-01',
      endDate: '2026-12-07',
    }) as { tournamentRecord: TournamentRecord };
    const record = { ...tournamentRecord, ...cardRecord('P1'), participants: tournamentRecord.participants };
    for (let i = 0; i < 50; i++) calendarEntry(record, 'P1');
    const times: number[] = [];
    for (let i = 0; i < 200; i++) {
      const start = process.hrtime.bigint();
      calendarEntry(record, 'P1');
      times.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    times.sort((a, b) => a - b);
    // Typically a few hundredths of a millisecond; the bound leaves room for a busy machine.
    expect(times[100]).toBeLessThan(0.5);
  });
});

describe.each(BACKENDS)('POST /provider/calendar with card fields (%s)', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startAccountsApp(backend);
  });
  afterAll(() => t?.close());

  it('answers each entry with the fields the cards read and nothing private', async () => {
    const provider = await addProvider(t, 'CARDS');
    const record = cardRecord(provider.organisationId);
    await storeCalendarEntry(t.storage, record);
    // Exactly what courthive-public and TMX send.
    const res = await post(t, '/provider/calendar', { providerAbbr: 'CARDS' });
    expect(res.status).toBe(200);
    const [entry] = res.body.calendar.tournaments;
    expect(entry).toMatchObject({ tournamentId: record.tournamentId, providerId: provider.organisationId });
    expectCardFields(entry.tournament);
    const text = JSON.stringify(res.body);
    for (const secret of PRIVATE) expect(text).not.toContain(secret);
  });
});
