import type { AuthUser } from './auth-user';

/**
 * The one place that decides whether a user may touch a provider's data (its users, settings and
 * tournaments). Every route and socket event that names a provider or a tournament asks here.
 */
export function isSuperadmin(user: AuthUser | undefined): boolean {
  return !!user?.roles.includes('superadmin');
}

export function hasRole(user: AuthUser | undefined, ...roles: string[]): boolean {
  return !!user && (isSuperadmin(user) || roles.some((role) => user.roles.includes(role)));
}

export function hasPermission(user: AuthUser | undefined, permission: string): boolean {
  return !!user && (isSuperadmin(user) || user.permissions.includes(permission));
}

export function mayAccessProvider(user: AuthUser | undefined, providerId: string | undefined): boolean {
  if (!user) return false;
  if (isSuperadmin(user)) return true;
  if (!providerId) return false;
  return user.providerId === providerId || user.providerIds.includes(providerId);
}

/** The provider that owns a tournament record: `parentOrganisation.organisationId`. */
export function tournamentProviderId(record: object | undefined): string | undefined {
  const parent = (record as { parentOrganisation?: { organisationId?: unknown } } | undefined)?.parentOrganisation;
  return typeof parent?.organisationId === 'string' && parent.organisationId ? parent.organisationId : undefined;
}
