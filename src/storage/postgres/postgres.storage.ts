import type { Pool } from 'pg';
import { Storage, StorageUnavailableError } from '../storage.types';
import { migrate } from './migrate';
import { PgCalendars } from './pg-calendars';
import { PgChat } from './pg-chat';
import { PgCodes } from './pg-codes';
import { PgProviders } from './pg-providers';
import { PgRefreshTokens } from './pg-refresh-tokens';
import { PgTournaments } from './pg-tournaments';
import { PgUsers } from './pg-users';
import { connectionError, createPool, type PostgresOptions } from './pool';

interface Opened {
  pool: Pool;
  tournaments: PgTournaments;
  users: PgUsers;
  providers: PgProviders;
  calendars: PgCalendars;
  codes: PgCodes;
  refreshTokens: PgRefreshTokens;
  chat: PgChat;
}

const PING_TIMEOUT_MS = 3_000;

/**
 * PostgreSQL store: one table per entity, JSONB records, migrations at open. Several server
 * instances may share one database: commits serialise per tournament inside the database.
 */
export class PostgresStorage extends Storage {
  readonly kind = 'postgres';
  private opened?: Opened;

  constructor(private readonly options: PostgresOptions) {
    super();
  }

  async open(): Promise<void> {
    if (this.opened) return;
    const pool = createPool(this.options);
    try {
      const client = await pool.connect();
      try {
        await migrate(client);
      } finally {
        client.release();
      }
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw connectionError(this.options, error);
    }
    this.opened = {
      pool,
      tournaments: new PgTournaments(pool),
      users: new PgUsers(pool),
      providers: new PgProviders(pool),
      calendars: new PgCalendars(pool),
      codes: new PgCodes(pool),
      refreshTokens: new PgRefreshTokens(pool),
      chat: new PgChat(pool),
    };
  }

  async ping(): Promise<void> {
    const pool = this.parts().pool;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new StorageUnavailableError('PostgreSQL did not answer in time')),
        PING_TIMEOUT_MS,
      );
    });
    try {
      await Promise.race([pool.query('SELECT 1'), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    const opened = this.opened;
    this.opened = undefined;
    await opened?.pool.end();
  }

  protected parts(): Opened {
    if (!this.opened) throw new StorageUnavailableError('PostgreSQL store is not open');
    return this.opened;
  }
}
