import { z } from 'zod';
import type { StoredUser } from '../storage/storage.types';
import type { AuthUser, ProviderClaim } from './auth-user';

/**
 * The token payload (contract section 1). Clients decode it and read every field, so absent values
 * are present as `null` or `''` rather than missing. `iss`, `iat` and `exp` are added when signing.
 */
export interface TokenClaims {
  sub: string;
  email: string;
  roles: string[];
  permissions: string[];
  services: string[];
  providerId: string | null;
  providerIds: string[];
  provider: ProviderClaim | null;
  firstName: string;
  lastName: string;
  /** The provider last picked in the desk app's switcher (TMX reads it from the token), or null. */
  lastSelectedProviderId: string | null;
  /** The user's session generation when signed (docs/auth.md): an older one than the user's now is refused. */
  sv: number;
}

/** `provider` is the user's provider (any object with the three identity fields). */
export function buildClaims(user: StoredUser, provider?: ProviderClaim): TokenClaims {
  const providerId = user.providerId ?? null;
  return {
    sub: user.userId,
    email: user.email,
    roles: [...user.roles],
    permissions: [...user.permissions],
    services: [...user.services],
    providerId,
    providerIds: providerId ? [providerId] : [],
    provider:
      provider && provider.organisationId === providerId
        ? {
            organisationId: provider.organisationId,
            organisationAbbreviation: provider.organisationAbbreviation,
            organisationName: provider.organisationName,
          }
        : null,
    firstName: user.firstName ?? '',
    lastName: user.lastName ?? '',
    lastSelectedProviderId: lastSelectedProvider(user),
    sv: generationOf(user),
  };
}

/** A stored user's session generation (docs/auth.md, "Sessions"): absent (users from before generations) is 0. */
export function generationOf(user: Pick<StoredUser, 'sessionVersion'>): number {
  return user.sessionVersion ?? 0;
}

/** A pick of a provider the user has since left is dropped (a superadmin may pick any). */
function lastSelectedProvider(user: StoredUser): string | null {
  const picked = user.lastSelectedProviderId;
  if (!picked) return null;
  return user.roles.includes('superadmin') || picked === user.providerId ? picked : null;
}

const strings = z.array(z.string()).default([]);
const payloadSchema = z.object({
  sub: z.string().min(1),
  email: z.string().min(1),
  roles: strings,
  permissions: strings,
  services: strings,
  providerId: z.string().nullish(),
  providerIds: strings,
  provider: z
    .object({ organisationId: z.string(), organisationAbbreviation: z.string(), organisationName: z.string() })
    .nullish(),
  firstName: z.string().nullish(),
  lastName: z.string().nullish(),
  /** Tokens from before session generations have none: generation 0. */
  sv: z.number().int().nonnegative().optional(),
  exp: z.number().optional(),
});

/** The caller described by a verified token payload; undefined when the payload lacks what we need. */
export function claimsToUser(payload: unknown): AuthUser | undefined {
  const parsed = payloadSchema.safeParse(payload);
  if (!parsed.success) return undefined;
  const claims = parsed.data;
  return {
    userId: claims.sub,
    email: claims.email,
    roles: claims.roles,
    permissions: claims.permissions,
    services: claims.services,
    providerId: claims.providerId ?? undefined,
    providerIds: claims.providerIds,
    provider: claims.provider ?? undefined,
    firstName: claims.firstName ?? undefined,
    lastName: claims.lastName ?? undefined,
    sv: claims.sv ?? 0,
    exp: claims.exp,
  };
}
