import type { CalendarEntry, TournamentRecord } from '../storage/storage.types';

/**
 * Tournament fields a public calendar may show. An allow-list on purpose: a record also holds staff
 * contacts, participants, addresses and notes, and anything added to records later stays private.
 */
const TEXT_FIELDS = [
  'tournamentName',
  'formalName',
  'promotionalName',
  'startDate',
  'endDate',
  'tournamentImageURL',
  'hostCountryCode',
  'tournamentLevel',
  'tournamentStatus',
  'tournamentRank',
  'tournamentTier',
  'localTimeZone',
] as const;

const RESOURCE_FIELDS = ['identifier', 'name', 'resourceType', 'resourceSubType'] as const;
const MAX_TEXT = 1000;
const MAX_LIST = 50;

/** The calendar entry for a record: its published-safe display fields plus lower-cased search text. */
export function calendarEntry(record: TournamentRecord, providerId: string): CalendarEntry {
  const tournament: CalendarEntry['tournament'] = { tournamentId: record.tournamentId };
  for (const field of TEXT_FIELDS) {
    const value = text(record[field]);
    if (value !== undefined) tournament[field] = value;
  }
  const activeDates = list(record.activeDates)
    .map(text)
    .filter((date): date is string => !!date);
  if (activeDates.length) tournament.activeDates = activeDates;
  const onlineResources = list(record.onlineResources)
    .map(resource)
    .filter((r) => r !== undefined);
  if (onlineResources.length) tournament.onlineResources = onlineResources;
  if (!tournament.tournamentImageURL) {
    const image = onlineResources.find((r) => r.resourceSubType === 'IMAGE' && r.identifier);
    if (image) tournament.tournamentImageURL = image.identifier;
  }
  const searchText = [
    tournament.tournamentName,
    tournament.formalName,
    tournament.promotionalName,
    tournament.hostCountryCode,
    record.tournamentId,
  ]
    .filter(Boolean)
    .join(' ')
    .toLowerCase();
  return { tournamentId: record.tournamentId, providerId, searchText, tournament };
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.length <= MAX_TEXT ? value : undefined;
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value.slice(0, MAX_LIST) : [];
}

function resource(value: unknown): Record<string, string> | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const picked: Record<string, string> = {};
  for (const field of RESOURCE_FIELDS) {
    const v = text((value as Record<string, unknown>)[field]);
    if (v !== undefined) picked[field] = v;
  }
  return picked.identifier ? picked : undefined;
}
