import { Mutex } from 'async-mutex';
import { DuplicateKeyError, type Provider, type ProviderStore } from '../storage.types';
import { del, put, read, writeBatch, type BatchOp, type Db, type Sub } from './level-db';

/** Providers keyed by organisationId, with a lower-cased abbreviation index kept in the same batch. */
export class LevelDbProviders implements ProviderStore {
  private readonly mutex = new Mutex();

  constructor(
    private readonly db: Db,
    private readonly providers: Sub<Provider>,
    private readonly byAbbreviation: Sub<string>,
  ) {}

  async get(providerId: string): Promise<Provider | undefined> {
    return read(this.providers, providerId);
  }

  async getByAbbreviation(abbreviation: string): Promise<Provider | undefined> {
    const providerId = await read(this.byAbbreviation, abbreviation.toLowerCase());
    return providerId === undefined ? undefined : this.get(providerId);
  }

  create(provider: Provider): Promise<void> {
    const abbreviation = provider.organisationAbbreviation.toLowerCase();
    return this.mutex.runExclusive(async () => {
      if ((await this.get(provider.organisationId)) !== undefined) {
        throw new DuplicateKeyError('provider', provider.organisationId);
      }
      if ((await read(this.byAbbreviation, abbreviation)) !== undefined) {
        throw new DuplicateKeyError('provider abbreviation', provider.organisationAbbreviation);
      }
      await writeBatch(this.db, [
        put(this.providers, provider.organisationId, provider),
        put(this.byAbbreviation, abbreviation, provider.organisationId),
      ]);
    });
  }

  update(provider: Provider): Promise<boolean> {
    const abbreviation = provider.organisationAbbreviation.toLowerCase();
    return this.mutex.runExclusive(async () => {
      const existing = await this.get(provider.organisationId);
      if (!existing) return false;
      const owner = await read(this.byAbbreviation, abbreviation);
      if (owner !== undefined && owner !== provider.organisationId) {
        throw new DuplicateKeyError('provider abbreviation', provider.organisationAbbreviation);
      }
      const ops: BatchOp[] = [put(this.providers, provider.organisationId, provider)];
      const previous = existing.organisationAbbreviation.toLowerCase();
      if (previous !== abbreviation) ops.push(del(this.byAbbreviation, previous));
      ops.push(put(this.byAbbreviation, abbreviation, provider.organisationId));
      await writeBatch(this.db, ops);
      return true;
    });
  }

  async list(): Promise<Provider[]> {
    return this.providers.values().all();
  }
}
