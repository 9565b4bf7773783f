import type { AppConfig } from '../config/config';
import { LevelDbStorage } from './leveldb/leveldb.storage';
import { PostgresStorage } from './postgres/postgres.storage';
import type { Storage } from './storage.types';

/** Builds and opens the store the configuration names. Shared by the server and the CLI. */
export async function openStorage(config: AppConfig): Promise<Storage> {
  const storage: Storage =
    config.storage.provider === 'leveldb' ? new LevelDbStorage(config.storage) : new PostgresStorage(config.storage);
  await storage.open();
  return storage;
}
