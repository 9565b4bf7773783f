import { loadConfig, type AppConfig } from '../../src/config/config';
import { openStorage } from '../../src/storage/create-storage';
import { tournamentProviderId } from '../../src/auth/access';
import { calendarEntry } from '../../src/providers/calendar-entry';
import type { Storage, TournamentRecord } from '../../src/storage/storage.types';
import { TEST_JWT_SECRET, testEnv, type Backend } from './app';

export interface TestStore {
  storage: Storage;
  config: AppConfig;
  cleanup(): Promise<void>;
}

/** A fresh, open store of the given kind (own folder or database) and the config naming it. */
export async function openTestStorage(backend: Backend, env: Record<string, string> = {}): Promise<TestStore> {
  const store = await testEnv(backend);
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    JWT_SECRET: TEST_JWT_SECRET,
    ...store.env,
    ...env,
  });
  const storage = await openStorage(config);
  return {
    storage,
    config,
    cleanup: async () => {
      await storage.close().catch(() => undefined);
      await store.cleanup();
    },
  };
}

/** Puts a record's calendar entry in place (or takes it away when the record has no owner), as a commit would. */
export async function storeCalendarEntry(storage: Storage, record: TournamentRecord): Promise<void> {
  const providerId = tournamentProviderId(record);
  if (providerId) await storage.calendars.upsert(calendarEntry(record, providerId));
  else await storage.calendars.remove(record.tournamentId);
}
