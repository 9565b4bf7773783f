import { Storage, StorageUnavailableError } from '../storage.types';

type PostgresOptions = {
  connectionString?: string;
  host: string;
  port: number;
  user: string;
  password?: string;
  database: string;
  poolMax: number;
};

const notYet = () => {
  throw new StorageUnavailableError('PostgreSQL storage is not implemented yet; use STORAGE_PROVIDER=leveldb');
};

/** Placeholder until the PostgreSQL store lands: refuses to open with a plain message. */
export class PostgresStorage extends Storage {
  readonly kind = 'postgres';

  constructor(readonly options: PostgresOptions) {
    super();
  }

  get tournaments(): never {
    return notYet();
  }
  get log(): never {
    return notYet();
  }
  get users(): never {
    return notYet();
  }
  get providers(): never {
    return notYet();
  }
  get calendars(): never {
    return notYet();
  }
  get codes(): never {
    return notYet();
  }

  async open(): Promise<void> {
    notYet();
  }
  async ping(): Promise<void> {
    notYet();
  }
  async close(): Promise<void> {}
}
