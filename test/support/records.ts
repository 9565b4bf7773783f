import { randomUUID } from 'node:crypto';
import { mocksEngine } from 'tods-competition-factory';
import type { AuthUser } from '../../src/auth/auth-user';
import type { TournamentRecord } from '../../src/storage/storage.types';

export interface TestProvider {
  organisationId: string;
  organisationAbbreviation: string;
  organisationName: string;
}

export function testProvider(abbreviation = 'P' + randomUUID().slice(0, 6).toUpperCase()): TestProvider {
  return {
    organisationId: randomUUID(),
    organisationAbbreviation: abbreviation,
    organisationName: `${abbreviation} Tennis`,
  };
}

/** A signed-in caller as the JWT guard would describe it. */
export function testUser(
  provider: TestProvider | undefined,
  roles: string[] = ['client'],
  permissions: string[] = [],
): AuthUser {
  return {
    userId: randomUUID(),
    email: `${roles[0]}-${randomUUID().slice(0, 8)}@example.com`,
    roles,
    permissions,
    services: [],
    providerId: provider?.organisationId,
    providerIds: provider ? [provider.organisationId] : [],
    provider,
  };
}

/** A small mock tournament (one 8-draw unless told otherwise) owned by `provider`. */
export function mockTournament(
  provider?: TestProvider,
  drawSize = 8,
  extra: Record<string, unknown> = {},
): TournamentRecord {
  const { tournamentRecord } = mocksEngine.generateTournamentRecord({
    drawProfiles: [{ drawSize }],
    tournamentName: 'Test Open',
    startDate: '2026-12-01',
    endDate: '2026-12-07',
    ...extra,
  }) as { tournamentRecord: TournamentRecord };
  if (provider) tournamentRecord.parentOrganisation = { ...provider };
  return tournamentRecord;
}

/** A directive that adds one uniquely named participant (easy to count afterwards). */
export function addParticipantDirective(tournamentId: string, name: string) {
  return {
    method: 'addParticipant',
    params: {
      tournamentId,
      participant: {
        participantId: randomUUID(),
        participantType: 'INDIVIDUAL',
        participantRole: 'COMPETITOR',
        participantName: name,
        person: { personId: randomUUID(), standardFamilyName: name, standardGivenName: 'Test' },
      },
    },
  };
}

export function participantNames(record: TournamentRecord): string[] {
  return ((record.participants as Array<{ participantName?: string }>) ?? []).map((p) => p.participantName ?? '');
}
