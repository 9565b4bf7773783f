import { Redis } from 'ioredis';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TournamentRecord } from '../../src/storage/storage.types';
import { seedAccount, type TestAccount } from '../support/accounts';
import { startTestApp, type Backend, type TestApp } from '../support/app';
import { testProvider } from '../support/records';
import { deleteRedisPrefix, redisKeys, TEST_REDIS_URL, testRedisPrefix } from '../support/redis';
import {
  cacheStats,
  firstRoundMatchUps,
  mentions,
  mutate,
  publicPost,
  publicTournament,
  publishEvent,
  publishOrderOfPlay,
  publishParticipants,
  save,
  scheduleOn,
  scoreDirective,
  unPublishEvent,
  unPublishOrderOfPlay,
  unPublishParticipants,
  type PublicFixture,
} from './helpers';

const NOT_FOUND = { error: { code: 'ERR_NOT_FOUND', message: 'Tournament not found or not published' } };
const SECRETS = ['secret@example.com', 'Secretville', '1999-09-09', '+1 555 0100'];

const CASES: Array<{ backend: Backend; cache: 'memory' | 'redis' }> = [
  { backend: 'leveldb', cache: 'memory' },
  { backend: 'leveldb', cache: 'redis' },
  { backend: 'postgres', cache: 'memory' },
  { backend: 'postgres', cache: 'redis' },
];

