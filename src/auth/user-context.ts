import type { StoredUser } from '../storage/storage.types';
import type { TokenClaims } from './claims';

/** Provider roles as TMX names them: `PROVIDER_ADMIN` sees the provider's admin pages. */
export const PROVIDER_ADMIN = 'PROVIDER_ADMIN';
export const DIRECTOR = 'DIRECTOR';

/**
 * What `GET /auth/me` answers: the token claims fresh from storage, plus the multi-provider context
 * TMX reads from this route (`userId` present is how TMX knows the route exists and switches its
 * tournament list to `POST /provider/my-calendars`).
 */
export interface UserContext extends TokenClaims {
  userId: string;
  isSuperAdmin: boolean;
  /** The account's roles (`superadmin`, `admin`, `client`, ...). */
  globalRoles: string[];
  /** providerId → `PROVIDER_ADMIN` (admins, superadmins) or `DIRECTOR` (everyone else). */
  providerRoles: Record<string, string>;
  /** Where account mail (resets, sign-in links) goes: the sign-in email itself. */
  contactEmail: string;
  /** Always null: the server sends account mail to the sign-in email and keeps no verification date. */
  emailVerifiedAt: null;
}

export function userContext(user: StoredUser, claims: TokenClaims): UserContext {
  const isSuperAdmin = user.roles.includes('superadmin');
  const role = isSuperAdmin || user.roles.includes('admin') ? PROVIDER_ADMIN : DIRECTOR;
  const providerRoles: Record<string, string> = {};
  for (const providerId of claims.providerIds) providerRoles[providerId] = role;
  return {
    ...claims,
    userId: user.userId,
    isSuperAdmin,
    globalRoles: [...user.roles],
    providerRoles,
    contactEmail: user.email,
    emailVerifiedAt: null,
  };
}
