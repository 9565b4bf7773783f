import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedAccount, type TestAccount } from '../support/accounts';
import { startTestApp, type Backend, type TestApp } from '../support/app';
import { testProvider } from '../support/records';
import { deleteRedisPrefix, TEST_REDIS_URL, testRedisPrefix } from '../support/redis';
import {
  cacheStats,
  mutate,
  publicPost,
  publicTournament,
  publishEvent,
  publishOrderOfPlay,
  save,
  settled,
} from './helpers';

const CASES: Array<{ backend: Backend; cache: 'memory' | 'redis' }> = [
  { backend: 'leveldb', cache: 'memory' },
  { backend: 'postgres', cache: 'redis' },
];

describe.each(CASES)('concurrent identical reads on $backend with the $cache cache', ({ backend, cache }) => {
  const prefix = testRedisPrefix('concurrent');
  const provider = testProvider();
  let t: TestApp;
  let desk: TestAccount;

  beforeAll(async () => {
    // No warming: this suite counts the computes that reads cause.
    const env: Record<string, string> = { PUBLIC_CACHE_WARM: 'false' };
    if (cache === 'redis') Object.assign(env, { REDIS_URL: TEST_REDIS_URL, REDIS_KEY_PREFIX: prefix });
    t = await startTestApp(backend, env);
    desk = await seedAccount(t, { provider });
  });
  afterAll(async () => {
    await t?.close();
    if (cache === 'redis') await deleteRedisPrefix(prefix);
  });

  it('computes each answer once for 40 simultaneous requests, and all get the same answer', async () => {
    const f = publicTournament(provider, { drawSize: 32 });
    await save(t, desk, f.record);
    await mutate(t, desk, f.tournamentId, [publishEvent(f.eventIds[0]), publishOrderOfPlay()]);
    await settled(t);

    for (const [path, body] of [
      ['/factory/eventdata', { tournamentId: f.tournamentId, eventId: f.eventIds[0] }],
      ['/factory/scheduledmatchups', { params: { tournamentId: f.tournamentId, nextMatchUps: true } }],
    ] as const) {
      const before = cacheStats(t);
      const answers = await Promise.all(Array.from({ length: 40 }, () => publicPost(t, path, body)));
      const after = cacheStats(t);
      expect(answers.every((res) => res.status === 200 && res.body.success === true)).toBe(true);
      expect(new Set(answers.map((res) => res.text)).size).toBe(1);
      expect(new Set(answers.map((res) => res.headers.etag)).size).toBe(1);
      expect(after.computes - before.computes).toBe(1);
      // The rest joined the running compute or found its result stored.
      expect(after.coalesced + after.hits - before.coalesced - before.hits).toBe(39);
    }
  });
});
