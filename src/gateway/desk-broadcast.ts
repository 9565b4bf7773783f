import type { Namespace } from 'socket.io';
import type { CommittedEvent } from '../tournaments/tournament-events';
import { deskAllRoom, deskRoom, deskTargets } from './rooms';

/** One `emit` to a set of rooms (socket.io delivers it once per socket, however many rooms match). */
export interface Emission {
  rooms: string[];
  event: 'tournamentMutation' | 'tournamentSaved' | 'tournamentRemoved';
  payload: Record<string, unknown>;
}

const EVENT: Record<CommittedEvent['kind'], Emission['event']> = {
  mutation: 'tournamentMutation',
  save: 'tournamentSaved',
  remove: 'tournamentRemoved',
};

/**
 * What desks receive for a commit. Normally one emission to every room of the batch. A batch that
 * spans providers (only a superadmin or a multi-provider user can send one) is split: superadmin
 * rooms get it whole, each provider's rooms only the part about its own tournaments.
 */
export function deskEmissions(committed: CommittedEvent): Emission[] {
  const event = EVENT[committed.kind];
  const groups = new Map<string | undefined, string[]>();
  for (const id of committed.tournamentIds) {
    const providerId = committed.providerIds[id];
    const group = groups.get(providerId);
    if (group) group.push(id);
    else groups.set(providerId, [id]);
  }
  if (groups.size === 1) {
    const [[providerId, ids]] = groups;
    const rooms = ids.flatMap((id) => deskTargets(id, providerId));
    return [{ rooms, event, payload: payloadFor(committed, committed.tournamentIds, true) }];
  }
  const emissions: Emission[] = [
    {
      rooms: committed.tournamentIds.map(deskAllRoom),
      event,
      payload: payloadFor(committed, committed.tournamentIds, true),
    },
  ];
  for (const [providerId, ids] of groups) {
    if (!providerId) continue;
    emissions.push({
      rooms: ids.map((id) => deskRoom(id, providerId)),
      event,
      payload: payloadFor(committed, ids, false),
    });
  }
  return emissions;
}

/**
 * Sends a commit to this instance's desks, skipping the socket that sent it. Synchronous: keeps
 * commit order. Local only: other instances get the commit relayed and send it themselves (see
 * desk-fanout.ts).
 */
export function broadcastCommit(namespace: Namespace, committed: CommittedEvent): void {
  const sender = committed.origin.socketId;
  for (const { rooms, event, payload } of deskEmissions(committed)) {
    const target = namespace.local.to(rooms);
    (sender ? target.except(sender) : target).emit(event, payload);
  }
}

function payloadFor(committed: CommittedEvent, ids: string[], whole: boolean): Record<string, unknown> {
  const { userId, timestamp } = committed;
  const tournamentIds = whole ? committed.tournamentIds : ids;
  if (committed.kind === 'remove') return { tournamentIds, userId, timestamp };
  const versions = Object.fromEntries(tournamentIds.map((id) => [id, committed.versions[id]]));
  if (committed.kind === 'save') return { tournamentIds, userId, timestamp, versions };
  const named = new Set(ids);
  // A provider's part of a split batch: only directives that name one of its tournaments.
  const methods = whole
    ? committed.methods
    : committed.methods.filter((d) => named.has(d.params?.tournamentId as string));
  // An overwrite says so to every desk, as its log entry does (`overrides: [versions]`); in a batch
  // over several tournaments, the versions of all of them (`/factory/history` tells them apart).
  const overrides = [...new Set(tournamentIds.flatMap((id) => committed.overrides?.[id] ?? []))].sort((a, b) => a - b);
  // Replay inputs (docs/protocol.md): running the methods with this seed and clock gives the server's record.
  const replay = committed.seed === undefined ? {} : { seed: committed.seed, at: new Date(timestamp).toISOString() };
  return { methods, tournamentIds, userId, timestamp, versions, ...(overrides.length ? { overrides } : {}), ...replay };
}

/**
 * The sign-ins (token fingerprints) of this instance's desks that receive a commit of one
 * tournament: those in its rooms, and its sender (which gets the ack instead of the broadcast).
 */
export function deskHolders(
  namespace: Namespace,
  tournamentId: string,
  providerId: string | undefined,
  senderSocketId: string | undefined,
): Set<string> {
  const socketIds = new Set<string>(senderSocketId ? [senderSocketId] : []);
  for (const room of deskTargets(tournamentId, providerId)) {
    for (const id of namespace.adapter.rooms.get(room) ?? []) socketIds.add(id);
  }
  const holders = new Set<string>();
  for (const id of socketIds) {
    const holder = (namespace.sockets.get(id)?.data as { holder?: string } | undefined)?.holder;
    if (holder) holders.add(holder);
  }
  return holders;
}
