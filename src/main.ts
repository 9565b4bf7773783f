import { config as loadDotenv } from 'dotenv';
import { createApp } from './app';
import { ConfigError, loadConfig } from './config/config';
import { handleShutdownSignals, shutdown } from './lifecycle/shutdown';
import { StorageUnavailableError } from './storage/storage.types';

async function main(): Promise<void> {
  loadDotenv({ quiet: true });
  const config = loadConfig();
  const app = await createApp(config);
  const timeoutMs = config.shutdownTimeoutMs;
  handleShutdownSignals({ run: () => shutdown(app, timeoutMs), timeoutMs });
  await app.listen(config.port);
}

main().catch((error: unknown) => {
  // Configuration and storage problems are the operator's to fix: one plain line, no stack.
  const plain = error instanceof ConfigError || error instanceof StorageUnavailableError;
  console.error(plain ? (error as Error).message : error);
  process.exit(1);
});
