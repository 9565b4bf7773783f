import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LevelDbStorage } from '../src/storage/leveldb/leveldb.storage';
import { spawnServer, waitUntilHealthy } from './support/server-process';

const root = mkdtempSync(join(tmpdir(), 'cfs-startup-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function refusedWith(env: Record<string, string>): Promise<string> {
  const run = await (await spawnServer(env, root)).exited;
  expect(run.code).toBe(1);
  const lines = run.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  return lines[0]!;
}

describe('server start-up', () => {
  it('refuses an unknown STORAGE_PROVIDER with one line naming it', async () => {
    const line = await refusedWith({ STORAGE_PROVIDER: 'bogus' });
    expect(line).toMatch(/^Invalid configuration: STORAGE_PROVIDER: .*"bogus"/);
  });

  it('refuses a LevelDB folder held by another process with one plain line', async () => {
    const path = join(root, 'held', 'leveldb');
    const holder = new LevelDbStorage({ path });
    await holder.open();
    try {
      const line = await refusedWith({ LEVELDB_PATH: path });
      expect(line).toBe(
        `LevelDB folder ${path} is locked by another process (is a server already running? LevelDB allows one process; use PostgreSQL for several)`,
      );
    } finally {
      await holder.close();
    }
  });

  it('refuses an unreachable PostgreSQL with one line that names it but not the password', async () => {
    const line = await refusedWith({
      STORAGE_PROVIDER: 'postgres',
      PG_HOST: '127.0.0.1',
      PG_PORT: '1',
      PG_PASSWORD: 'hunter2-secret',
    });
    expect(line).toContain('PostgreSQL at 127.0.0.1:1 refused the connection');
    expect(line).not.toContain('hunter2-secret');
  });

  it('starts with no configuration, serves /health, keeps data in ./data and stops on SIGTERM', async () => {
    const cwd = mkdtempSync(join(root, 'fresh-'));
    // An empty value counts as unset: no NODE_ENV, as on a fresh machine (only the port is chosen).
    const server = await spawnServer({ NODE_ENV: '' }, cwd);
    try {
      const health = await waitUntilHealthy(server);
      expect(health).toMatchObject({ status: 'ok', storage: { provider: 'leveldb', status: 'up' } });
    } finally {
      server.child.kill('SIGTERM');
    }
    const run = await server.exited;
    // The server handles SIGTERM itself: it closes everything and exits 0 (docs/lifecycle.md).
    expect(run).toMatchObject({ code: 0, signal: null });
    expect(run.stderr).toBe('');
    // The embedded store and the generated development secret live in the working folder.
    expect(existsSync(join(cwd, 'data', 'leveldb', 'CURRENT'))).toBe(true);
    expect(existsSync(join(cwd, 'data', 'jwt-secret'))).toBe(true);
  });
});
