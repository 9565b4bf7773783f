import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { LevelDbStorage } from '../src/storage/leveldb/leveldb.storage';

const MAIN = resolve(__dirname, '../src/main.ts');
const REGISTER = resolve(__dirname, 'support/swc-register.mjs');
const root = mkdtempSync(join(tmpdir(), 'cfs-startup-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Starts the real `src/main.ts` in its own process, in `cwd`, with only the given variables set. */
function startServer(env: Record<string, string>, cwd = root) {
  const child = spawn(
    process.execPath,
    ['--import', pathToFileURL(REGISTER).href, '-e', `require(${JSON.stringify(MAIN)})`],
    {
      cwd,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const output = { stdout: '', stderr: '' };
  child.stdout.on('data', (chunk: Buffer) => (output.stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output.stderr += chunk.toString()));
  const exited = new Promise<Run>((done) => child.on('exit', (code, signal) => done({ code, signal, ...output })));
  return { child, exited };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const { port } = server.address() as { port: number };
  await new Promise((closed) => server.close(closed));
  return port;
}

async function refusedWith(env: Record<string, string>): Promise<string> {
  const run = await startServer({ NODE_ENV: 'test', LOG_LEVEL: 'silent', ...env }).exited;
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
    const port = await freePort();
    const server = startServer({ APP_PORT: String(port), LOG_LEVEL: 'silent' }, cwd);
    try {
      const health = await poll(`http://127.0.0.1:${port}/health`, server.exited);
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

/** GETs `url` until it answers, failing early if the process exits first. */
async function poll(url: string, exited: Promise<Run>): Promise<unknown> {
  let gone: Run | undefined;
  void exited.then((run) => (gone = run));
  for (let attempt = 0; attempt < 100; attempt += 1) {
    if (gone) throw new Error(`server exited with ${gone.code}: ${gone.stderr}`);
    const answer = await fetch(url).then(
      (response) => response.json() as Promise<unknown>,
      () => undefined,
    );
    if (answer !== undefined) return answer;
    await new Promise((wait) => setTimeout(wait, 100));
  }
  throw new Error(`no answer from ${url}`);
}
