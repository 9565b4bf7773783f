import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

  it('refuses to be used before open', () => {
    expect(() => new LevelDbStorage({ path: join(root, 'unopened') }).tournaments).toThrow(StorageUnavailableError);
  });
});
