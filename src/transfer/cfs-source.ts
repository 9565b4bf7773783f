import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { tournamentProviderId } from '../auth/access';
import { connectionError } from '../storage/postgres/pool';
import type { MutationLogEntry, Provider, StoredUser, TournamentRecord } from '../storage/storage.types';
import { normalizeEmail } from '../users/users.service';
import { ImportError, type ImportItem } from './items';
import type { ImportSummary } from './summary';

/** Who the log says saved a carried-over record. */
export const CFS_IMPORT_USER = 'courthive-import';
/** Tournament rows read per query (each parsed whole): memory stays flat however many there are. */
const PAGE = 2;
const HASH = /^\$2[aby]\$\d{2}\$|^\$argon2/;

type Row = Record<string, unknown>;

/**
 * A CourtHive Competition Factory Server's PostgreSQL database (public schema) as import items:
 * providers, users (bcrypt hashes kept: they are upgraded at the next sign-in) and every record at
 * version 1 with one `save` log entry. Calendars are rebuilt from the records, not copied; pending
 * reset and access codes are not carried over. Rows that cannot be carried are refused in `summary`.
 */
export class CfsSource {
  private constructor(
    private readonly client: Client,
    private readonly columns: Map<string, Set<string>>,
  ) {}

  static async open(url: string): Promise<CfsSource> {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      throw new ImportError('--from-cfs-postgres: not a postgres:// URL');
    }
    const options = {
      connectionString: url,
      host: target.hostname,
      port: Number(target.port || 5432),
      user: decodeURIComponent(target.username),
      database: decodeURIComponent(target.pathname.slice(1)),
      poolMax: 1,
    };
    const client = new Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
    try {
      await client.connect();
    } catch (error) {
      await client.end().catch(() => undefined);
      throw new ImportError(
        connectionError(options, error).message.replace('Cannot open storage', 'Cannot read the CourtHive database'),
      );
    }
    const { rows } = await client.query<{ table_name: string; column_name: string }>(
      `SELECT table_name, column_name FROM information_schema.columns
        WHERE table_schema = 'public' AND table_name IN ('tournaments', 'users', 'providers', 'calendars', 'reset_codes', 'access_codes')`,
    );
    const columns = new Map<string, Set<string>>();
    for (const row of rows)
      columns.set(row.table_name, (columns.get(row.table_name) ?? new Set()).add(row.column_name));
    const missing = ['tournaments', 'users', 'providers'].filter((table) => !columns.has(table));
    if (missing.length) {
      await client.end();
      throw new ImportError(
        `the database ${options.database} has no table ${missing.join(', ')} in its public schema: is it a CourtHive server's database?`,
      );
    }
    return new CfsSource(client, columns);
  }

  close(): Promise<void> {
    return this.client.end();
  }

  async countTournaments(): Promise<number> {
    const { rows } = await this.client.query<{ count: number }>('SELECT count(*)::int AS count FROM tournaments');
    return rows[0]?.count ?? 0;
  }

  /** Everything to import, in the order an export has it; refusals go to `summary`. */
  async *items(summary: ImportSummary): AsyncGenerator<ImportItem> {
    const providers = new Map<string, Provider>();
    for (const row of (await this.client.query<Row>('SELECT * FROM providers ORDER BY provider_id')).rows) {
      const provider = toProvider(row);
      if (typeof provider === 'string') {
        summary.refuse('provider', provider);
        continue;
      }
      providers.set(provider.organisationId, provider);
      yield { type: 'provider', provider };
    }
    yield* this.users(summary);
    let after = '';
    for (;;) {
      const { rows } = await this.client.query<Row>(
        'SELECT * FROM tournaments WHERE tournament_id > $1 ORDER BY tournament_id LIMIT $2',
        [after, PAGE],
      );
      if (!rows.length) break;
      for (const row of rows) {
        const item = toTournament(row, providers);
        if (typeof item === 'string') summary.refuse('tournament', item);
        else yield item;
      }
      after = String(rows.at(-1)!.tournament_id);
    }
    await this.notes(summary);
  }

  private async *users(summary: ImportSummary): AsyncGenerator<ImportItem> {
    const { rows } = await this.client.query<Row>('SELECT * FROM users ORDER BY email');
    const byEmail = new Map<string, Row[]>();
    for (const row of rows) {
      const email = normalizeEmail(String(row.email ?? ''));
      byEmail.set(email, [...(byEmail.get(email) ?? []), row]);
    }
    for (const [email, same] of byEmail) {
      if (same.length > 1) {
        const names = same.map((row) => String(row.email)).join(', ');
        summary.refuse(
          'user',
          `${names} are one email (${email}) once trimmed and lower-cased; none imported: keep one in the source and import again with --merge`,
        );
        continue;
      }
      const user = toUser(same[0]!, email);
      if (typeof user === 'string') summary.refuse('user', user);
      else yield { type: 'user', user };
    }
  }

  private async notes(summary: ImportSummary): Promise<void> {
    for (const table of ['reset_codes', 'access_codes']) {
      if (!this.columns.has(table)) continue;
      const { rows } = await this.client.query<{ count: number }>(`SELECT count(*)::int AS count FROM ${table}`);
      if (rows[0]?.count) summary.notes.push(`not carried over: ${rows[0].count} pending ${table.replace('_', ' ')}`);
    }
    if (this.columns.has('calendars')) {
      summary.notes.push('calendars were rebuilt from the tournament records (the source calendars were not copied)');
    }
  }
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

