import type { Pool } from 'pg';
import { DuplicateKeyError, type StoredUser, type UserStore } from '../storage.types';
import { uniqueViolation } from './pool';

interface UserRow {
  email: string;
  user_id: string;
  password_hash: string;
  first_name: string | null;
  last_name: string | null;
  roles: string[];
  permissions: string[];
  services: string[];
  provider_id: string | null;
  last_selected_provider_id: string | null;
  session_version: number;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS =
  'email, user_id, password_hash, first_name, last_name, roles, permissions, services, provider_id, created_at, updated_at, last_selected_provider_id, session_version';

function toUser(row: UserRow): StoredUser {
  const user: StoredUser = {
    userId: row.user_id,
    email: row.email,
    passwordHash: row.password_hash,
    roles: row.roles,
    permissions: row.permissions,
    services: row.services,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
  if (row.first_name !== null) user.firstName = row.first_name;
  if (row.last_name !== null) user.lastName = row.last_name;
  if (row.provider_id !== null) user.providerId = row.provider_id;
  if (row.last_selected_provider_id !== null) user.lastSelectedProviderId = row.last_selected_provider_id;
  if (row.session_version) user.sessionVersion = row.session_version;
  return user;
}

function toParams(user: StoredUser): unknown[] {
  return [
    user.email.toLowerCase(),
    user.userId,
    user.passwordHash,
    user.firstName ?? null,
    user.lastName ?? null,
    user.roles,
    user.permissions,
    user.services,
    user.providerId ?? null,
    user.createdAt,
    user.updatedAt,
    user.lastSelectedProviderId ?? null,
    user.sessionVersion ?? 0,
  ];
}

/** Users keyed by lower-cased email; the primary key makes concurrent creates safe. */
export class PgUsers implements UserStore {
  constructor(private readonly pool: Pool) {}

  async get(email: string): Promise<StoredUser | undefined> {
    const { rows } = await this.pool.query<UserRow>(`SELECT ${COLUMNS} FROM users WHERE email = $1`, [
      email.toLowerCase(),
    ]);
    return rows[0] ? toUser(rows[0]) : undefined;
  }

  async create(user: StoredUser): Promise<void> {
    try {
      await this.pool.query(
        `INSERT INTO users (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
        toParams(user),
      );
    } catch (error) {
      if (uniqueViolation(error)) throw new DuplicateKeyError('user', user.email.toLowerCase());
      throw error;
    }
  }

  /** The session generation never goes back: a write based on an older read keeps the stored one. */
  async update(user: StoredUser): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `UPDATE users SET user_id = $2, password_hash = $3, first_name = $4, last_name = $5, roles = $6,
         permissions = $7, services = $8, provider_id = $9, created_at = $10, updated_at = $11,
         last_selected_provider_id = $12, session_version = GREATEST(session_version, $13)
       WHERE email = $1`,
      toParams(user),
    );
    return (rowCount ?? 0) > 0;
  }

  async remove(email: string): Promise<boolean> {
    const { rowCount } = await this.pool.query('DELETE FROM users WHERE email = $1', [email.toLowerCase()]);
    return (rowCount ?? 0) > 0;
  }

  async list(filter: { providerId?: string } = {}): Promise<StoredUser[]> {
    const { rows } = await this.pool.query<UserRow>(
      `SELECT ${COLUMNS} FROM users WHERE $1::text IS NULL OR provider_id = $1 ORDER BY email`,
      [filter.providerId ?? null],
    );
    return rows.map(toUser);
  }

  async count(): Promise<number> {
    const { rows } = await this.pool.query<{ count: number }>('SELECT count(*)::int AS count FROM users');
    return rows[0]?.count ?? 0;
  }
}
