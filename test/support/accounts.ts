import { randomUUID } from 'node:crypto';
import { TokenService } from '../../src/auth/token.service';
import { buildClaims } from '../../src/auth/claims';
import type { StoredUser } from '../../src/storage/storage.types';
import type { TestApp } from './app';
import type { TestProvider } from './records';

export interface TestAccount {
  user: StoredUser;
  /** A real token signed by the running app. */
  token: string;
  /** `{ Authorization: 'Bearer <token>' }` */
  auth: { Authorization: string };
}

/**
 * Stores a user (and its provider, if new) straight into the app's store and signs a token for it
 * with the app's own TokenService. For tests of routes other than sign-in.
 */
export async function seedAccount(
  t: TestApp,
  options: { provider?: TestProvider; roles?: string[]; permissions?: string[] } = {},
): Promise<TestAccount> {
  const { provider, roles = ['client'], permissions = [] } = options;
  if (provider && !(await t.storage.providers.get(provider.organisationId))) {
    await t.storage.providers.create({ ...provider });
  }
  const now = new Date().toISOString();
  const user: StoredUser = {
    userId: randomUUID(),
    email: `${roles[0] ?? 'user'}-${randomUUID().slice(0, 8)}@example.com`,
    passwordHash: '$argon2id$not-used-by-these-tests',
    firstName: 'Test',
    lastName: 'User',
    roles,
    permissions,
    services: [],
    providerId: provider?.organisationId,
    createdAt: now,
    updatedAt: now,
  };
  await t.storage.users.create(user);
  const token = t.app.get(TokenService).sign(buildClaims(user, provider));
  return { user, token, auth: { Authorization: `Bearer ${token}` } };
}