function object(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function strings(value: unknown): string[] | undefined {
  if (value === null || value === undefined) return [];
  return Array.isArray(value) && value.every((item) => typeof item === 'string') ? [...new Set(value)] : undefined;
}

function iso(value: unknown): string {
  return value instanceof Date && !Number.isNaN(value.getTime()) ? value.toISOString() : new Date().toISOString();
}

function toProvider(row: Row): Provider | string {
  const data = object(row.data);
  const organisationId = text(row.provider_id);
  const organisationAbbreviation = text(row.organisation_abbreviation) ?? text(data.organisationAbbreviation);
  if (!organisationId) return 'a provider row without provider_id';
  if (!organisationAbbreviation) return `provider ${organisationId}: no organisation_abbreviation`;
  return {
    ...data,
    organisationId,
    organisationAbbreviation,
    organisationName: text(row.organisation_name) ?? text(data.organisationName) ?? organisationAbbreviation,
  };
}

function toUser(row: Row, email: string): StoredUser | string {
  const data = object(row.data);
  const passwordHash = text(row.password);
  if (!email.includes('@')) return `user ${String(row.email)}: not an email address`;
  if (!passwordHash || !HASH.test(passwordHash)) return `user ${email}: the password column holds no bcrypt hash`;
  const roles = strings(row.roles);
  const permissions = strings(row.permissions);
  const services = strings(data.services);
  if (!roles || !permissions || !services)
    return `user ${email}: roles, permissions and services must be lists of names`;
  const user: StoredUser = {
    userId: text(row.user_id) ?? text(data.userId) ?? randomUUID(),
    email,
    passwordHash,
    roles,
    permissions,
    services,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
  const providerId = text(row.provider_id) ?? text(data.providerId);
  if (providerId) user.providerId = providerId;
  const firstName = text(data.firstName);
  const lastName = text(data.lastName);
  if (firstName) user.firstName = firstName;
  if (lastName) user.lastName = lastName;
  const lastSelected = text(row.last_selected_provider_id);
  if (lastSelected) user.lastSelectedProviderId = lastSelected;
  return user;
}

function toTournament(row: Row, providers: Map<string, Provider>): ImportItem | string {
  const tournamentId = text(row.tournament_id);
  if (!tournamentId) return 'a tournament row without tournament_id';
  const data = row.data;
  if (!data || typeof data !== 'object' || Array.isArray(data))
    return `tournament ${tournamentId}: data is not a record`;
  const record = { ...(data as Record<string, unknown>), tournamentId } as TournamentRecord;
  const inRecord = (data as { tournamentId?: unknown }).tournamentId;
  if (inRecord !== undefined && inRecord !== tournamentId) {
    return `tournament ${tournamentId}: its record says tournamentId ${String(inRecord)}`;
  }
  // This server reads a tournament's owner from its record; a row that names it only in its
  // column gets the provider written into the record, as the CourtHive server would on a save.
  let providerId = tournamentProviderId(record);
  const column = text(row.provider_id);
  if (!providerId && column) {
    const provider = providers.get(column);
    record.parentOrganisation = provider
      ? {
          organisationId: provider.organisationId,
          organisationAbbreviation: provider.organisationAbbreviation,
          organisationName: provider.organisationName,
        }
      : { organisationId: column };
    providerId = column;
  }
  const at = iso(row.updated_at);
  const entry: MutationLogEntry = { tournamentId, version: 1, methods: [], userId: CFS_IMPORT_USER, at, kind: 'save' };
  const json = JSON.stringify(record);
  return {
    type: 'tournament',
    tournament: { tournamentId, providerId, version: 1, json, updatedAt: at },
    record,
    log: [entry],
  };
}
