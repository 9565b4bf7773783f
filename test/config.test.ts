import { mkdtempSync, readFileSync, rmSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseEnv } from '../src/config/config';

const root = mkdtempSync(join(tmpdir(), 'cfs-config-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let folders = 0;
/** A fresh data folder per test, so generated secrets never leak between tests. */
const leveldbPath = () => join(root, `data-${(folders += 1)}`, 'leveldb');

function configError(env: Record<string, string>): string {
  try {
    parseEnv(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error(`expected ${JSON.stringify(env)} to be refused`);
}

describe('configuration', () => {
  it('starts with no configuration at all: port 8383, LevelDB in ./data/leveldb, in-process cache', () => {
    const env = parseEnv({});
    expect(env).toMatchObject({
      APP_PORT: 8383,
      NODE_ENV: 'development',
      STORAGE_PROVIDER: 'leveldb',
      LEVELDB_PATH: './data/leveldb',
      JWT_VALIDITY: '1d',
      REFRESH_TOKEN_VALIDITY: '30d',
      CORS_ORIGINS: ['*'],
      MAX_BODY_BYTES: 16 * 1024 * 1024,
      SOCKET_QUEUE_MAX_BYTES: 64 * 1024 * 1024,
      LOG_LEVEL: 'info',
    });
    expect(env.REDIS_URL).toBeUndefined();

    const path = leveldbPath();
    const config = loadConfig({ LEVELDB_PATH: path });
    expect(config.port).toBe(8383);
    expect(config.storage).toEqual({ provider: 'leveldb', path: resolve(path) });
    expect(config.redis).toBeUndefined();
    expect(config.maxBodyBytes).toBe(16_777_216);
  });

  it('treats an empty value as unset, as .env files write it', () => {
    expect(parseEnv({ APP_PORT: '', REDIS_URL: '', JWT_SECRET: '' })).toMatchObject({ APP_PORT: 8383 });
  });

  it('reads typed values', () => {
    const config = loadConfig({
      APP_PORT: '9000',
      STORAGE_PROVIDER: 'postgres',
      DATABASE_URL: 'postgres://app@db.internal:5433/factory',
      PG_POOL_MAX: '25',
      REDIS_URL: 'redis://127.0.0.1:6379',
      CORS_ORIGINS: 'https://a.example, https://b.example',
      JWT_SECRET: 'x'.repeat(32),
      PUBLIC_CACHE_WARM: 'false',
    });
    expect(config.port).toBe(9000);
    expect(config.storage).toMatchObject({
      provider: 'postgres',
      connectionString: 'postgres://app@db.internal:5433/factory',
      poolMax: 25,
      host: 'localhost',
      port: 5432,
    });
    expect(config.redis).toEqual({ url: 'redis://127.0.0.1:6379', keyPrefix: 'cfs:' });
    expect(config.corsOrigins).toEqual(['https://a.example', 'https://b.example']);
    expect(config.publicCache.warm).toBe(false);
  });

  it.each([
    ['APP_PORT', 'eighty'],
    ['APP_PORT', '70000'],
    ['NODE_ENV', 'staging'],
    ['STORAGE_PROVIDER', 'bogus'],
    ['DATABASE_URL', 'mysql://root@localhost/db'],
    ['PG_PORT', '0'],
    ['PG_POOL_MAX', '0'],
    ['REDIS_URL', 'http://localhost:6379'],
    ['JWT_SECRET', 'too-short'],
    ['JWT_VALIDITY', 'forever'],
    ['REFRESH_TOKEN_VALIDITY', '30 days'],
    ['MAX_BODY_BYTES', '-1'],
    ['LOG_LEVEL', 'loud'],
    ['PUBLIC_CACHE_WARM', 'maybe'],
    ['LOCK_TIMEOUT_MS', '1.5'],
    ['SOCKET_QUEUE_MAX_BYTES', '0'],
    ['SOCKET_QUEUE_MAX_BYTES', '64MiB'],
    ['TRUST_PROXY', 'yes'],
    ['TRUST_PROXY', '10.0.0.0/8, proxy.internal'],
  ])('refuses %s=%s with a message naming it', (name, value) => {
    const message = configError({ [name]: value });
    expect(message).toMatch(new RegExp(`^Invalid configuration: .*\\b${name}: `));
  });

  it('reads TRUST_PROXY as Express takes it: a flag, a hop count or addresses', () => {
    expect(parseEnv({}).TRUST_PROXY).toBe(false);
    expect(parseEnv({ TRUST_PROXY: 'true' }).TRUST_PROXY).toBe(true);
    expect(parseEnv({ TRUST_PROXY: '2' }).TRUST_PROXY).toBe(2);
    expect(parseEnv({ TRUST_PROXY: 'loopback, 10.0.0.0/8, ::1' }).TRUST_PROXY).toEqual([
      'loopback',
      '10.0.0.0/8',
      '::1',
    ]);
  });

  it('names every wrong variable at once', () => {
    const message = configError({ APP_PORT: 'x', STORAGE_PROVIDER: 'mongo' });
    expect(message).toContain('APP_PORT: ');
    expect(message).toContain('STORAGE_PROVIDER: ');
    expect(message).toContain('(got "mongo")');
  });

  it('never repeats a secret value in the message', () => {
    const message = configError({ JWT_SECRET: 'short-secret-value', DATABASE_URL: 'mysql://u:pa55word@h/db' });
    expect(message).toContain('JWT_SECRET: ');
    expect(message).toContain('DATABASE_URL: ');
    expect(message).not.toContain('short-secret-value');
    expect(message).not.toContain('pa55word');
  });

  it('refuses production without JWT_SECRET, and accepts it with one', () => {
    expect(configError({ NODE_ENV: 'production' })).toContain('JWT_SECRET: is required when NODE_ENV=production');
    const path = leveldbPath();
    const config = loadConfig({ NODE_ENV: 'production', JWT_SECRET: 's'.repeat(40), LEVELDB_PATH: path });
    expect(config.jwt.secret).toBe('s'.repeat(40));
    expect(existsSync(join(path, '..', 'jwt-secret'))).toBe(false);
  });

  it('wants SUPERADMIN_EMAIL and SUPERADMIN_PASSWORD together', () => {
    expect(configError({ SUPERADMIN_EMAIL: 'root@example.org' })).toContain('SUPERADMIN_PASSWORD: ');
    expect(configError({ SUPERADMIN_PASSWORD: 'long-enough' })).toContain('SUPERADMIN_EMAIL: ');
    expect(configError({ SUPERADMIN_EMAIL: 'not-an-email', SUPERADMIN_PASSWORD: 'long-enough' })).toContain(
      'SUPERADMIN_EMAIL: ',
    );
  });

  it('generates a development secret once per data folder and reuses it', () => {
    const path = leveldbPath();
    const first = loadConfig({ LEVELDB_PATH: path }).jwt.secret;
    const file = join(path, '..', 'jwt-secret');
    expect(first.length).toBeGreaterThanOrEqual(32);
    expect(readFileSync(file, 'utf8').trim()).toBe(first);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(loadConfig({ LEVELDB_PATH: path }).jwt.secret).toBe(first);
    expect(loadConfig({ LEVELDB_PATH: leveldbPath() }).jwt.secret).not.toBe(first);
  });
});
