import { Logger } from '@nestjs/common';
import { Pool, type PoolClient } from 'pg';
import { StorageUnavailableError } from '../storage.types';

export interface PostgresOptions {
  connectionString?: string;
  host: string;
  port: number;
  user: string;
  password?: string;
  database: string;
  poolMax: number;
}

const CONNECT_TIMEOUT_MS = 5_000;

export function createPool(options: PostgresOptions): Pool {
  const target = options.connectionString
    ? { connectionString: options.connectionString }
    : {
        host: options.host,
        port: options.port,
        user: options.user,
        password: options.password,
        database: options.database,
      };
  const pool = new Pool({
    ...target,
    max: options.poolMax,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
    // Bounds a stuck query or an abandoned transaction instead of holding row locks forever.
    statement_timeout: 60_000,
    idle_in_transaction_session_timeout: 60_000,
    application_name: 'competition-factory-server',
  });
  // An idle client losing its connection (server restart, failover) must not crash the process;
  // the pool drops that client and the next query opens a new one.
  const logger = new Logger('PostgresStorage');
  pool.on('error', (error) => logger.warn(`idle PostgreSQL connection failed: ${error.message}`));
  return pool;
}

/** host:port/database as the pool will use them; never the password. */
export function describeTarget(options: PostgresOptions): {
  host: string;
  port: string;
  database: string;
  user: string;
} {
  if (options.connectionString) {
    try {
      const url = new URL(options.connectionString);
      return {
        host: url.searchParams.get('host') ?? (url.hostname || 'localhost'),
        port: url.port || '5432',
        database: decodeURIComponent(url.pathname.slice(1)) || decodeURIComponent(url.username) || 'postgres',
        user: decodeURIComponent(url.username) || 'postgres',
      };
    } catch {
      return { host: '(DATABASE_URL)', port: '?', database: '?', user: '?' };
    }
  }
  return { host: options.host, port: String(options.port), database: options.database, user: options.user };
}

/** One line an operator can act on, naming the cause; the password is never part of it. */
export function connectionError(options: PostgresOptions, error: unknown): StorageUnavailableError {
  const { host, port, database, user } = describeTarget(options);
  const where = `PostgreSQL at ${host}:${port}`;
  const { code, message = String(error) } = error as { code?: string; message?: string };
  const reasons: Record<string, string> = {
    ECONNREFUSED: `${where} refused the connection (is the server running?)`,
    ENOTFOUND: `PostgreSQL host "${host}" could not be resolved`,
    EAI_AGAIN: `PostgreSQL host "${host}" could not be resolved`,
    ETIMEDOUT: `${where} did not answer`,
    '3D000': `${where} has no database "${database}" (create it, or set PG_DATABASE / DATABASE_URL)`,
    '28P01': `${where} refused user "${user}": wrong password`,
    '28000': `${where} refused user "${user}" for database "${database}"`,
  };
  const reason =
    (code && reasons[code]) ??
    (/timeout/i.test(message)
      ? `${where} did not answer within ${CONNECT_TIMEOUT_MS / 1000} s`
      : `${where}, database "${database}": ${scrub(message, options)}`);
  return new StorageUnavailableError(`Cannot open storage: ${reason}`);
}

function scrub(message: string, options: PostgresOptions): string {
  const secrets = [options.password, passwordOf(options.connectionString)].filter((value): value is string => !!value);
  return secrets.reduce((text, secret) => text.split(secret).join('***'), message.split('\n')[0] ?? '');
}

function passwordOf(connectionString?: string): string | undefined {
  try {
    return connectionString ? decodeURIComponent(new URL(connectionString).password) || undefined : undefined;
  } catch {
    return undefined;
  }
}

/** Runs `work` in one transaction on one client; rolls back on any error. */
export async function transaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    // A client whose rollback fails has a broken connection: release it as such, so the pool drops it.
    await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
    throw error;
  } finally {
    client.release(broken);
  }
}

/** PostgreSQL's unique_violation; `constraint` names the index that refused the row. */
export function uniqueViolation(error: unknown): { constraint?: string } | undefined {
  const { code, constraint } = error as { code?: string; constraint?: string };
  return code === '23505' ? { constraint } : undefined;
}
