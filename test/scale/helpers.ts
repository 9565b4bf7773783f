import { randomUUID } from 'node:crypto';
import { JwtService } from '@nestjs/jwt';
import { buildClaims } from '../../src/auth/claims';
import { TokenService } from '../../src/auth/token.service';
import { loadConfig } from '../../src/config/config';
import { openStorage } from '../../src/storage/create-storage';
import type { Storage, StoredUser, TournamentRecord } from '../../src/storage/storage.types';
import { TEST_JWT_SECRET } from '../support/app';
import { createTestDatabase } from '../support/postgres';
import { mockTournament, testProvider } from '../support/records';
import { waitFor, type Socket } from '../support/sockets';

/** A throwaway database with a provider, a desk user and one tournament at version 1. */
export interface SharedStore {
  /** What every server process of the test gets (plus its own Redis settings). */
  env: Record<string, string>;
  /** The database URL, for a test that points a server at it through a proxy. */
  databaseUrl: string;
  tournamentId: string;
  /** The tournament as seeded (version 1). */
  record: TournamentRecord;
  /** A `client` token, signed the way the servers sign them (same secret and issuer). */
  token: string;
  /** Stores another tournament of the same provider at version 1; resolves with its id. */
  addTournament(): Promise<string>;
  open(): Promise<Storage>;
  cleanup(): Promise<void>;
}

export async function seedSharedStore(): Promise<SharedStore> {
  const db = await createTestDatabase('cfs_scale');
  const env = { STORAGE_PROVIDER: 'postgres', DATABASE_URL: db.url, JWT_SECRET: TEST_JWT_SECRET };
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', ...env });
  const open = () => openStorage(config);
  const provider = testProvider();
  const now = new Date().toISOString();
  const user: StoredUser = {
    ...{
      userId: randomUUID(),
      email: `desk-${randomUUID().slice(0, 8)}@example.com`,
      passwordHash: '$argon2id$unused',
    },
    ...{ roles: ['client'], permissions: [], services: [], providerId: provider.organisationId },
    ...{ createdAt: now, updatedAt: now },
  };
  const record = mockTournament(provider);
  const save = (storage: Storage, saved: TournamentRecord) => {
    const { tournamentId } = saved;
    const log = { tournamentId, version: 1, methods: [], userId: user.email, at: new Date().toISOString() };
    return storage.tournaments.commit([
      {
        ...{ tournamentId, providerId: provider.organisationId, version: 1 },
        ...{ json: JSON.stringify(saved), log: { ...log, kind: 'save' as const } },
      },
    ]);
  };
  const storage = await open();
  try {
    await storage.providers.create({ ...provider });
    await storage.users.create(user);
    await save(storage, record);
  } finally {
    await storage.close();
  }
  const addTournament = async () => {
    const added = mockTournament(provider);
    const storage = await open();
    try {
      await save(storage, added);
    } finally {
      await storage.close();
    }
    return added.tournamentId;
  };
  const jwt = new JwtService({
    secret: TEST_JWT_SECRET,
    signOptions: { algorithm: 'HS256', issuer: config.jwt.issuer, expiresIn: 3600 },
  });
  const token = new TokenService(jwt).sign(buildClaims(user, provider));
  const { tournamentId } = record;
  return { env, databaseUrl: db.url, tournamentId, record, token, addTournament, open, cleanup: () => db.drop() };
}

/** What a desk receives about one tournament, in arrival order. */
export interface DeskLog {
  /** Versions of its own successful acks and of the broadcasts it got, in arrival order. */
  stream: number[];
  broadcasts: Array<{ methods: unknown[]; userId: string; versions: Record<string, number> }>;
  acks: Array<{
    ackId: string;
    success?: true;
    versions?: Record<string, number>;
    error?: { code: string; message: string };
  }>;
}

export function listen(socket: Socket, tournamentId: string): DeskLog {
  const log: DeskLog = { stream: [], broadcasts: [], acks: [] };
  socket.on('ack', (ack: DeskLog['acks'][number]) => {
    log.acks.push(ack);
    if (ack.success && ack.versions?.[tournamentId] !== undefined) log.stream.push(ack.versions[tournamentId]);
  });
  socket.on('tournamentMutation', (broadcast: DeskLog['broadcasts'][number]) => {
    log.broadcasts.push(broadcast);
    log.stream.push(broadcast.versions[tournamentId]!);
  });
  return log;
}

/** Sends one batch the way TMX does and resolves with its ack. */
export function send(socket: Socket, tournamentId: string, ackId: string, methods: unknown[], timeout = 15_000) {
  const ack = waitFor<DeskLog['acks'][number]>(socket, 'ack', (a) => a.ackId === ackId, timeout);
  socket.emit('executionQueue', { type: 'executionQueue', payload: { tournamentIds: [tournamentId], methods, ackId } });
  return ack;
}

export async function health(url: string): Promise<{ status: number; body: Record<string, any> }> {
  // A pooled keep-alive connection the server closed at that very moment resets the request
  // (`fetch failed`, ECONNRESET): that says nothing about health, so it is asked once more.
  const response = await fetch(`${url}/health`).catch(() => fetch(`${url}/health`));
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

/** 1, 2, ..., n shifted to start at `from`. */
export function range(from: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => from + i);
}
