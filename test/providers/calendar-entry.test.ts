import { describe, expect, it } from 'vitest';
import { calendarEntry } from '../../src/providers/calendar-entry';

const record = {
  tournamentId: 'T-1',
  tournamentName: 'Spring Open',
  formalName: 'The Spring Open Championships',
  startDate: '2026-04-01',
  endDate: '2026-04-07',
  hostCountryCode: 'NZL',
  tournamentLevel: 'REGIONAL',
  activeDates: ['2026-04-01', 42, '2026-04-02'],
  onlineResources: [
    { identifier: 'https://img.example.com/spring.png', resourceSubType: 'IMAGE', resourceType: 'URL', secret: 'x' },
    { name: 'no identifier' },
  ],
  parentOrganisation: { organisationId: 'P1', contacts: [{ email: 'owner@example.com' }] },
  tournamentContacts: [{ emailAddress: 'director@example.com', phone: '+64 555' }],
  participants: [{ participantName: 'Private Person', person: { email: 'player@example.com' } }],
  notes: 'staff only',
  events: [{ eventName: 'Unpublished event' }],
  tournamentAddress: { addressLine1: '1 Private Road' },
  promotionalName: { not: 'a string' },
};

describe('calendar entry', () => {
  const entry = calendarEntry(record, 'P1');

  it('holds the display fields and search text', () => {
    expect(entry).toEqual({
      tournamentId: 'T-1',
      providerId: 'P1',
      searchText: 'spring open the spring open championships nzl t-1',
      tournament: {
        tournamentId: 'T-1',
        tournamentName: 'Spring Open',
        formalName: 'The Spring Open Championships',
        startDate: '2026-04-01',
        endDate: '2026-04-07',
        hostCountryCode: 'NZL',
        tournamentLevel: 'REGIONAL',
        activeDates: ['2026-04-01', '2026-04-02'],
        onlineResources: [
          { identifier: 'https://img.example.com/spring.png', resourceSubType: 'IMAGE', resourceType: 'URL' },
        ],
        tournamentImageURL: 'https://img.example.com/spring.png',
      },
    });
  });

  it('never carries contacts, participants, addresses, notes or events', () => {
    const text = JSON.stringify(entry);
    for (const secret of ['@example.com', 'Private', 'staff only', 'Unpublished', '+64', 'secret']) {
      expect(text).not.toContain(secret);
    }
  });

  it('keeps an explicit tournamentImageURL', () => {
    const own = calendarEntry({ ...record, tournamentImageURL: 'https://img.example.com/own.png' }, 'P1');
    expect(own.tournament.tournamentImageURL).toBe('https://img.example.com/own.png');
  });
});
