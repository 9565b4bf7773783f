import { Writable } from 'node:stream';
import { loadConfig } from '../../src/config/config';
import { listenApp, TEST_JWT_SECRET, testEnv, type Backend, type TestApp } from '../support/app';

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
  const t = await listenApp(config, { logDestination: sink });
  return {
    ...t,
    lines,
    records: () => lines.map((line) => JSON.parse(line) as Record<string, any>),
    close: async () => {
      await t.close();
      await store.cleanup();
    },
  };
}
