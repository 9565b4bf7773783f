/**
 * Room names. Desk rooms carry the provider as well as the tournament: a broadcast for a
 * tournament goes only to the rooms of the provider that owns it *at commit time* (plus the
 * superadmin room), so a desk can never receive another provider's changes, even for a
 * tournament that was joined before it existed, was moved to another provider, or was removed
 * and re-created. Clients never see room names.
 */
const ALL_PROVIDERS = '*';

export function deskRoom(tournamentId: string, providerId: string): string {
  return `tournament:${tournamentId}|provider:${providerId}`;
}

/** The superadmin room of a tournament: receives every change whoever owns it. */
export function deskAllRoom(tournamentId: string): string {
  return deskRoom(tournamentId, ALL_PROVIDERS);
}

/** The rooms a desk of these providers (or a superadmin) joins for one tournament. */
export function deskRoomsFor(tournamentId: string, providerIds: string[] | 'all'): string[] {
  if (providerIds === 'all') return [deskAllRoom(tournamentId)];
  return [...new Set(providerIds)].map((providerId) => deskRoom(tournamentId, providerId));
}

/** Rooms that receive a commit of a tournament owned by `providerId`. */
export function deskTargets(tournamentId: string, providerId: string | undefined): string[] {
  return providerId ? [deskRoom(tournamentId, providerId), deskAllRoom(tournamentId)] : [deskAllRoom(tournamentId)];
}

/** The `/public` namespace room of a tournament (no provider: viewers see only published data). */
export function publicRoom(tournamentId: string): string {
  return `tournament:${tournamentId}`;
}
