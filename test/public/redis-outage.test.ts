import { Logger } from '@nestjs/common';
import request from 'supertest';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { seedAccount } from '../support/accounts';
import { startTestApp, type TestApp } from '../support/app';
import { testProvider } from '../support/records';
import { deleteRedisPrefix, TEST_REDIS_URL, testRedisPrefix } from '../support/redis';
import { eventually, TcpProxy } from '../cache/tcp-proxy';
import { reservedPort } from '../support/ports';
import {
  cacheStats,
  firstRoundMatchUps,
  mentions,
  mutate,
  publicPost,
  publicTournament,
  publishEvent,
  save,
  scoreDirective,
} from './helpers';

describe('public reads while Redis is unreachable', () => {
  const prefix = testRedisPrefix('outage');
  const provider = testProvider();
  let t: TestApp | undefined;
  let proxy: TcpProxy | undefined;

  afterEach(async () => {
    vi.restoreAllMocks();
    await t?.close();
    await proxy?.cut();
    t = proxy = undefined;
  });
  afterAll(() => deleteRedisPrefix(prefix));

  async function publishedTournament(app: TestApp) {
    const desk = await seedAccount(app, { provider });
    const f = publicTournament(provider);
    await save(app, desk, f.record);
    await mutate(app, desk, f.tournamentId, [publishEvent(f.eventIds[0])]);
    return { desk, f };
  }

  it('answers 200 from the engine when REDIS_URL points at a closed port, logging the outage once', async () => {
    const warn = vi.spyOn(Logger.prototype, 'warn');
    t = await startTestApp('leveldb', {
      REDIS_URL: `redis://127.0.0.1:${await reservedPort()}`,
      REDIS_KEY_PREFIX: prefix,
    });
    const { f } = await publishedTournament(t);
    for (let i = 0; i < 5; i++) {
      const res = await publicPost(t, '/factory/eventdata', { tournamentId: f.tournamentId, eventId: f.eventIds[0] });
      expect(res.status).toBe(200);
      expect(res.body.success).toBe(true);
    }
    expect(cacheStats(t)).toMatchObject({ provider: 'redis', hits: 0 });
    expect(cacheStats(t).errors).toBeGreaterThan(0);
    expect(warn.mock.calls.filter(([message]) => String(message).includes('cache unavailable'))).toHaveLength(1);
    const health = await request(t.url).get('/health').expect(200);
    expect(health.body).toMatchObject({ status: 'ok', cache: { provider: 'redis', status: 'down' } });
  });

  it('keeps answering, correctly, when Redis goes away mid-run, and uses it again when it returns', async () => {
    proxy = new TcpProxy('127.0.0.1', Number(new URL(TEST_REDIS_URL).port || 6379));
    await proxy.start();
    t = await startTestApp('postgres', { REDIS_URL: proxy.url, REDIS_KEY_PREFIX: prefix });
    const app = t;
    const { desk, f } = await publishedTournament(app);
    const read = () => publicPost(app, '/factory/eventdata', { tournamentId: f.tournamentId, eventId: f.eventIds[0] });

    await read().expect(200);
    const hits = cacheStats(app).hits;
    await read().expect(200);
    expect(cacheStats(app).hits).toBe(hits + 1);

    await proxy.cut();
    const errors = cacheStats(app).errors;
    await mutate(app, desk, f.tournamentId, [scoreDirective(firstRoundMatchUps(f.record, f.eventIds[0])[0])]);
    const during = await read().expect(200);
    expect(mentions(during.body, '6-3 6-4')).toBe(true);
    await read().expect(200);
    expect(cacheStats(app).errors).toBeGreaterThan(errors);
    expect((await request(app.url).get('/health').expect(200)).body.cache).toEqual({
      provider: 'redis',
      status: 'down',
    });

    await proxy.start();
    await eventually(async () => (await request(app.url).get('/health')).body.cache.status === 'up');
    await read().expect(200);
    const after = cacheStats(app).hits;
    const back = await read().expect(200);
    expect(cacheStats(app).hits).toBe(after + 1);
    expect(mentions(back.body, '6-3 6-4')).toBe(true);
  });
});
