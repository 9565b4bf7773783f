import { randomUUID } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import { expect } from 'vitest';
import { hashPassword } from '../../src/auth/passwords';
import { loadConfig } from '../../src/config/config';
import { openStorage } from '../../src/storage/create-storage';
import type {
  Directive,
  MutationLogEntry,
  Storage,
  StoredUser,
  TournamentRecord,
} from '../../src/storage/storage.types';
import { TEST_JWT_SECRET, testEnv, type Backend } from '../support/app';
import { addParticipantDirective, mockTournament, participantNames, testProvider } from '../support/records';
import type { Ack } from '../support/sockets';

/** A store with a provider, a desk user (real password) and tournaments, for a server to open. */
export interface SeededStore {
  backend: Backend;
  /** Everything a server process needs to open this store and verify tokens. */
  env: Record<string, string>;
  email: string;
  password: string;
  tournamentIds: string[];
  /** Opens the store (only while no server holds it, for LevelDB). */
  open(): Promise<Storage>;
  cleanup(): Promise<void>;
}

export async function seedStore(backend: Backend, tournaments = 2): Promise<SeededStore> {
  const store = await testEnv(backend);
  const env = { ...store.env, JWT_SECRET: TEST_JWT_SECRET };
  const open = () => openStorage(loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', ...env }));
  const provider = testProvider();
  const password = `pw-${randomUUID()}`;
  const email = `desk-${randomUUID().slice(0, 8)}@example.com`;
  const tournamentIds: string[] = [];
  const storage = await open();
  try {
    await storage.providers.create({ ...provider });
    const now = new Date().toISOString();
    const user: StoredUser = {
      ...{ userId: randomUUID(), email, passwordHash: await hashPassword(password), roles: ['client'] },
      ...{ permissions: [], services: [], providerId: provider.organisationId, createdAt: now, updatedAt: now },
    };
    await storage.users.create(user);
    for (let i = 0; i < tournaments; i++) {
      const record = mockTournament(provider);
      tournamentIds.push(record.tournamentId);
      const log = { tournamentId: record.tournamentId, version: 1, methods: [], userId: email, at: now };
      await storage.tournaments.commit([
        {
          ...{ tournamentId: record.tournamentId, providerId: provider.organisationId, version: 1 },
          ...{ json: JSON.stringify(record), log: { ...log, kind: 'save' } },
        },
      ]);
    }
  } finally {
    await storage.close();
  }
  return { backend, env, email, password, tournamentIds, open, cleanup: store.cleanup };
}

/** Signs in over REST, as a desk does. */
export async function login(url: string, seeded: SeededStore): Promise<string> {
  const response = await fetch(`${url}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: seeded.email, password: seeded.password }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { token: string }).token;
}

/** One batch of a burst: two participants, so a half-applied batch would show. */
export interface SentBatch {
  ackId: string;
  tournamentId: string;
  names: [string, string];
  methods: Directive[];
  acks: Ack[];
}

export interface DeskRun {
  socket: Socket;
  sent: SentBatch[];
  /** Why the connection ended ('transport close', ...), once it has. */
  disconnectReason?: string;
  disconnected: Promise<string>;
}

/**
 * A desk that keeps `window` batches in flight (a new one on every ack) until `limit` batches
 * are sent or the connection ends, like a busy desk working through its queue.
 */
export async function busyDesk(
  url: string,
  token: string,
  options: { tournamentId: string; label: string; window?: number; limit?: number; transports?: string[] },
): Promise<DeskRun> {
  const { tournamentId, label, window = 3, limit = 200, transports } = options;
  const socket = io(`${url}/tmx`, {
    auth: { token },
    reconnection: false,
    forceNew: true,
    ...(transports ? { transports } : {}),
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  const run: DeskRun = { socket, sent: [], disconnected: undefined as never };
  run.disconnected = new Promise((resolve) =>
    socket.once('disconnect', (reason: string) => {
      run.disconnectReason = reason;
      resolve(reason);
    }),
  );
  const byAck = new Map<string, SentBatch>();
  const sendNext = () => {
    if (!socket.connected || run.sent.length >= limit) return;
    const n = run.sent.length;
    const names: [string, string] = [`${label} batch ${n} a`, `${label} batch ${n} b`];
    const methods = names.map((name) => addParticipantDirective(tournamentId, name));
    const batch: SentBatch = {
      ackId: `${label}-${n}-${randomUUID().slice(0, 8)}`,
      tournamentId,
      names,
      methods,
      acks: [],
    };
    run.sent.push(batch);
    byAck.set(batch.ackId, batch);
    sendBatch(socket, batch);
  };
  let stopped = false;
  socket.on('ack', (ack: Ack) => {
    byAck.get(ack.ackId)?.acks.push(ack);
    // A refused batch means "not now": a desk holds its queue until it has reconnected.
    if (ack.error) stopped = true;
    if (!stopped) sendNext();
  });
  for (let i = 0; i < window; i++) sendNext();
  return run;
}

/** Sends (or resends) a batch as TMX does. */
export function sendBatch(socket: Socket, batch: SentBatch): void {
  const payload = { ackId: batch.ackId, tournamentIds: [batch.tournamentId], methods: batch.methods };
  socket.emit('executionQueue', { type: 'executionQueue', payload });
}

/** Resolves once the desks together hold `count` successful acks. */
export async function untilAcked(desks: DeskRun[], count: number, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (succeeded(desks).length < count) {
    if (Date.now() > deadline) throw new Error(`only ${succeeded(desks).length} acks within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export function allSent(desks: DeskRun[]): SentBatch[] {
  return desks.flatMap((desk) => desk.sent);
}

export function succeeded(desks: DeskRun[]): SentBatch[] {
  return allSent(desks).filter((batch) => batch.acks.some((ack) => ack.success));
}

export function refusedWith(desks: DeskRun[], code: string): SentBatch[] {
  return allSent(desks).filter((batch) => batch.acks.some((ack) => ack.error?.code === code));
}

/**
 * The guarantees after a stop or a crash, for one tournament's stored record: every batch is there
 * whole (both participants) or not at all, at most once; every acknowledged batch is there; a
 * batch refused with `absentCode` is not. Returns the batches found.
 */
export function checkRecord(record: TournamentRecord, batches: SentBatch[], absentCode?: string): SentBatch[] {
  const names = participantNames(record);
  const count = (name: string) => names.filter((n) => n === name).length;
  const present: SentBatch[] = [];
  for (const batch of batches) {
    const [a, b] = batch.names.map(count);
    expect(a, `${batch.ackId}: stored at most once`).toBeLessThanOrEqual(1);
    expect(b, `${batch.ackId}: whole or not at all`).toBe(a);
    if (batch.acks.some((ack) => ack.success)) expect(a, `${batch.ackId} was acknowledged`).toBe(1);
    if (absentCode && batch.acks.some((ack) => ack.error?.code === absentCode)) expect(a, batch.ackId).toBe(0);
    if (a === 1) present.push(batch);
  }
  // Nothing stored that no desk sent (the seeded mock participants aside).
  const ours = names.filter((name) => name.includes(' batch '));
  expect(ours).toHaveLength(present.length * 2);
  return present;
}

/**
 * The log side: versions 1..current without gaps, one log entry per stored batch (under its
 * ackId), and each acknowledged batch at the version its ack named.
 */
export function checkLog(log: MutationLogEntry[], version: number, present: SentBatch[]): void {
  expect(log.map((entry) => entry.version)).toEqual(Array.from({ length: version }, (_, i) => i + 1));
  const mutations = log.filter((entry) => entry.kind === 'mutation');
  expect(mutations).toHaveLength(present.length);
  const byAck = new Map(mutations.map((entry) => [entry.ackId, entry]));
  for (const batch of present) {
    const entry = byAck.get(batch.ackId);
    expect(entry, batch.ackId).toBeDefined();
    const acked = batch.acks.find((ack) => ack.success);
    if (acked) expect(acked.versions?.[batch.tournamentId]).toBe(entry!.version);
  }
}

/** Opens the store and checks every tournament's record and log against what the desks sent. */
export async function checkStore(seeded: SeededStore, desks: DeskRun[], absentCode?: string): Promise<void> {
  const storage = await seeded.open();
  try {
    for (const id of seeded.tournamentIds) {
      const stored = await storage.tournaments.get(id);
      expect(stored).toBeDefined();
      const batches = allSent(desks).filter((batch) => batch.tournamentId === id);
      const present = checkRecord(stored!.record, batches, absentCode);
      checkLog(await storage.log.since(id, 0), stored!.version, present);
    }
  } finally {
    await storage.close();
  }
}

/** Each batch got at most one answer. */
export function expectAtMostOneAck(desks: DeskRun[]): void {
  for (const batch of allSent(desks)) expect(batch.acks.length, batch.ackId).toBeLessThanOrEqual(1);
}
