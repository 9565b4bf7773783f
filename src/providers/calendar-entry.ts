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
  'localTimeZone',
  'updatedAt',
] as const;

const RESOURCE_FIELDS = ['identifier', 'name', 'resourceType', 'resourceSubType'] as const;
/** What a card shows of registration: the dates, how to enter and the fees. */
const REGISTRATION_TEXT = ['entriesOpen', 'entriesClose', 'withdrawalDeadline', 'entryMethod', 'entryUrl'] as const;
/** Where a venue is (city, region, country): never its street, courts, contacts or notes. */
const ADDRESS_FIELDS = ['city', 'state', 'region', 'countryCode', 'country'] as const;
const MAX_TEXT = 1000;
const MAX_LIST = 50;
const MAX_VENUES = 10;
/** The engine's name for the tournament's image among its online resources. */
const IMAGE_RESOURCE_NAME = 'tournamentImage';

/**
 * The calendar entry for a record: its published-safe display fields plus lower-cased search text.
 * The fields are those of the engine's public tournament info (`getTournamentInfo`, which
 * `getTournamentCalendarEntry` spreads into the entry), read straight from the record: the engine's
 * own call also scans every participant for staff contacts and deep-copies the result (about 17 ms
 * for a medium tournament), and this runs after every accepted batch.
 */
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
    const image =
      onlineResources.find((r) => r.name === IMAGE_RESOURCE_NAME && r.resourceType === 'URL') ??
      onlineResources.find((r) => r.resourceSubType === 'IMAGE');
    if (image) tournament.tournamentImageURL = image.identifier;
  }
  const tier = tournamentTier(record.tournamentTier);
  if (tier !== undefined) tournament.tournamentTier = tier;
  const registrationProfile = registration(record.registrationProfile);
  if (registrationProfile) tournament.registrationProfile = registrationProfile;
  const venues = list(record.venues)
    .slice(0, MAX_VENUES)
    .map(venue)
    .filter((v) => v !== undefined);
  if (venues.length) tournament.venues = venues;
  const timeItemValues = publicTimeItemValues(record.timeItems);
  if (timeItemValues) tournament.timeItemValues = timeItemValues;
  const searchText = [
    tournament.tournamentName,
    tournament.formalName,
    tournament.promotionalName,
    tournament.hostCountryCode,
    typeof tier === 'object' ? tier.value : tier,
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

/** A text tier, or the tier object `{ system, value, numericRank? }` that TMX's cards read. */
function tournamentTier(value: unknown): string | { system: string; value: string; numericRank?: number } | undefined {
  if (typeof value === 'string') return text(value);
  if (!value || typeof value !== 'object') return undefined;
  const tier = value as Record<string, unknown>;
  const system = text(tier.system);
  const tierValue = text(tier.value);
  if (system === undefined || tierValue === undefined) return undefined;
  const numericRank = tier.numericRank;
  return typeof numericRank === 'number' && Number.isFinite(numericRank)
    ? { system, value: tierValue, numericRank }
    : { system, value: tierValue };
}

function registration(value: unknown): Record<string, unknown> | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const profile = value as Record<string, unknown>;
  const picked: Record<string, unknown> = {};
  for (const field of REGISTRATION_TEXT) {
    const v = text(profile[field]);
    if (v !== undefined) picked[field] = v;
  }
  const fees = list(profile.entryFees).flatMap((fee) => {
    const { amount, currencyCode, eventType } = (fee ?? {}) as Record<string, unknown>;
    if (typeof amount !== 'number' || !Number.isFinite(amount)) return [];
    const out: Record<string, unknown> = { amount };
    if (text(currencyCode) !== undefined) out.currencyCode = currencyCode;
    if (text(eventType) !== undefined) out.eventType = eventType;
    return [out];
  });
  if (fees.length) picked.entryFees = fees;
  return Object.keys(picked).length ? picked : undefined;
}

function venue(value: unknown): Record<string, unknown> | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const source = value as Record<string, unknown>;
  const picked: Record<string, unknown> = {};
  for (const field of ['venueId', 'venueName', 'venueAbbreviation'] as const) {
    const v = text(source[field]);
    if (v !== undefined) picked[field] = v;
  }
  if (source.isPrimary === true) picked.isPrimary = true;
  const [first] = list(source.addresses);
  if (first && typeof first === 'object') {
    const address: Record<string, string> = {};
    for (const field of ADDRESS_FIELDS) {
      const v = text((first as Record<string, unknown>)[field]);
      if (v !== undefined) address[field] = v;
    }
    if (Object.keys(address).length) picked.addresses = [address];
  }
  return picked.venueName || picked.addresses ? picked : undefined;
}

/**
 * Of the tournament's time item values (the latest value per item type, as the engine reports
 * them), only whether a desk has taken it offline (`TMX.offline`, as TMX reads it), without who.
 */
function publicTimeItemValues(value: unknown): Record<string, unknown> | undefined {
  let latest: Record<string, unknown> | undefined;
  // Time items accumulate: the whole list (the last of a type is its current value).
  for (const item of Array.isArray(value) ? value : []) {
    if ((item as { itemType?: unknown } | undefined)?.itemType === 'TMX') latest = item as Record<string, unknown>;
  }
  const itemValue = latest?.itemValue as { offline?: unknown } | undefined;
  return itemValue?.offline ? { TMX: { offline: true } } : undefined;
}
