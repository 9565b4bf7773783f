import { randomUUID } from 'node:crypto';
import { Injectable, Optional } from '@nestjs/common';
import { generationOf } from '../auth/claims';
import { burnPasswordCheck, hashPassword, verifyPassword } from '../auth/passwords';
import { SessionGenerations } from '../auth/session-generations';
import { Storage, type StoredUser } from '../storage/storage.types';

export interface NewUser {
  email: string;
  password: string;
  roles: string[];
  permissions?: string[];
  services?: string[];
  providerId?: string;
  firstName?: string;
  lastName?: string;
}

export type UserChanges = Partial<
  Pick<
    StoredUser,
    'roles' | 'permissions' | 'services' | 'providerId' | 'firstName' | 'lastName' | 'lastSelectedProviderId'
  >
>;

/** What any route may show of a user: never the password hash. */
export interface UserView {
  email: string;
  firstName: string;
  lastName: string;
  roles: string[];
  permissions: string[];
  services: string[];
  providerId: string | null;
}

export function userView(user: StoredUser): UserView {
  return {
    email: user.email,
    firstName: user.firstName ?? '',
    lastName: user.lastName ?? '',
    roles: user.roles,
    permissions: user.permissions,
    services: user.services,
    providerId: user.providerId ?? null,
  };
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/**
 * Users and their passwords. A plain class over `Storage` so the admin CLI uses this same code
 * without starting Nest (there without `SessionGenerations`: running servers see its changes of
 * generation within the cache's time-to-live, docs/auth.md).
 */
@Injectable()
export class UsersService {
  constructor(
    private readonly storage: Storage,
    @Optional() private readonly sessions?: SessionGenerations,
  ) {}

  get(email: string): Promise<StoredUser | undefined> {
    return this.storage.users.get(normalizeEmail(email));
  }

  list(filter?: { providerId?: string }): Promise<StoredUser[]> {
    return this.storage.users.list(filter);
  }

  count(): Promise<number> {
    return this.storage.users.count();
  }

  /** Throws `DuplicateKeyError` when the email is taken. */
  async create(input: NewUser): Promise<StoredUser> {
    const now = new Date().toISOString();
    const user: StoredUser = {
      userId: randomUUID(),
      email: normalizeEmail(input.email),
      passwordHash: await hashPassword(input.password),
      firstName: input.firstName,
      lastName: input.lastName,
      roles: unique(input.roles),
      permissions: unique(input.permissions ?? []),
      services: unique(input.services ?? []),
      providerId: input.providerId,
      createdAt: now,
      updatedAt: now,
    };
    await this.storage.users.create(user);
    return user;
  }

  /**
   * Applies the changes; undefined when the user no longer exists. A change of roles, permissions,
   * services or provider ends the user's sessions (a new generation).
   */
  async update(user: StoredUser, changes: UserChanges): Promise<StoredUser | undefined> {
    const next: StoredUser = { ...user, updatedAt: new Date().toISOString() };
    if (changes.roles) next.roles = unique(changes.roles);
    if (changes.permissions) next.permissions = unique(changes.permissions);
    if (changes.services) next.services = unique(changes.services);
    if ('providerId' in changes) next.providerId = changes.providerId;
    if ('lastSelectedProviderId' in changes) next.lastSelectedProviderId = changes.lastSelectedProviderId;
    if (changes.firstName !== undefined) next.firstName = changes.firstName;
    if (changes.lastName !== undefined) next.lastName = changes.lastName;
    const ends = accessChanged(user, next);
    if (ends) next.sessionVersion = generationOf(user) + 1;
    if (!(await this.storage.users.update(next))) return undefined;
    if (ends) this.sessions?.changed(next);
    return next;
  }

  /** A new password ends every session of the user (a new generation). */
  async setPassword(user: StoredUser, password: string): Promise<boolean> {
    const passwordHash = await hashPassword(password);
    const next = { ...user, passwordHash, sessionVersion: generationOf(user) + 1 };
    if (!(await this.storage.users.update({ ...next, updatedAt: new Date().toISOString() }))) return false;
    this.sessions?.changed(next);
    return true;
  }

  /** Ends every session of the user (`POST /auth/signout { everywhere: true }`); false when the user is gone. */
  async endSessions(user: StoredUser): Promise<StoredUser | undefined> {
    const next = { ...user, sessionVersion: generationOf(user) + 1, updatedAt: new Date().toISOString() };
    if (!(await this.storage.users.update(next))) return undefined;
    this.sessions?.changed(next);
    return next;
  }

  /** Removes the account; its tokens stop working at once (they name a user who is gone). */
  async remove(email: string): Promise<boolean> {
    const user = await this.get(email);
    const removed = await this.storage.users.remove(normalizeEmail(email));
    if (removed && user) {
      this.sessions?.changed(user, true);
      // Refused anyway (the user is gone), but not kept: nothing of a removed account stays usable.
      await this.storage.refreshTokens.revokeUser(user.userId);
    }
    return removed;
  }

  /** The user when the password matches; a legacy bcrypt hash is replaced by argon2id on the way. */
  async checkPassword(email: string, password: string): Promise<StoredUser | undefined> {
    const user = await this.get(email);
    if (!user) {
      await burnPasswordCheck(password);
      return undefined;
    }
    const check = await verifyPassword(password, user.passwordHash);
    if (!check.ok) return undefined;
    if (check.rehash) {
      const passwordHash = await hashPassword(password);
      const upgraded = { ...user, passwordHash };
      if (await this.storage.users.update(upgraded)) return upgraded;
    }
    return user;
  }
}

/** Whether what the user may do changed: roles, permissions, services or provider. */
function accessChanged(before: StoredUser, after: StoredUser): boolean {
  const same = (a: string[], b: string[]) => a.length === b.length && a.every((value) => b.includes(value));
  return (
    !same(before.roles, after.roles) ||
    !same(before.permissions, after.permissions) ||
    !same(before.services, after.services) ||
    (before.providerId ?? undefined) !== (after.providerId ?? undefined)
  );
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
