/** Roles a user may hold. `director` and `official` are accepted as stored values from older servers. */
export const ROLES = [
  'superadmin',
  'admin',
  'client',
  'score',
  'generate',
  'developer',
  'director',
  'official',
] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = ['deleteTournament', 'devMode', 'editTennisId'] as const;
export type Permission = (typeof PERMISSIONS)[number];

export interface ProviderClaim {
  organisationId: string;
  organisationAbbreviation: string;
  organisationName: string;
}

/** The signed-in caller, as the JWT claims describe it (contract section 1). */
export interface AuthUser {
  /** The user id (`sub`). */
  userId: string;
  email: string;
  roles: string[];
  permissions: string[];
  services: string[];
  providerId?: string;
  providerIds: string[];
  provider?: ProviderClaim;
  firstName?: string;
  lastName?: string;
  /** The session generation the token was signed in (claim `sv`; 0 when absent). */
  sv?: number;
  /** Token expiry, epoch seconds. */
  exp?: number;
}
