import { Client } from 'pg';
import { buildEngineWorker } from '../scripts/build-engine-worker.mjs';
import { buildLivePage } from '../scripts/build-live.mjs';
import { TEST_PG_URL } from './support/postgres';
import { assertRedisReachable } from './support/redis';

/** Fails fast, with a plain message, when the services the suites need are not answering. */
export default async function setup(): Promise<void> {
  const client = new Client({ connectionString: TEST_PG_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (error) {
    throw new Error(`PostgreSQL is not answering at ${TEST_PG_URL}: ${(error as Error).message}`, { cause: error });
  } finally {
    await client.end().catch(() => undefined);
  }
  await assertRedisReachable();
  // The live page's bundle (build/live/), as `pnpm build` makes it: the servers under test serve it.
  await buildLivePage();
  // The engine pool's worker bundle (build/engine/worker.cjs): every server under test runs its engine there.
  await buildEngineWorker();
}
