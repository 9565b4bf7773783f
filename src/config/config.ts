import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { PostgresOptions } from '../storage/postgres/pool';
import { envSchema, type Env } from './config.schema';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** The validated, typed configuration. Read once at start; injected as `AppConfig` everywhere else. */
export class AppConfig {
  readonly port: number;
  readonly nodeEnv: Env['NODE_ENV'];
  readonly logLevel: Env['LOG_LEVEL'];
  readonly storage: { provider: 'leveldb'; path: string } | ({ provider: 'postgres' } & PostgresOptions);
  readonly redis?: { url: string; keyPrefix: string };
  readonly jwt: { secret: string; validity: string; issuer: string };
  /** How long a refresh token lasts (`REFRESH_TOKEN_VALIDITY`); each rotation starts a new one. */
  readonly refreshTokenValidity: string;
  readonly corsOrigins: string[];
  /** Express `trust proxy`: which hops' X-Forwarded-For to believe for the client address. */
  readonly trustProxy: boolean | number | string[];
  /** This server's public address (`PUBLIC_BASE_URL`), for links such as the live page's QR code; unset: the request's own. */
  readonly publicBaseUrl?: string;
  readonly maxBodyBytes: number;
  readonly superadmin?: { email: string; password: string };
  readonly mail: { smtpUrl?: string; from: string; publicUrl?: string };
  /** Sign-in attempts (login, register, password reset) allowed per window, per IP and per account. */
  readonly loginLimit: { perIp: number; perAccount: number; windowSeconds: number };
  readonly executor: {
    lockTimeoutMs: number;
    maxBatchMethods: number;
    maxBatchTournaments: number;
    hotRecordsMaxBytes: number;
    logRetain: number;
    /** Engine worker threads (docs/mutations.md, Engine pool); 0 runs the engine on the main thread. */
    engineWorkers: number;
    engineWarmUpBatches: number;
  };
  /** When whole records are stored beside the log (docs/storage.md, Snapshots). */
  readonly snapshots: { replayBudgetMs: number; idleMs: number };
  readonly publicCache: { maxBytes: number; ttlSeconds: number; warm: boolean; warmIntervalMs: number };
  readonly socketEventsPer10s: number;
  /** Bytes of batches one desk connection may have waiting for their answer (see gateway/desk-queue.ts). */
  readonly socketQueueMaxBytes: number;
  readonly shutdownTimeoutMs: number;
  /** Folder for server-owned files (the generated development JWT secret). */
  readonly dataDir: string;

  constructor(env: Env, jwtSecret: string) {
    this.port = env.APP_PORT;
    this.nodeEnv = env.NODE_ENV;
    this.logLevel = env.LOG_LEVEL;
    const leveldbPath = resolve(env.LEVELDB_PATH);
    this.dataDir = dirname(leveldbPath);
    this.storage =
      env.STORAGE_PROVIDER === 'leveldb'
        ? { provider: 'leveldb', path: leveldbPath }
        : {
            provider: 'postgres',
            connectionString: env.DATABASE_URL,
            host: env.PG_HOST,
            port: env.PG_PORT,
            user: env.PG_USER,
            password: env.PG_PASSWORD,
            database: env.PG_DATABASE,
            poolMax: env.PG_POOL_MAX,
          };
    this.redis = env.REDIS_URL ? { url: env.REDIS_URL, keyPrefix: env.REDIS_KEY_PREFIX } : undefined;
    this.jwt = { secret: jwtSecret, validity: env.JWT_VALIDITY, issuer: env.JWT_ISSUER };
    this.refreshTokenValidity = env.REFRESH_TOKEN_VALIDITY;
    this.corsOrigins = env.CORS_ORIGINS;
    this.publicBaseUrl = env.PUBLIC_BASE_URL?.replace(/\/+$/, '');
    this.trustProxy = env.TRUST_PROXY;
    this.maxBodyBytes = env.MAX_BODY_BYTES;
    this.superadmin =
      env.SUPERADMIN_EMAIL && env.SUPERADMIN_PASSWORD
        ? { email: env.SUPERADMIN_EMAIL, password: env.SUPERADMIN_PASSWORD }
        : undefined;
    this.mail = { smtpUrl: env.SMTP_URL, from: env.MAIL_FROM, publicUrl: env.PUBLIC_URL };
    this.loginLimit = {
      perIp: env.LOGIN_LIMIT_PER_IP,
      perAccount: env.LOGIN_LIMIT_PER_ACCOUNT,
      windowSeconds: env.LOGIN_LIMIT_WINDOW_SECONDS,
    };
    this.executor = {
      lockTimeoutMs: env.LOCK_TIMEOUT_MS,
      maxBatchMethods: env.MAX_BATCH_METHODS,
      maxBatchTournaments: env.MAX_BATCH_TOURNAMENTS,
      hotRecordsMaxBytes: env.HOT_RECORDS_MAX_BYTES,
      logRetain: env.MUTATION_LOG_RETAIN,
      engineWorkers: env.ENGINE_WORKERS,
      engineWarmUpBatches: env.ENGINE_WARMUP_BATCHES,
    };
    this.snapshots = { replayBudgetMs: env.SNAPSHOT_REPLAY_BUDGET_MS, idleMs: env.SNAPSHOT_IDLE_MS };
    this.publicCache = {
      maxBytes: env.PUBLIC_CACHE_MAX_BYTES,
      ttlSeconds: env.PUBLIC_CACHE_TTL_SECONDS,
      warm: env.PUBLIC_CACHE_WARM,
      warmIntervalMs: env.PUBLIC_CACHE_WARM_INTERVAL_MS,
    };
    this.socketEventsPer10s = env.SOCKET_EVENTS_PER_10S;
    this.socketQueueMaxBytes = env.SOCKET_QUEUE_MAX_BYTES;
    this.shutdownTimeoutMs = env.SHUTDOWN_TIMEOUT_MS;
  }
}

/** Validates the environment. Throws a `ConfigError` whose message names every offending variable. */
export function parseEnv(source: NodeJS.ProcessEnv = process.env): Env {
  // An empty value means "unset", as in most .env files.
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== undefined && value !== ''));
  const result = envSchema.safeParse(cleaned);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = String(issue.path[0] ?? 'environment');
    const value = cleaned[name];
    const shown =
      value === undefined || /SECRET|PASSWORD|DATABASE_URL|REDIS_URL|SMTP_URL/.test(name) ? '' : ` (got "${value}")`;
    return `${name}: ${issue.message}${shown}`;
  });
  throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
}

/**
 * Loads the configuration. Without `JWT_SECRET` (allowed outside production) a random secret is
 * generated once and kept in the data folder, so tokens survive a restart.
 */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): AppConfig {
  const env = parseEnv(source);
  const secret = env.JWT_SECRET ?? developmentSecret(dirname(resolve(env.LEVELDB_PATH)));
  return new AppConfig(env, secret);
}

function developmentSecret(dataDir: string): string {
  const file = join(dataDir, 'jwt-secret');
  try {
    const existing = readFileSync(file, 'utf8').trim();
    if (existing.length >= 32) return existing;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, secret + '\n', { mode: 0o600 });
  return secret;
}