describe.each(CASES)('publish gating on $backend with the $cache cache', ({ backend, cache }) => {
  const prefix = testRedisPrefix('public');
  const provider = testProvider();
  let t: TestApp;
  let desk: TestAccount;

  beforeAll(async () => {
    const env: Record<string, string> =
      cache === 'redis' ? { REDIS_URL: TEST_REDIS_URL, REDIS_KEY_PREFIX: prefix } : {};
    t = await startTestApp(backend, env);
    desk = await seedAccount(t, { provider });
  });
  afterAll(async () => {
    await t?.close();
    if (cache === 'redis') {
      await deleteRedisPrefix(prefix);
      expect(await redisKeys(prefix)).toEqual([]);
    }
  });

  /** A saved tournament with two events (own participants each); one participant carries private details. */
  async function fresh(): Promise<PublicFixture> {
    const fixture = publicTournament(provider);
    addPrivateDetails(fixture.record);
    await save(t, desk, fixture.record);
    return fixture;
  }

  const eventData = (f: PublicFixture, eventId: string, extra: object = {}) =>
    publicPost(t, '/factory/eventdata', { tournamentId: f.tournamentId, eventId, ...extra }).expect(200);
  const info = (f: PublicFixture) =>
    publicPost(t, '/factory/tournamentinfo', { tournamentId: f.tournamentId }).expect(200);
  const schedule = (f: PublicFixture) =>
    publicPost(t, '/factory/scheduledmatchups', {
      params: {
        tournamentId: f.tournamentId,
        courtCompletedMatchUps: true,
        nextMatchUps: true,
        withCourtGridRows: true,
      },
    }).expect(200);
  const participants = (f: PublicFixture) =>
    publicPost(t, '/factory/participants', { params: { tournamentId: f.tournamentId } }).expect(200);

  it('tournamentinfo and eventdata: no events before publishing, at once after, gone at once after unpublishing', async () => {
    const f = await fresh();
    const [e1, e2] = f.eventIds;
    // Read (and cache) while unpublished: these answers must not survive the publish. The calendar
    // lists the tournament, so its info answers, without events.
    const before = (await info(f)).body;
    expect(before.tournamentInfo.eventInfo).toEqual([]);
    for (const id of [e1, e2, ...f.drawIds]) expect(mentions(before, id)).toBe(false);
    expect((await eventData(f, e1)).body).toEqual(NOT_FOUND);
    expect((await request(t.url).get(`/factory/tournamentinfo/${f.tournamentId}`).expect(200)).body).toEqual(before);

    await mutate(t, desk, f.tournamentId, [publishEvent(e1)]);
    const published = await info(f);
    expect(published.body.tournamentInfo.eventInfo.map((e: { eventId: string }) => e.eventId)).toEqual([e1]);
    const data = await eventData(f, e1, { hydrateParticipants: true });
    expect(data.body.success).toBe(true);
    expect(data.body.eventData.eventInfo.eventId).toBe(e1);
    expect(data.body.eventData.drawsData.map((d: { drawId: string }) => d.drawId)).toEqual([f.drawIds[0]]);
    expect(data.body.eventData.tournamentInfo.eventInfo.map((e: { eventId: string }) => e.eventId)).toEqual([e1]);
    expect((await eventData(f, e2)).body).toEqual({
      error: { code: 'ERR_NOT_FOUND', message: 'Event not found or not published' },
    });
    // Nothing of the unpublished event, its draw or its players, and no private details, anywhere.
    for (const body of [published.body, data.body]) {
      expect(mentions(body, e2)).toBe(false);
      expect(mentions(body, f.drawIds[1])).toBe(false);
      for (const name of namesOnlyIn(f.record, e2)) expect(mentions(body, name)).toBe(false);
      for (const secret of SECRETS) expect(mentions(body, secret)).toBe(false);
    }

    await mutate(t, desk, f.tournamentId, [unPublishEvent(e1)]);
    expect((await info(f)).body.tournamentInfo.eventInfo).toEqual([]);
    expect((await eventData(f, e1)).body).toEqual(NOT_FOUND);
  });

  it('scheduledmatchups: only per the published order of play and published events', async () => {
    const f = await fresh();
    const [e1, e2] = f.eventIds;
    const r1 = firstRoundMatchUps(f.record, e1);
    const r2 = firstRoundMatchUps(f.record, e2);
    await mutate(t, desk, f.tournamentId, [scheduleOn([...r1, ...r2].map((m) => m.matchUpId))]);
    expect((await schedule(f)).body).toEqual(NOT_FOUND);

    // An event is public, the order of play is not: an empty schedule.
    await mutate(t, desk, f.tournamentId, [publishEvent(e1)]);
    expect((await schedule(f)).body).toEqual({
      success: true,
      dateMatchUps: [],
      completedMatchUps: [],
      courtsData: [],
    });

    await mutate(t, desk, f.tournamentId, [publishOrderOfPlay()]);
    let body = (await schedule(f)).body;
    expect(scheduledIds(body)).toEqual(new Set(r1.map((m) => m.matchUpId)));
    expect(mentions(body, e2)).toBe(false);
    for (const m of r2) expect(mentions(body, m.matchUpId)).toBe(false);
    for (const name of namesOnlyIn(f.record, e2)) expect(mentions(body, name)).toBe(false);
    for (const secret of SECRETS) expect(mentions(body, secret)).toBe(false);

    await mutate(t, desk, f.tournamentId, [publishEvent(e2)]);
    body = (await schedule(f)).body;
    expect(scheduledIds(body)).toEqual(new Set([...r1, ...r2].map((m) => m.matchUpId)));

    await mutate(t, desk, f.tournamentId, [unPublishOrderOfPlay()]);
    expect((await schedule(f)).body.dateMatchUps).toEqual([]);
  });

  it('participants: only while published, through the privacy policy', async () => {
    const f = await fresh();
    expect((await participants(f)).body).toEqual(NOT_FOUND);
    await mutate(t, desk, f.tournamentId, [publishEvent(f.eventIds[0])]);
    expect((await participants(f)).body).toEqual({
      error: { code: 'ERR_NOT_FOUND', message: 'Participants not published' },
    });

    await mutate(t, desk, f.tournamentId, [publishParticipants()]);
    const listed = (await participants(f)).body;
    expect(listed.success).toBe(true);
    expect(listed.participants).toHaveLength((f.record.participants as unknown[]).length);
    for (const secret of SECRETS) expect(mentions(listed, secret)).toBe(false);
    for (const participant of listed.participants as Array<{ person?: Record<string, unknown> }>) {
      expect(Object.keys(participant.person ?? {})).not.toContain('personId');
      expect(Object.keys(participant.person ?? {})).not.toContain('addresses');
    }

    await mutate(t, desk, f.tournamentId, [unPublishParticipants()]);
    expect((await participants(f)).body.error.message).toBe('Participants not published');
  });

  it('a score on a published event is visible on the very next read', async () => {
    const f = await fresh();
    const [e1] = f.eventIds;
    await mutate(t, desk, f.tournamentId, [publishEvent(e1)]);
    const before = await eventData(f, e1);
    expect(mentions(before.body, '6-3 6-4')).toBe(false);
    const hits = cacheStats(t).hits;
    await eventData(f, e1);
    expect(cacheStats(t).hits).toBe(hits + 1);

    const [matchUp] = firstRoundMatchUps(f.record, e1);
    await mutate(t, desk, f.tournamentId, [scoreDirective(matchUp)]);
    const after = await eventData(f, e1);
    expect(mentions(after.body, '6-3 6-4')).toBe(true);
    expect(after.headers.etag).not.toBe(before.headers.etag);
  });

  if (cache === 'redis') {
    it('keeps its answers in Redis under its own prefix, keyed by tournament version', async () => {
      const f = await fresh();
      await mutate(t, desk, f.tournamentId, [publishEvent(f.eventIds[0])]);
      await eventData(f, f.eventIds[0]);
      const keys = await redisKeys(`${prefix}pub:${f.tournamentId}:`);
      expect(keys.some((key) => /:2:eventdata:[\w-]+$/.test(key))).toBe(true);
    });

    it('recomputes, rather than failing, when a stored value is not an answer', async () => {
      const f = await fresh();
      await mutate(t, desk, f.tournamentId, [publishEvent(f.eventIds[0])]);
      const good = await eventData(f, f.eventIds[0]);
      const raw = new Redis(TEST_REDIS_URL);
      for (const key of await redisKeys(`${prefix}pub:${f.tournamentId}:`)) await raw.set(key, 'not an answer');
      raw.disconnect();
      const again = await publicPost(
        t,
        '/factory/eventdata',
        { tournamentId: f.tournamentId, eventId: f.eventIds[0] },
        { 'Accept-Encoding': 'identity' },
      ).expect(200);
      expect(again.body).toEqual(good.body);
    });
  }
});

