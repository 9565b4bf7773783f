import request from 'supertest';
import { version as factoryVersion } from 'tods-competition-factory';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JwtService } from '@nestjs/jwt';
import { seedAccount, type TestAccount } from '../support/accounts';
import { startTestApp, type TestApp } from '../support/app';
import { testProvider } from '../support/records';
import {
  firstRoundMatchUps,
  mutate,
  publicPost,
  publicTournament,
  publishEvent,
  publishOrderOfPlay,
  publishParticipants,
  save,
  scheduleOn,
  type PublicFixture,
} from './helpers';

describe('public /factory routes: shapes, auth headers, validation, ETag', () => {
  let t: TestApp;
  let desk: TestAccount;
  let expired: string;
  let fixture: PublicFixture;
  const provider = testProvider();

  beforeAll(async () => {
    t = await startTestApp('leveldb');
    desk = await seedAccount(t, { provider });
    expired = t.app.get(JwtService).sign({ email: desk.user.email }, { expiresIn: -3600 });
    fixture = publicTournament(provider);
    await save(t, desk, fixture.record);
    const [e1] = fixture.eventIds;
    const scheduled = firstRoundMatchUps(fixture.record, e1).map((m) => m.matchUpId);
    await mutate(t, desk, fixture.tournamentId, [
      scheduleOn(scheduled),
      publishEvent(e1),
      publishOrderOfPlay(),
      publishParticipants(),
    ]);
  });
  afterAll(() => t?.close());

  it('GET /factory and GET /factory/version answer, next to the private POST /factory', async () => {
    await request(t.url).get('/factory').expect(200, { message: 'Factory services' });
    await request(t.url).get('/factory/version').expect(200, { version: factoryVersion() });
    await request(t.url)
      .post('/factory')
      .send({ tournamentIds: ['x'], methods: [] })
      .expect(401);
  });

  it('answers the contract shapes', async () => {
    const { tournamentId, eventIds } = fixture;
    const info = await publicPost(t, '/factory/tournamentinfo', { tournamentId }).expect(200);
    expect(info.body).toMatchObject({ success: true, tournamentInfo: { tournamentId, tournamentName: 'Public Open' } });
    expect(info.body.tournamentInfo.eventInfo.map((e: { eventId: string }) => e.eventId)).toEqual([eventIds[0]]);

    const byGet = await request(t.url).get(`/factory/tournamentinfo/${tournamentId}`).expect(200);
    expect(byGet.body).toEqual(info.body);

    const event = await publicPost(t, '/factory/eventdata', { tournamentId, eventId: eventIds[0] }).expect(200);
    expect(event.body.success).toBe(true);
    expect(Object.keys(event.body.eventData).sort()).toEqual([
      'drawsData',
      'eventInfo',
      'tournamentInfo',
      'venuesData',
    ]);
    expect(event.body.eventData.drawsData).toHaveLength(1);
    expect(event.body.participants.length).toBeGreaterThan(0);

    const schedule = await publicPost(t, '/factory/scheduledmatchUps', {
      params: { tournamentId, courtCompletedMatchUps: true },
    }).expect(200);
    expect(schedule.body).toMatchObject({
      success: true,
      dateMatchUps: expect.any(Array),
      completedMatchUps: expect.any(Array),
      courtsData: expect.any(Array),
    });
    const dateMatchUps = schedule.body.dateMatchUps as Array<{
      eventId: string;
      schedule?: { scheduledDate?: string };
    }>;
    expect(new Set(dateMatchUps.map((m) => m.eventId))).toEqual(new Set([eventIds[0]]));
    expect(dateMatchUps.filter((m) => m.schedule?.scheduledDate === '2026-12-02')).toHaveLength(4);

    const participants = await publicPost(t, '/factory/participants', { params: { tournamentId } }).expect(200);
    expect(participants.body.success).toBe(true);
    expect(participants.body.participants.length).toBeGreaterThan(0);
  });

  it.each([
    ['a garbage bearer token', () => ({ Authorization: 'Bearer not.a.token' })],
    ['an expired token', () => ({ Authorization: `Bearer ${expired}` })],
    ['a valid token', () => desk.auth],
  ])('ignores %s on public routes', async (_label, headers) => {
    const { tournamentId, eventIds } = fixture;
    const h = headers();
    await request(t.url).get('/factory').set(h).expect(200);
    await request(t.url).get('/factory/version').set(h).expect(200);
    await request(t.url).get(`/factory/tournamentinfo/${tournamentId}`).set(h).expect(200);
    for (const [path, body] of [
      ['/factory/tournamentinfo', { tournamentId }],
      ['/factory/eventdata', { tournamentId, eventId: eventIds[0] }],
      ['/factory/scheduledmatchups', { params: { tournamentId } }],
      ['/factory/participants', { params: { tournamentId } }],
    ] as const) {
      const res = await publicPost(t, path, body, h).expect(200);
      expect(res.body.success).toBe(true);
    }
  });

  it('refuses bad input with 400 ERR_INVALID_INPUT and never a 500', async () => {
    const cases: Array<[string, string | object]> = [
      ['/factory/eventdata', { tournamentId: fixture.tournamentId }],
      ['/factory/eventdata', { tournamentId: 5, eventId: 'x' }],
      ['/factory/tournamentinfo', {}],
      ['/factory/scheduledmatchups', { params: { tournamentId: fixture.tournamentId, matchUpFilters: 'x' } }],
      ['/factory/scheduledmatchups', { params: { tournamentId: fixture.tournamentId, hydrateParticipants: 'yes' } }],
      ['/factory/participants', { params: {} }],
      ['/factory/eventdata', '{"tournamentId":"a","eventId":"b","__proto__":{"x":1}}'],
      ['/factory/eventdata', '{"tournamentId":'],
    ];
    for (const [path, body] of cases) {
      const res = await request(t.url).post(path).set('Content-Type', 'application/json').send(body);
      expect(res.status, `${path} ${JSON.stringify(body)}`).toBe(400);
      expect(res.body.error.code).toBe('ERR_INVALID_INPUT');
    }
  });

  it('answers an unknown and an unpublished tournament alike, apart from the calendar info of the latter', async () => {
    const hidden = publicTournament(provider);
    await save(t, desk, hidden.record);
    const notFound = { error: { code: 'ERR_NOT_FOUND', message: 'Tournament not found or not published' } };
    for (const id of [hidden.tournamentId, 'no-such-tournament']) {
      const info = await publicPost(t, '/factory/tournamentinfo', { tournamentId: id }).expect(200);
      // The calendar lists the saved tournament already: its info answers, with no events.
      if (id === hidden.tournamentId) expect(info.body.tournamentInfo.eventInfo).toEqual([]);
      else expect(info.body).toEqual(notFound);
      const get = await request(t.url).get(`/factory/tournamentinfo/${id}`).expect(200);
      expect(get.body).toEqual(info.body);
      const event = await publicPost(t, '/factory/eventdata', { tournamentId: id, eventId: hidden.eventIds[0] }).expect(
        200,
      );
      expect(event.body).toEqual(notFound);
      for (const path of ['/factory/scheduledmatchups', '/factory/participants']) {
        const res = await publicPost(t, path, { params: { tournamentId: id } }).expect(200);
        expect(res.body).toEqual(notFound);
      }
    }
  });

  it('sends an ETag and answers 304 to If-None-Match, on GET and POST', async () => {
    const { tournamentId, eventIds } = fixture;
    const first = await request(t.url).get(`/factory/tournamentinfo/${tournamentId}`).expect(200);
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^W\/"[\w-]+"$/);
    await request(t.url).get(`/factory/tournamentinfo/${tournamentId}`).set('If-None-Match', etag).expect(304);

    const body = { tournamentId, eventId: eventIds[0] };
    const post = await publicPost(t, '/factory/eventdata', body).expect(200);
    const postTag = post.headers.etag as string;
    expect(postTag).not.toBe(etag);
    const notModified = await publicPost(t, '/factory/eventdata', body, { 'If-None-Match': `"other", ${postTag}` });
    expect(notModified.status).toBe(304);
    expect(notModified.text).toBe('');
    // Other params are another answer with another tag.
    const hydrated = await publicPost(
      t,
      '/factory/eventdata',
      { ...body, hydrateParticipants: true },
      { 'If-None-Match': postTag },
    );
    expect(hydrated.status).toBe(200);
    expect(hydrated.headers.etag).not.toBe(postTag);

    // A commit moves the version, so the old tag no longer matches.
    await mutate(t, desk, tournamentId, [{ method: 'setTournamentName', params: { tournamentName: 'Renamed Open' } }]);
    const after = await publicPost(t, '/factory/eventdata', body, { 'If-None-Match': postTag }).expect(200);
    expect(after.headers.etag).not.toBe(postTag);
    expect(after.body.eventData.tournamentInfo.tournamentName).toBe('Renamed Open');
  });

  it('sends cached answers gzipped to clients that take gzip, plain JSON to the others', async () => {
    const body = { tournamentId: fixture.tournamentId, eventId: fixture.eventIds[0] };
    const zipped = await publicPost(t, '/factory/eventdata', body, { 'Accept-Encoding': 'gzip' }).expect(200);
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.headers.vary).toMatch(/Accept-Encoding/);
    const plain = await publicPost(t, '/factory/eventdata', body, { 'Accept-Encoding': 'identity' }).expect(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers['content-type']).toMatch(/^application\/json/);
    expect(plain.body).toEqual(zipped.body);
    expect(plain.headers.etag).toBe(zipped.headers.etag);
    expect(Number(plain.headers['content-length'])).toBeGreaterThan(5 * Number(zipped.headers['content-length']));
  });

  it('matches paths case-insensitively', async () => {
    const res = await publicPost(t, '/Factory/EventData', {
      tournamentId: fixture.tournamentId,
      eventId: fixture.eventIds[0],
    }).expect(200);
    expect(res.body.success).toBe(true);
  });

  it('reports the in-process cache on /health', async () => {
    const health = await request(t.url).get('/health').expect(200);
    expect(health.body.cache).toEqual({ provider: 'memory', status: 'up' });
  });
});
