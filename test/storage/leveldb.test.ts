import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Level } from 'level';
import { afterAll, describe, expect, it } from 'vitest';
import { LevelDbStorage } from '../../src/storage/leveldb/leveldb.storage';
import { StorageUnavailableError } from '../../src/storage/storage.types';
import { storageContract, writeOf } from './storage-contract';

const root = mkdtempSync(join(tmpdir(), 'cfs-leveldb-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function openAt(path: string): Promise<LevelDbStorage> {
  const storage = new LevelDbStorage({ path });
  await storage.open();
  return storage;
}

describe('LevelDB storage', () => {
  // A nested folder that does not exist yet: open() must create it.
  const path = join(root, 'nested', 'leveldb');
  storageContract(() => openAt(path));

  it('creates a missing folder', async () => {
    const fresh = join(root, 'a', 'b', 'c');
    const storage = await openAt(fresh);
    await storage.close();
    expect(existsSync(join(fresh, 'CURRENT'))).toBe(true);
  });

  it('refuses a second instance on a folder in use with a plain message, and leaves the first working', async () => {
    const shared = join(root, 'locked');
    const first = await openAt(shared);
    try {
      const second = new LevelDbStorage({ path: shared });
      const attempt = second.open();
      await expect(attempt).rejects.toBeInstanceOf(StorageUnavailableError);
      await expect(attempt).rejects.toThrow(
        `LevelDB folder ${shared} is locked by another process (is a server already running? LevelDB allows one process; use PostgreSQL for several)`,
      );
      await first.tournaments.commit([writeOf('still-works', 1)]);
      expect(await first.tournaments.getVersion('still-works')).toBe(1);
    } finally {
      await first.close();
    }
  });

  it('upgrades a folder of format 1 (records at their head version) to snapshots without losing a version', async () => {
    const old = join(root, 'format-1');
    const db = new Level<string, unknown>(old, { valueEncoding: 'json' });
    const write = writeOf('kept', 3, { providerId: 'p-1' });
    await db.batch([
      { type: 'put', sublevel: db.sublevel('system', { valueEncoding: 'json' }), key: 'format', value: 1 },
      { type: 'put', sublevel: db.sublevel('records', { valueEncoding: 'utf8' }), key: 'kept', value: write.json },
      {
        type: 'put',
        sublevel: db.sublevel('tournament-meta', { valueEncoding: 'json' }),
        key: 'kept',
        value: { providerId: 'p-1', version: 3, updatedAt: write.log.at, bytes: write.json.length },
      },
    ]);
    await db.close();
    const storage = await openAt(old);
    try {
      const stored = await storage.tournaments.get('kept');
      expect(stored).toMatchObject({ version: 3, snapshotVersion: 3, providerId: 'p-1', bytes: write.json.length });
      expect(stored?.record).toEqual(JSON.parse(write.json));
      await storage.tournaments.commit([writeOf('kept', 4)]);
      expect(await storage.tournaments.getVersion('kept')).toBe(4);
    } finally {
      await storage.close();
    }
    const reopened = await openAt(old); // now format 2: opens as it is
    await reopened.close();
  });

  it('refuses to be used before open', () => {
    expect(() => new LevelDbStorage({ path: join(root, 'unopened') }).tournaments).toThrow(StorageUnavailableError);
  });
});
