import type { Pool } from 'pg';
import { DuplicateKeyError, type Provider, type ProviderStore } from '../storage.types';
import { uniqueViolation } from './pool';

/** Providers as sent (JSONB), with a unique index on the lower-cased abbreviation. */
export class PgProviders implements ProviderStore {
  constructor(private readonly pool: Pool) {}

  async get(providerId: string): Promise<Provider | undefined> {
    const { rows } = await this.pool.query<{ data: Provider }>(
      'SELECT data FROM providers WHERE organisation_id = $1',
      [providerId],
    );
    return rows[0]?.data;
  }

  async getByAbbreviation(abbreviation: string): Promise<Provider | undefined> {
    const { rows } = await this.pool.query<{ data: Provider }>(
      'SELECT data FROM providers WHERE lower(abbreviation) = lower($1)',
      [abbreviation],
    );
    return rows[0]?.data;
  }

  async create(provider: Provider): Promise<void> {
    try {
      await this.pool.query('INSERT INTO providers (organisation_id, abbreviation, data) VALUES ($1, $2, $3::jsonb)', [
        provider.organisationId,
        provider.organisationAbbreviation,
        JSON.stringify(provider),
      ]);
    } catch (error) {
      throw duplicateOf(error, provider);
    }
  }

  async update(provider: Provider): Promise<boolean> {
    try {
      const { rowCount } = await this.pool.query(
        'UPDATE providers SET abbreviation = $2, data = $3::jsonb WHERE organisation_id = $1',
        [provider.organisationId, provider.organisationAbbreviation, JSON.stringify(provider)],
      );
      return (rowCount ?? 0) > 0;
    } catch (error) {
      throw duplicateOf(error, provider);
    }
  }

  async list(): Promise<Provider[]> {
    const { rows } = await this.pool.query<{ data: Provider }>('SELECT data FROM providers ORDER BY organisation_id');
    return rows.map((row) => row.data);
  }
}

function duplicateOf(error: unknown, provider: Provider): unknown {
  const violation = uniqueViolation(error);
  if (!violation) return error;
  return violation.constraint === 'providers_pkey'
    ? new DuplicateKeyError('provider', provider.organisationId)
    : new DuplicateKeyError('provider abbreviation', provider.organisationAbbreviation);
}
