import { mocksEngine } from 'tods-competition-factory';
import request from 'supertest';
import { expect } from 'vitest';
import { CacheService, type CacheStats } from '../../src/cache/cache.service';
import { PublicCommits } from '../../src/public/public-commits';
import { PublicEvents, type PublicChange } from '../../src/public/public-events';
import { PublicWarmer } from '../../src/public/public-warmer';
import type { TournamentRecord } from '../../src/storage/storage.types';
import type { TestAccount } from '../support/accounts';
import type { TestApp } from '../support/app';
import type { TestProvider } from '../support/records';

export interface PublicFixture {
  record: TournamentRecord;
  tournamentId: string;
  eventIds: string[];
  drawIds: string[];
}

type MatchUp = { matchUpId: string; roundNumber?: number; drawPositions?: number[] };
type Structure = { matchUps?: MatchUp[] };
type Event = { eventId: string; drawDefinitions?: Array<{ drawId: string; structures?: Structure[] }> };

/**
 * A tournament with `events` events of one draw each (each event with participants of its own), a
 * venue with courts, dates in December 2026.
 */
export function publicTournament(
  provider: TestProvider,
  options: { events?: number; drawSize?: number } = {},
): PublicFixture {
  const { events = 2, drawSize = 8 } = options;
  const result = mocksEngine.generateTournamentRecord({
    drawProfiles: Array.from({ length: events }, (_, i) => ({ drawSize, uniqueParticipants: i > 0 })),
    venueProfiles: [{ courtsCount: 4 }],
    tournamentName: 'Public Open',
    startDate: '2026-12-01',
    endDate: '2026-12-07',
  }) as { tournamentRecord: TournamentRecord; eventIds: string[]; drawIds: string[] };
  const record = result.tournamentRecord;
  record.parentOrganisation = { ...provider };
  return { record, tournamentId: record.tournamentId, eventIds: result.eventIds, drawIds: result.drawIds };
}

/** First-round matchUps of an event's draw (both sides known in a full draw), read straight from the record. */
export function firstRoundMatchUps(
  record: TournamentRecord,
  eventId: string,
): Array<{ matchUpId: string; drawId: string }> {
  const event = (record.events as Event[]).find((e) => e.eventId === eventId);
  const draw = event?.drawDefinitions?.[0];
  const matchUps = draw?.structures?.[0]?.matchUps ?? [];
  return matchUps.filter((m) => m.roundNumber === 1).map((m) => ({ matchUpId: m.matchUpId, drawId: draw!.drawId }));
}

export async function save(t: TestApp, desk: TestAccount, record: TournamentRecord): Promise<number> {
  const res = await request(t.url).post('/factory/save').set(desk.auth).send({ tournamentRecord: record }).expect(200);
  expect(res.body.success).toBe(true);
  return res.body.versions[record.tournamentId] as number;
}

/** Runs directives through the real executor; returns the new version. */
export async function mutate(
  t: TestApp,
  desk: TestAccount,
  tournamentId: string,
  methods: Array<{ method: string; params?: Record<string, unknown> }>,
): Promise<number> {
  const res = await request(t.url)
    .post('/factory')
    .set(desk.auth)
    .send({ tournamentIds: [tournamentId], methods })
    .expect(200);
  expect(res.body.error).toBeUndefined();
  return res.body.versions[tournamentId] as number;
}

export const publishEvent = (eventId: string) => ({ method: 'publishEvent', params: { eventId } });
export const unPublishEvent = (eventId: string) => ({ method: 'unPublishEvent', params: { eventId } });
export const publishOrderOfPlay = () => ({ method: 'publishOrderOfPlay', params: {} });
export const unPublishOrderOfPlay = () => ({ method: 'unPublishOrderOfPlay', params: {} });
export const publishParticipants = () => ({ method: 'publishParticipants', params: {} });
export const unPublishParticipants = () => ({ method: 'unPublishParticipants', params: {} });
export const scheduleOn = (matchUpIds: string[], scheduleDate = '2026-12-02') => ({
  method: 'scheduleMatchUps',
  params: { scheduleDate, matchUpIds },
});

/** A straight-sets win for side 1 (as `/factory/score` and desks send it). */
export function scoreDirective(matchUp: { matchUpId: string; drawId: string }, scoreString = '6-3 6-4') {
  const { outcome } = mocksEngine.generateOutcomeFromScoreString({ scoreString, winningSide: 1 }) as {
    outcome: unknown;
  };
  return { method: 'setMatchUpStatus', params: { ...matchUp, outcome } };
}

export function publicPost(t: TestApp, path: string, body: object, headers: Record<string, string> = {}) {
  return request(t.url).post(path).set(headers).send(body);
}

export function cacheStats(t: TestApp): CacheStats {
  return t.app.get(CacheService).stats();
}

/** Waits until commit handling and background warming are done. */
export async function settled(t: TestApp): Promise<void> {
  await t.app.get(PublicCommits).settled();
  await t.app.get(PublicWarmer).idle();
}

/** Records every `publicUpdate` the app raises from now on. */
export function recordPublicChanges(t: TestApp): PublicChange[] {
  const seen: PublicChange[] = [];
  t.app.get(PublicEvents).onChange((change) => seen.push(change));
  return seen;
}

/** Every string value and key in a JSON answer, for "does X appear anywhere" checks. */
export function mentions(body: unknown, text: string): boolean {
  return JSON.stringify(body).includes(text);
}
