import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import { z } from 'zod';

const port = z.coerce.number().int().min(1).max(65535);
const positiveInt = z.coerce.number().int().positive();
const nonNegativeInt = z.coerce.number().int().min(0);
const bool = z.enum(['true', 'false', '1', '0']).transform((value) => value === 'true' || value === '1');
// jsonwebtoken's `expiresIn`: seconds, or a number with a unit (30m, 12h, 1d, 2w).
const duration = z.string().regex(/^\d+[smhdw]?$/, 'expected seconds or a number with a unit, e.g. 3600, 30m, 12h, 1d');
const csv = z.string().transform((value) =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean),
);
// Express's `trust proxy`: true/false, a hop count, or addresses/subnets (and Express's names for ranges).
const TRUST_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);
const trustProxy = z.string().transform((value, ctx): boolean | number | string[] => {
  if (value === 'true' || value === 'false') return value === 'true';
  if (/^\d+$/.test(value)) return Number(value);
  const items = value.split(',').map((item) => item.trim());
  const bad = items.find((item) => !TRUST_NAMES.has(item) && !isIP(item.replace(/\/\d{1,3}$/, '')));
  if (bad === undefined) return items;
  ctx.addIssue({ code: 'custom', message: `expected true, false, a hop count or addresses/subnets, not "${bad}"` });
  return z.NEVER;
});

/** Every environment variable the server reads, with its default. Documented in `.env.example`. */
export const envSchema = z
  .object({
    APP_PORT: port.default(8383),
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

    STORAGE_PROVIDER: z.enum(['leveldb', 'postgres']).default('leveldb'),
    LEVELDB_PATH: z.string().min(1).default('./data/leveldb'),
    DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
    PG_HOST: z.string().min(1).default('localhost'),
    PG_PORT: port.default(5432),
    PG_USER: z.string().min(1).default('postgres'),
    PG_PASSWORD: z.string().optional(),
    PG_DATABASE: z.string().min(1).default('postgres'),
    PG_POOL_MAX: positiveInt.max(1000).default(10),

    REDIS_URL: z.url({ protocol: /^rediss?$/ }).optional(),
    REDIS_KEY_PREFIX: z.string().max(64).default('cfs:'),

    JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    JWT_VALIDITY: duration.default('1d'),
    JWT_ISSUER: z.string().min(1).default('competition-factory-server'),
    REFRESH_TOKEN_VALIDITY: duration.default('30d'),

    CORS_ORIGINS: csv.default(['*']),
    TRUST_PROXY: trustProxy.default(false),
    PUBLIC_BASE_URL: z.url({ protocol: /^https?$/ }).optional(),
    MAX_BODY_BYTES: positiveInt.default(16 * 1024 * 1024),

    SUPERADMIN_EMAIL: z.email().optional(),
    SUPERADMIN_PASSWORD: z.string().min(8, 'must be at least 8 characters').optional(),
    SMTP_URL: z.url({ protocol: /^smtps?$/ }).optional(),
    MAIL_FROM: z.string().default('Competition Factory <no-reply@localhost>'),
    PUBLIC_URL: z.url().optional(),

    LOCK_TIMEOUT_MS: positiveInt.default(15_000),
    MAX_BATCH_METHODS: positiveInt.default(1000),
    MAX_BATCH_TOURNAMENTS: positiveInt.default(20),
    HOT_RECORDS_MAX_BYTES: positiveInt.default(256 * 1024 * 1024),
    /**
     * Engine worker threads; 0 runs the engine on the main thread. A configuration built from an
     * explicit environment (tests, the CLI) still follows the process's own ENGINE_WORKERS, so a whole
     * test run can choose the mode: `ENGINE_WORKERS=0 pnpm test`.
     */
    ENGINE_WORKERS: nonNegativeInt.default(() => Number(process.env.ENGINE_WORKERS ?? availableParallelism())),
    /** Batches each engine worker runs on a tournament of its own when it starts (docs/mutations.md, Warm-up). */
    ENGINE_WARMUP_BATCHES: nonNegativeInt.default(200),
    MUTATION_LOG_RETAIN: positiveInt.default(10_000),
    SNAPSHOT_REPLAY_BUDGET_MS: positiveInt.default(250),
    SNAPSHOT_IDLE_MS: positiveInt.default(5_000),

    PUBLIC_CACHE_MAX_BYTES: positiveInt.default(64 * 1024 * 1024),
    PUBLIC_CACHE_TTL_SECONDS: positiveInt.default(3600),
    PUBLIC_CACHE_WARM: bool.default(true),
    PUBLIC_CACHE_WARM_INTERVAL_MS: z.coerce.number().int().min(0).default(1000),

    LOGIN_LIMIT_PER_IP: positiveInt.default(20),
    LOGIN_LIMIT_PER_ACCOUNT: positiveInt.default(10),
    LOGIN_LIMIT_WINDOW_SECONDS: positiveInt.default(60),

    SOCKET_EVENTS_PER_10S: positiveInt.default(300),
    SOCKET_QUEUE_MAX_BYTES: positiveInt.default(64 * 1024 * 1024),
    SHUTDOWN_TIMEOUT_MS: positiveInt.default(10_000),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === 'production' && !env.JWT_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['JWT_SECRET'], message: 'is required when NODE_ENV=production' });
    }
    if (Boolean(env.SUPERADMIN_EMAIL) !== Boolean(env.SUPERADMIN_PASSWORD)) {
      const missing = env.SUPERADMIN_EMAIL ? 'SUPERADMIN_PASSWORD' : 'SUPERADMIN_EMAIL';
      ctx.addIssue({ code: 'custom', path: [missing], message: 'must be set together with its pair' });
    }
  });

export type Env = z.infer<typeof envSchema>;
