import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config';
import type { PublicChange } from '../../src/public/public-events';
import { seedAccount, type TestAccount } from '../support/accounts';
import { listenApp, TEST_JWT_SECRET, type TestApp } from '../support/app';
import { createTestDatabase, type TestDatabase } from '../support/postgres';
import { testProvider } from '../support/records';
import {
  mutate,
  publicTournament,
  publishEvent,
  recordPublicChanges,
  save,
  settled,
  unPublishEvent,
} from '../public/helpers';

/** Two apps in one process on one PostgreSQL database: two instances as far as the server can tell. */
async function twoInstances(db: TestDatabase): Promise<[TestApp, TestApp]> {
  const config = loadConfig({
    ...{ NODE_ENV: 'test', LOG_LEVEL: 'silent', JWT_SECRET: TEST_JWT_SECRET },
    ...{ STORAGE_PROVIDER: 'postgres', DATABASE_URL: db.url },
  });
  return [await listenApp(config), await listenApp(config)];
}

describe('publicUpdate when two instances change one tournament', () => {
  const provider = testProvider();
  let db: TestDatabase;
  let a: TestApp;
  let b: TestApp;
  let desk: TestAccount;
  let fromA: PublicChange[];

  beforeAll(async () => {
    db = await createTestDatabase();
    [a, b] = await twoInstances(db);
    desk = await seedAccount(a, { provider });
    fromA = recordPublicChanges(a);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await db?.drop();
  });

  it("announces an unpublish even when this instance last saw the tournament before the other instance's publish", async () => {
    const f = publicTournament(provider);
    const [e1] = f.eventIds;
    await save(a, desk, f.record); // A remembers version 1: nothing published
    await mutate(b, desk, f.tournamentId, [publishEvent(e1!)]); // B publishes at version 2 (and announces it)

    const version = await mutate(a, desk, f.tournamentId, [unPublishEvent(e1!)]);
    await settled(a);
    // A must not compare with what it knew at version 1 ("was never public, still is not").
    expect(fromA.filter((change) => change.tournamentId === f.tournamentId)).toEqual([
      expect.objectContaining({ version, topics: expect.arrayContaining(['publishing']) }),
    ]);
  });
});
