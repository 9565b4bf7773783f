import { Writable } from 'node:stream';
import { createApp } from '../../src/app';
import { loadConfig } from '../../src/config/config';
import { Storage } from '../../src/storage/storage.types';
import { TEST_JWT_SECRET, testEnv, type Backend, type TestApp } from '../support/app';

export interface CapturedApp extends TestApp {
  /** Every log line written so far, as written. */
  lines: string[];
  /** The lines parsed as JSON. */
  records(): Array<Record<string, any>>;
}

/**
 * Starts the real server like `startTestApp`, with its JSON logs written to memory instead of
 * standard output. One per test file: nestjs-pino keeps the first app's logger for the process.
 */
export async function startCapturedApp(backend: Backend, env: Record<string, string>): Promise<CapturedApp> {
  const store = await testEnv(backend);
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  const config = loadConfig({ JWT_SECRET: TEST_JWT_SECRET, ...store.env, ...env });
  const app = await createApp(config, undefined, { logDestination: sink });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as { port: number };
  return {
    app,
    config,
    storage: app.get(Storage),
    url: `http://127.0.0.1:${port}`,
    port,
    lines,
    records: () => lines.map((line) => JSON.parse(line) as Record<string, any>),
    close: async () => {
      await app.close();
      await store.cleanup();
    },
  };
}
