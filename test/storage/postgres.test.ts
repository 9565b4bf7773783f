import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrationFiles } from '../../src/storage/postgres/migrate';
import { PostgresStorage } from '../../src/storage/postgres/postgres.storage';
import type { PostgresOptions } from '../../src/storage/postgres/pool';
import { StorageUnavailableError, VersionConflictError } from '../../src/storage/storage.types';
import { createTestDatabase, type TestDatabase } from '../support/postgres';
import { storageContract, writeOf } from './storage-contract';

const local = { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test', poolMax: 4 };

function options(url: string): PostgresOptions {
  return { ...local, connectionString: url };
}

async function openAt(url: string): Promise<PostgresStorage> {
  const storage = new PostgresStorage(options(url));
  await storage.open();
  return storage;
}

async function query<T>(url: string, sql: string, values: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, values)).rows as T[];
  } finally {
    await client.end();
  }
}

describe('PostgreSQL storage', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('cfs_storage');
  });
  afterAll(async () => {
    await db.drop();
  });

  storageContract(() => openAt(db.url));

  describe('migrations', () => {
    it('records every migration once and does not apply it again on a second open', async () => {
      const before = await query<{ name: string; applied_at: Date }>(
        db.url,
        'SELECT * FROM schema_migrations ORDER BY name',
      );
      expect(before.map((row) => row.name)).toEqual(migrationFiles());
      expect(migrationFiles()[0]).toBe('001_initial.sql');
      const again = await openAt(db.url);
      await again.close();
      const after = await query<{ name: string; applied_at: Date }>(
        db.url,
        'SELECT * FROM schema_migrations ORDER BY name',
      );
      expect(after).toEqual(before);
    });

    it('compresses snapshots with lz4 where the server supports it', async () => {
      const [{ compression }] = await query<{ compression: string }>(
        db.url,
        `SELECT attcompression AS compression FROM pg_attribute
          WHERE attrelid = 'tournament_snapshots'::regclass AND attname = 'record'`,
      );
      // This machine's PostgreSQL (15, Debian) has lz4: 'l'. Older or lz4-less servers keep '' (pglz).
      expect(compression).toBe('l');
      // And a snapshot written since is stored that way.
      const storage = await openAt(db.url);
      try {
        const id = `lz4-${Date.now()}`;
        const write = writeOf(id, 1);
        // Large enough for PostgreSQL to compress it (over 2 KB), as every real record is.
        const participants = Array.from({ length: 2000 }, (_, i) => ({ participantId: `p${i}`, name: `Player ${i}` }));
        await storage.tournaments.commit([
          { ...write, json: JSON.stringify({ ...JSON.parse(write.json), participants }) },
        ]);
        const [{ method }] = await query<{ method: string }>(
          db.url,
          'SELECT pg_column_compression(record) AS method FROM tournament_snapshots WHERE tournament_id = $1',
          [id],
        );
        expect(method).toBe('lz4');
      } finally {
        await storage.close();
      }
    });

    it('lets several instances start at once on a fresh database', async () => {
      const fresh = await createTestDatabase('cfs_migrate');
      try {
        const instances = await Promise.all([openAt(fresh.url), openAt(fresh.url), openAt(fresh.url)]);
        await Promise.all(instances.map((instance) => instance.close()));
        const rows = await query<{ count: number }>(fresh.url, 'SELECT count(*)::int AS count FROM schema_migrations');
        expect(rows[0]?.count).toBe(migrationFiles().length);
      } finally {
        await fresh.drop();
      }
    });
  });

  describe('several instances on one database', () => {
    it('serialises the creation of one new tournament: exactly one instance wins', async () => {
      const instances = await Promise.all([openAt(db.url), openAt(db.url), openAt(db.url)]);
      try {
        const id = `shared-${Date.now()}`;
        const results = await Promise.allSettled(
          instances.flatMap((instance) => [
            instance.tournaments.commit([writeOf(id, 1)]),
            instance.tournaments.commit([writeOf(id, 1)]),
          ]),
        );
        expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
        for (const result of results) {
          if (result.status === 'rejected') expect(result.reason).toBeInstanceOf(VersionConflictError);
        }
        expect(await instances[0]!.log.since(id, 0)).toHaveLength(1);
      } finally {
        await Promise.all(instances.map((instance) => instance.close()));
      }
    });
  });

  describe('unreachable server', () => {
    const secret = 'hunter2-not-in-messages';

    async function openError(target: PostgresOptions): Promise<Error> {
      const error = await new PostgresStorage(target).open().then(
        () => undefined,
        (reason: unknown) => reason as Error,
      );
      expect(error).toBeInstanceOf(StorageUnavailableError);
      expect(error!.message).not.toContain(secret);
      expect(error!.message).not.toContain('\n');
      return error!;
    }

    it('names host and port when nothing listens there', async () => {
      const error = await openError({ ...local, port: 1, password: secret });
      expect(error.message).toBe(
        'Cannot open storage: PostgreSQL at 127.0.0.1:1 refused the connection (is the server running?)',
      );
    });

    it('names the port from DATABASE_URL without its password', async () => {
      const error = await openError(options(`postgres://postgres:${secret}@127.0.0.1:1/test`));
      expect(error.message).toContain('127.0.0.1:1');
    });

    it('names a database that does not exist', async () => {
      const error = await openError(options(`postgres://postgres:${secret}@127.0.0.1:5432/no_such_db_cfs`));
      expect(error.message).toBe(
        'Cannot open storage: PostgreSQL at 127.0.0.1:5432 has no database "no_such_db_cfs" (create it, or set PG_DATABASE / DATABASE_URL)',
      );
    });
  });
});