/** Puts private details on the first participant of each event; none may ever be answered publicly. */
function addPrivateDetails(record: TournamentRecord): void {
  const participants = record.participants as Array<{ person?: Record<string, unknown> }>;
  for (const participant of participants) {
    Object.assign((participant.person ??= {}), {
      birthDate: '1999-09-09',
      addresses: [{ city: 'Secretville', postalCode: '12345' }],
      contacts: [{ emailAddress: 'secret@example.com', telephone: '+1 555 0100' }],
    });
  }
}

/** Names of participants entered in `eventId` and in no other event. */
function namesOnlyIn(record: TournamentRecord, eventId: string): string[] {
  type Ev = { eventId: string; entries?: Array<{ participantId: string }> };
  const events = record.events as Ev[];
  const ids = (e: Ev) => new Set((e.entries ?? []).map((entry) => entry.participantId));
  const mine = ids(events.find((e) => e.eventId === eventId)!);
  for (const other of events.filter((e) => e.eventId !== eventId)) for (const id of ids(other)) mine.delete(id);
  const names = (record.participants as Array<{ participantId: string; participantName: string }>)
    .filter((p) => mine.has(p.participantId))
    .map((p) => p.participantName);
  expect(names.length).toBeGreaterThan(0);
  return names;
}

function scheduledIds(body: { dateMatchUps: Array<{ matchUpId: string; schedule?: { scheduledDate?: string } }> }) {
  return new Set(body.dateMatchUps.filter((m) => m.schedule?.scheduledDate).map((m) => m.matchUpId));
}
