import { randomUUID } from 'node:crypto';
import { Client, type Pool } from 'pg';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Db } from '../../src/storage/leveldb/level-db';
import type { Storage, StoredUser } from '../../src/storage/storage.types';
import { openTestStorage, type TestStore } from '../support/storage';
import { writeOf } from '../storage/storage-contract';

/** Every write the server makes, through each entity store: what an ack or an answer may depend on. */
async function everyWrite(storage: Storage): Promise<void> {
  const id = `t-${randomUUID()}`;
  const providerId = randomUUID();
  await storage.tournaments.commit([writeOf(id, 1, { providerId, ackId: 'a1' })]);
  await storage.tournaments.commit([writeOf(id, 2, { providerId, ackId: 'a2' })]);
  await storage.log.prune(id, 2);
  await storage.tournaments.remove(id);
  const now = new Date().toISOString();
  const user: StoredUser = {
    ...{ userId: randomUUID(), email: `${randomUUID()}@example.com`, passwordHash: '$argon2id$x', roles: [] },
    ...{ permissions: [], services: [], createdAt: now, updatedAt: now },
  };
  await storage.users.create(user);
  await storage.users.update({ ...user, firstName: 'Changed' });
  await storage.users.remove(user.email);
  const provider = {
    organisationId: providerId,
    organisationAbbreviation: `P${id.slice(2, 8)}`,
    organisationName: 'P',
  };
  await storage.providers.create(provider);
  await storage.providers.update({ ...provider, organisationName: 'Q' });
  await storage.calendars.upsert({ tournamentId: id, providerId, searchText: 'x', tournament: { tournamentId: id } });
  await storage.calendars.remove(id);
  await storage.codes.put('invite', 'code-1', { email: user.email }, Date.now() + 60_000);
  await storage.codes.take('invite', 'code-1');
  await storage.codes.put('invite', 'code-2', {}, Date.now() - 1);
  await storage.codes.purgeExpired();
}

describe('durability of acknowledged writes', () => {
  let store: TestStore | undefined;
  afterEach(async () => {
    vi.restoreAllMocks();
    await store?.cleanup();
    store = undefined;
  });

  it('LevelDB: every write is one atomic batch with sync (fsync before it resolves)', async () => {
    store = await openTestStorage('leveldb');
    // Sublevels write through the root database, so the root sees every write of every store.
    const db = (store.storage as unknown as { opened: { db: Db } }).opened.db;
    const writes: Array<{ how: string; options: unknown }> = [];
    for (const how of ['put', 'del', 'batch', 'clear'] as const) {
      const original = db[how].bind(db) as (...args: unknown[]) => Promise<unknown>;
      vi.spyOn(db, how).mockImplementation(((...args: unknown[]) => {
        writes.push({ how, options: how === 'batch' ? args[1] : how === 'put' ? args[2] : args[1] });
        return original(...args);
      }) as never);
    }
    await everyWrite(store.storage);
    expect(writes).toHaveLength(15); // one per write above
    for (const write of writes) expect(write).toEqual({ how: 'batch', options: { sync: true } });
  });

  it('PostgreSQL: a commit has been committed when it resolves (another connection sees it at once)', async () => {
    store = await openTestStorage('postgres');
    const id = `t-${randomUUID()}`;
    const url = (store.config.storage as { connectionString: string }).connectionString;
    const other = new Client({ connectionString: url });
    await other.connect();
    try {
      for (let version = 1; version <= 5; version++) {
        await store.storage.tournaments.commit([writeOf(id, version, { ackId: `a${version}` })]);
        // Read committed isolation: an open or rolled-back transaction would not show here.
        const { rows } = await other.query<{ version: number; logged: string }>(
          `SELECT t.version, (SELECT count(*) FROM mutation_log m WHERE m.tournament_id = t.tournament_id) AS logged
             FROM tournaments t WHERE t.tournament_id = $1`,
          [id],
        );
        expect(rows).toEqual([{ version, logged: String(version) }]);
      }
      // The store's own sessions: with synchronous_commit on, COMMIT returns after the WAL is flushed.
      const pool = (store.storage as unknown as { opened: { pool: Pool } }).opened.pool;
      const { rows } = await pool.query<{ synchronous_commit: string }>('SHOW synchronous_commit');
      expect(rows[0]?.synchronous_commit).toBe('on');
    } finally {
      await other.end();
    }
  });
});
