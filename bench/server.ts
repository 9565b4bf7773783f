import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import { Client } from 'pg';

const ROOT = resolve(__dirname, '..');
/** The engine pool's worker bundle (scripts/build-engine-worker.mjs), which a server with workers needs. */
const WORKER_BUNDLE = join(ROOT, 'build', 'engine', 'worker.cjs');

export interface SpawnOptions {
  storage: 'leveldb' | 'postgres';
  /** Admin connection to create (and drop) a throwaway database in. */
  pgUrl: string;
  /** Redis URL, or undefined for the in-process cache. */
  redisUrl?: string;
  /** `src`: TypeScript compiled on the fly by SWC (no build); `dist`: the output of `pnpm build`. */
  entry: 'src' | 'dist';
  logLevel: string;
  /** Extra environment for the server (overrides). */
  env?: Record<string, string>;
}

/** A server process the bench started, with everything it must clean up. */
export interface BenchServer {
  url: string;
  pid: number;
  superadmin: { email: string; password: string };
  /** Stops the process (SIGTERM, then SIGKILL after 10 s) and removes its store and cache keys. */
  stop(): Promise<void>;
}

/**
 * Starts `src/main.ts` (or `dist/main.js`) on a free port with a fresh store: a temporary LevelDB
 * folder or a new PostgreSQL database, and its own Redis key prefix. The superadmin is created by
 * the server itself at first start (SUPERADMIN_EMAIL/PASSWORD), so the bench signs in over HTTP as a
 * real client would. Desk rate limits are raised: the bench sends faster than a person at a desk.
 */
export async function spawnBenchServer(options: SpawnOptions): Promise<BenchServer> {
  const cleanups: Array<() => Promise<void>> = [];
  const cleanup = async () => {
    for (const step of cleanups.splice(0).reverse()) await step().catch(() => undefined);
  };
  try {
    // ENGINE_WORKERS=0 runs the engine on the main thread, without the bundle.
    const workers = options.env?.ENGINE_WORKERS === undefined || Number(options.env.ENGINE_WORKERS) !== 0;
    // From src/, the worker is bundled from the same sources, as the test setup does (a second or so);
    // dist/ is run as `pnpm build` left it, bundle included.
    if (workers && options.entry === 'src') await buildWorkerOnce();
    if (workers && options.entry === 'dist' && !existsSync(WORKER_BUNDLE))
      throw new Error('build/engine/worker.cjs is missing: run `pnpm build` (or --env ENGINE_WORKERS=0)');
    // One folder per run: the LevelDB store (if any) and the server's log, removed at the end.
    const dir = mkdtempSync(join(tmpdir(), 'cfs-bench-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const store = await createStore(options, dir);
    cleanups.push(store.cleanup);
    const redisPrefix = `cfs-bench:${Date.now().toString(36)}${randomBytes(3).toString('hex')}:`;
    if (options.redisUrl) cleanups.push(() => deleteRedisPrefix(options.redisUrl!, redisPrefix));
    const port = await freePort();
    const superadmin = { email: 'bench-admin@example.com', password: randomBytes(18).toString('base64url') };
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      TZ: 'UTC',
      NODE_ENV: 'production',
      LOG_LEVEL: options.logLevel,
      APP_PORT: String(port),
      JWT_SECRET: randomBytes(48).toString('base64url'),
      SUPERADMIN_EMAIL: superadmin.email,
      SUPERADMIN_PASSWORD: superadmin.password,
      SOCKET_EVENTS_PER_10S: '1000000',
      ...store.env,
      ...(options.redisUrl ? { REDIS_URL: options.redisUrl, REDIS_KEY_PREFIX: redisPrefix } : {}),
      ...options.env,
    };
    const args =
      options.entry === 'dist'
        ? [join(ROOT, 'dist', 'main.js')]
        : [
            '--import',
            pathToFileURL(join(ROOT, 'test', 'support', 'swc-register.mjs')).href,
            '-e',
            `require(${JSON.stringify(join(ROOT, 'src', 'main.ts'))})`,
          ];
    if (options.entry === 'dist' && !existsSync(args[0])) throw new Error('dist/main.js is missing: run `pnpm build`');
    // Logs go to a file, not through a pipe the bench would have to drain while it measures.
    const logFile = join(dir, 'server.log');
    const log = openSync(logFile, 'a');
    const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', log, log] });
    closeSync(log);
    const tail = () => readFileSync(logFile, 'utf8').slice(-8000);
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    let gone = false;
    void exited.then(() => (gone = true));
    cleanups.push(async () => {
      if (gone) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    });
    const url = `http://127.0.0.1:${port}`;
    await waitUntilHealthy(url, () => (gone ? tail() : undefined));
    return { url, pid: child.pid!, superadmin, stop: cleanup };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

let workerBuilt: Promise<void> | undefined;

/** Bundles the engine worker from src/ once per bench process (every run's server uses the same sources). */
function buildWorkerOnce(): Promise<void> {
  workerBuilt ??= importEsm<{ buildEngineWorker(): Promise<void> }>(
    pathToFileURL(join(ROOT, 'scripts', 'build-engine-worker.mjs')).href,
  ).then((script) => script.buildEngineWorker());
  // A failed build is not kept: the next run tries again.
  workerBuilt.catch(() => (workerBuilt = undefined));
  return workerBuilt;
}

/**
 * A real `import()`: the bench is compiled to CommonJS, where `import()` becomes `require()`, which
 * cannot load an ES module with top-level await (the build script runs itself with one).
 */
const importEsm = new Function('specifier', 'return import(specifier)') as <T>(specifier: string) => Promise<T>;

async function createStore(
  options: SpawnOptions,
  dir: string,
): Promise<{ env: Record<string, string>; cleanup: () => Promise<void> }> {
  if (options.storage === 'leveldb') {
    return { env: { STORAGE_PROVIDER: 'leveldb', LEVELDB_PATH: join(dir, 'leveldb') }, cleanup: async () => undefined };
  }
  const name = `cfs_bench_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  await withClient(options.pgUrl, (client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(options.pgUrl);
  url.pathname = `/${name}`;
  return {
    env: { STORAGE_PROVIDER: 'postgres', DATABASE_URL: url.toString() },
    cleanup: () =>
      withClient(options.pgUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(
        () => undefined,
      ),
  };
}

async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Deletes the run's keys (SCAN + DEL under its own prefix; never a flush). */
async function deleteRedisPrefix(url: string, prefix: string): Promise<void> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await client.connect();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length) await client.del(...keys);
    } while (cursor !== '0');
  } finally {
    client.disconnect();
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const { port } = server.address() as { port: number };
  await new Promise((closed) => server.close(closed));
  return port;
}

async function waitUntilHealthy(url: string, died: () => string | undefined, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const output = died();
    if (output !== undefined) throw new Error(`the server exited during start:\n${output}`);
    const ok = await fetch(`${url}/health`).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((wait) => setTimeout(wait, 200));
  }
  throw new Error(`no healthy answer from ${url} within ${timeoutMs / 1000} s`);
}
