import { Storage, StorageUnavailableError } from '../storage.types';
import { KeyedMutex } from './keyed-mutex';
import { LevelDbChat } from './leveldb-chat';
import { openLevel, type Db } from './level-db';
import { LevelDbCalendars } from './leveldb-calendars';
import { LevelDbCodes } from './leveldb-codes';
import { LevelDbProviders } from './leveldb-providers';
import { LevelDbRefreshTokens } from './leveldb-refresh-tokens';
import { LevelDbTournaments } from './leveldb-tournaments';
import { LevelDbUsers } from './leveldb-users';

interface Opened {
  db: Db;
  tournaments: LevelDbTournaments;
  users: LevelDbUsers;
  providers: LevelDbProviders;
  calendars: LevelDbCalendars;
  codes: LevelDbCodes;
  refreshTokens: LevelDbRefreshTokens;
  chat: LevelDbChat;
}

/**
 * The embedded store: one LevelDB folder, one sublevel per entity. LevelDB locks its folder, so
 * exactly one process may use it; several server instances need PostgreSQL.
 */
export class LevelDbStorage extends Storage {
  readonly kind = 'leveldb';
  private opened?: Opened;

  constructor(private readonly options: { path: string }) {
    super();
  }

  async open(): Promise<void> {
    if (this.opened) return;
    const { db, subs } = await openLevel(this.options.path);
    this.opened = {
      db,
      tournaments: new LevelDbTournaments(db, subs, new KeyedMutex()),
      users: new LevelDbUsers(db, subs.users),
      providers: new LevelDbProviders(db, subs.providers, subs.providerAbbr),
      calendars: new LevelDbCalendars(db, subs.calendar, subs.calendarOwner),
      codes: new LevelDbCodes(db, subs.codes),
      refreshTokens: new LevelDbRefreshTokens(db, subs),
      chat: new LevelDbChat(db),
    };
  }

  async ping(): Promise<void> {
    const db = this.opened?.db;
    if (db?.status !== 'open') throw new StorageUnavailableError('LevelDB store is not open');
    await db.get('ping');
  }

  async close(): Promise<void> {
    const opened = this.opened;
    this.opened = undefined;
    await opened?.db.close();
  }

  protected parts(): Opened {
    if (!this.opened) throw new StorageUnavailableError('LevelDB store is not open');
    return this.opened;
  }
}
