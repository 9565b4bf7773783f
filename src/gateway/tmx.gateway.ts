import { Logger, UseFilters, type OnModuleDestroy } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  SubscribeMessage,
  WebSocketGateway,
  type OnGatewayConnection,
  type OnGatewayDisconnect,
  type OnGatewayInit,
} from '@nestjs/websockets';
import type { Namespace, Socket } from 'socket.io';
import { isSuperadmin } from '../auth/access';
import type { AuthUser } from '../auth/auth-user';
import { SessionGenerations, type GenerationChange } from '../auth/session-generations';
import { TokenService } from '../auth/token.service';
import { DeskRoomEvents } from '../chat/desk-room-events';
import { ErrorCode, type ErrorBody } from '../common/errors';
import { AppConfig } from '../config/config';
import { newRequestId } from '../logging/request-id';
import { SocketConnections } from '../lifecycle/socket-connections';
import { normaliseTournamentIds } from '../tournaments/batch-check';
import { DeskFreshness } from '../tournaments/desk-freshness';
import { MutationExecutor } from '../tournaments/executor.service';
import { TournamentEvents, type CommittedEvent } from '../tournaments/tournament-events';
import { BroadcastLink } from './broadcast-link';
import { deskHolders } from './desk-broadcast';
import { DeskFanout } from './desk-fanout';
import { BacklogGate, DeskQueue, QUEUE_BOUNDED_EVENTS } from './desk-queue';
import { DeskService } from './desk.service';
import { engineSkew, SERVER_ENGINE_VERSION } from './engine-version';
import {
  ackContext,
  parseBatch,
  parseMutationsSince,
  parseTournamentRef,
  type BatchMessage,
  type MessageLimits,
} from './messages';
import { deskRoomsFor } from './rooms';
import { SocketErrorFilter } from './socket-error.filter';
import {
  authorise,
  authoriseCurrent,
  closeSession,
  limitEvents,
  openSession,
  REVOKED,
  session,
  watchExpiry,
  type SocketSession,
} from './socket-session';

/** Roles that may send batches, join rooms and catch up (superadmin always passes). */
const DESK_ROLES = ['client'];
/** Tournaments one socket may have joined at once. */
export const MAX_JOINED = 100;

/**
 * The desk channel (contract section 4). Thin: parse, authorise, call the executor or the
 * catch-up service, answer. Broadcasts come from the executor's commit announcements, so REST
 * and socket batches reach the rooms the same way, in commit order.
 */
@UseFilters(SocketErrorFilter)
@WebSocketGateway({ namespace: '/tmx' })
export class TmxGateway
  implements OnGatewayInit<Namespace>, OnGatewayConnection<Socket>, OnGatewayDisconnect<Socket>, OnModuleDestroy
{
  private readonly logger = new Logger(TmxGateway.name);
  private readonly limits: MessageLimits;
  private unsubscribe?: () => void;
  private unsubscribeSessions?: () => void;
  private fanout?: DeskFanout;
  /** Desks' live batches start before other desks' flushed backlogs (desk-queue.ts). */
  private readonly backlog = new BacklogGate();

  constructor(
    private readonly executor: MutationExecutor,
    private readonly desks: DeskService,
    private readonly tokens: TokenService,
    private readonly events: TournamentEvents,
    private readonly config: AppConfig,
    private readonly connections: SocketConnections,
    private readonly link: BroadcastLink,
    private readonly roomEvents: DeskRoomEvents,
    private readonly freshness: DeskFreshness,
    private readonly sessions: SessionGenerations,
  ) {
    this.limits = { maxMethods: config.executor.maxBatchMethods, maxTournaments: config.executor.maxBatchTournaments };
  }

  afterInit(namespace: Namespace): void {
    // The one Socket.IO server behind both namespaces: shutdown closes its connections, once the
    // batches still queued on them have been answered (refused by then: the batch gate is closed).
    this.connections.attach(namespace.server);
    this.connections.drainBeforeClose(() =>
      Promise.all([...namespace.sockets.values()].map((socket) => session(socket).queue?.settled)),
    );
    // Runs synchronously under the tournament locks: acks and broadcasts leave in commit order
    // (with several instances, the fan-out restores version order for relayed commits).
    const fanout = (this.fanout = new DeskFanout(
      namespace,
      this.link,
      this.logger,
      (committed) => this.followCopies(namespace, committed),
      // The executor then checks the store before running this tournament's next batch.
      (committed) => this.executor.committedElsewhere(committed.tournamentIds),
    ));
    this.unsubscribe = this.events.onCommitted((committed) =>
      fanout.committedHere(committed, ackAtCommit(namespace, committed)),
    );
    // A session ended here or (through Redis) elsewhere: its desks here are told and let go at once.
    this.unsubscribeSessions = this.sessions.onChange((change) => this.endSessions(namespace, change));
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
    this.unsubscribeSessions?.();
    this.fanout?.close();
  }

  handleConnection(client: Socket): void {
    // Connections without a valid token are accepted; each event that needs one is refused.
    const data = openSession(client, this.config.socketEventsPer10s, this.tokens);
    const limited = (event: string, args: unknown[]) => {
      const error = { code: ErrorCode.RATE_LIMITED, message: 'too many messages: slow down' };
      this.refuse(client, event, error, args[0]);
    };
    // Batches are not counted: a desk's offline queue comes at once; bytes waiting bound it (desk-queue.ts).
    limitEvents(client, limited, QUEUE_BOUNDED_EVENTS);
    watchExpiry(data, () => this.expire(client, data));
  }

  handleDisconnect(client: Socket): void {
    closeSession(session(client));
  }

  @SubscribeMessage('executionQueue')
  executionQueue(@ConnectedSocket() client: Socket, @MessageBody() data: unknown): void {
    const desk = session(client);
    const auth = authorise(desk, DESK_ROLES);
    if (auth.error) return this.refuse(client, 'executionQueue', auth.error, data);
    // Known ended from the cache: refused at once (otherwise `runBatch` checks before running it).
    if (this.sessions.revokedNow(auth.user)) {
      desk.revoked = true;
      return this.refuse(client, 'executionQueue', REVOKED, data);
    }
    const parsed = parseBatch(data, this.limits);
    if (parsed.error) return this.refuse(client, 'executionQueue', parsed.error, data);
    this.noteEngineVersion(client, desk, parsed.value.factoryVersion);
    const onError = (error: Error) => this.logger.error(`executionQueue failed: ${error.message}`);
    desk.queue ??= new DeskQueue(this.config.socketQueueMaxBytes, onError, this.backlog);
    const full = desk.queue.offer(parsed.value, (advance) => this.runBatch(client, desk, parsed.value, advance));
    if (full) return this.refuse(client, 'executionQueue', full, data);
  }

  @SubscribeMessage('joinTournament')
  async joinTournament(@ConnectedSocket() client: Socket, @MessageBody() data: unknown): Promise<void> {
    const desk = session(client);
    const auth = await authoriseCurrent(desk, DESK_ROLES, this.sessions);
    if (auth.error) return this.refuse(client, 'joinTournament', auth.error);
    const ref = parseTournamentRef(data);
    if (ref.error) return this.refuse(client, 'joinTournament', ref.error);
    const tournamentId = ref.value;
    if (!desk.joined.has(tournamentId) && desk.joined.size >= MAX_JOINED) {
      return this.refuse(client, 'joinTournament', {
        code: ErrorCode.RATE_LIMITED,
        message: `at most ${MAX_JOINED} tournaments at once`,
        tournamentId,
      });
    }
    const refusal = await this.desks.joinRefusal(auth.user, tournamentId);
    if (refusal) return this.refuse(client, 'joinTournament', refusal);
    const rooms = roomsFor(auth.user, tournamentId);
    if (!rooms.length) {
      return this.refuse(client, 'joinTournament', {
        code: ErrorCode.FORBIDDEN,
        message: 'the user has no provider',
        tournamentId,
      });
    }
    if (authorise(desk, DESK_ROLES).error || !client.connected) return; // expired or gone meanwhile
    await client.join(rooms);
    desk.joined.set(tournamentId, rooms);
    // Read after joining: every commit after this version reaches the desk.
    const version = await this.desks.currentVersion(tournamentId);
    this.fanout?.joined(tournamentId, version);
    client.emit('tournamentJoined', { tournamentId, version });
    this.roomEvents.joined(client, tournamentId); // chat history and presence
  }

  @SubscribeMessage('leaveTournament')
  async leaveTournament(@ConnectedSocket() client: Socket, @MessageBody() data: unknown): Promise<void> {
    const ref = parseTournamentRef(data);
    if (ref.error) return this.refuse(client, 'leaveTournament', ref.error);
    const wasJoined = session(client).joined.has(ref.value);
    await leaveRooms(client, session(client), [ref.value]);
    if (wasJoined) this.roomEvents.left(client, [ref.value]);
  }

  @SubscribeMessage('mutationsSince')
  async mutationsSince(@ConnectedSocket() client: Socket, @MessageBody() data: unknown): Promise<void> {
    const auth = await authoriseCurrent(session(client), DESK_ROLES, this.sessions);
    if (auth.error) return this.refuse(client, 'mutationsSince', auth.error);
    const parsed = parseMutationsSince(data);
    if (parsed.error) return this.refuse(client, 'mutationsSince', parsed.error);
    const { tournamentId, sinceVersion } = parsed.value;
    const log = await this.desks.mutationsSince(auth.user, tournamentId, sinceVersion);
    if ('error' in log) return this.refuse(client, 'mutationsSince', { ...log.error, tournamentId });
    client.emit('mutationLog', log);
  }

  @SubscribeMessage('timestamp')
  timestamp(@ConnectedSocket() client: Socket): void {
    client.emit('timestamp', { timestamp: Date.now() });
  }

  /** Older desks send `tmx` messages; accepted and ignored. */
  @SubscribeMessage('tmx')
  tmx(): void {}

  private async runBatch(client: Socket, desk: SocketSession, batch: BatchMessage, advance: () => void): Promise<void> {
    // The token may have expired, or its session ended, while the batch waited.
    const current = authoriseCurrent(desk, DESK_ROLES, this.sessions);
    const auth = current instanceof Promise ? await current : current;
    if (auth.error) return this.refuse(client, 'executionQueue', auth.error, batch);
    const { ackId } = batch;
    const tournamentIds = batchTournamentIds(batch);
    const before = desk.running.at(-1);
    let over = () => {};
    const running = { ackId, acked: false, tournamentIds, over: new Promise<void>((resolve) => (over = resolve)) };
    desk.running.push(running);
    try {
      // Started while the batch before commits: the executor orders the commits of its tournament,
      // not of others, so a batch on other tournaments waits for it to be over.
      if (before && !before.tournamentIds.every((id) => tournamentIds.includes(id))) await before.over;
      // The batch's log line (logging/batch-log.ts) carries this id, as an HTTP request's carries its own.
      const origin = { socketId: client.id, requestId: newRequestId(), holder: desk.holder };
      const result = await this.executor.execute({ ...batch, user: auth.user, origin, onLetGo: advance });
      if ('error' in result) {
        // Executor outcomes (engine errors, ERR_MISSING_TOURNAMENT, ...) answer in the ack only.
        client.emit('ack', { ackId, error: result.error, tournamentIds });
      } else if (!running.acked) {
        // A repeated ackId: nothing was committed, so the stored answer goes out here.
        const results = batch.returnResults ? { results: result.results } : {};
        client.emit('ack', { ackId, success: true, versions: result.versions, ...results });
      }
    } finally {
      desk.running.splice(desk.running.indexOf(running), 1);
      over();
    }
  }

  /** Tells the staleness probe which desks' copies a commit reached (see DeskFreshness). */
  private followCopies(namespace: Namespace, committed: CommittedEvent): void {
    for (const id of committed.tournamentIds) {
      if (committed.kind === 'remove') this.freshness.forget(id);
      // A whole-record save cannot be replayed by desks: every copy falls behind.
      if (committed.kind !== 'mutation' || !this.freshness.follows(id)) continue;
      const holders = deskHolders(namespace, id, committed.providerIds[id], committed.origin.socketId);
      this.freshness.delivered(id, committed.versions[id], holders);
    }
  }

  /** Logs once per desk whose engine differs from the server's (see `cfs_desks_engine_skew`). */
  private noteEngineVersion(client: Socket, desk: SocketSession, version: string | undefined): void {
    if (!version || desk.engine) return;
    const skew = engineSkew(version);
    desk.engine = { version, skew };
    if (!skew) return;
    const message = `desk ${client.id} (${desk.user?.email ?? 'unknown'}) runs engine ${version}, the server ${SERVER_ENGINE_VERSION}`;
    if (skew === 'minor') this.logger.warn(`${message}: its replays of broadcasts may differ from the stored record`);
    else this.logger.log(message);
  }

  /** Refuses a message: `exception` always, and for a batch also its error `ack`. */
  private refuse(client: Socket, event: string, error: ErrorBody, data?: unknown): void {
    this.logger.debug(`refused ${event} from ${client.id}: ${error.code}`);
    client.emit('exception', { ...error, event });
    if (event === 'executionQueue') {
      const { ackId, tournamentIds } = ackContext(data);
      client.emit('ack', { ackId, error: { message: error.message, code: error.code }, tournamentIds });
    }
  }

  /**
   * The desks of a user whose session ended (older generation, or the account gone): refused from
   * now on, out of their rooms, told (`exception` ERR_TOKEN_REVOKED), then disconnected.
   */
  private endSessions(namespace: Namespace, change: GenerationChange): void {
    for (const client of namespace.sockets.values()) {
      const desk = session(client);
      const user = desk.user;
      if (!user || desk.revoked || user.userId !== change.userId) continue;
      if (!change.removed && (user.sv ?? 0) >= change.sv) continue; // signed in after the change
      desk.revoked = true;
      this.leaveAll(client, desk);
      client.emit('exception', { ...REVOKED });
      // A namespace disconnect packet, sent after the exception on the same transport.
      client.disconnect();
    }
  }

  /** At token expiry the desk stops receiving broadcasts and must sign in again. */
  private expire(client: Socket, desk: SocketSession): void {
    this.leaveAll(client, desk);
    client.emit('exception', { code: ErrorCode.UNAUTHORIZED, message: 'token expired: sign in again' });
  }

  /** Out of every room the desk joined (no more broadcasts), and the chat recounts their presence. */
  private leaveAll(client: Socket, desk: SocketSession): void {
    const tournamentIds = [...desk.joined.keys()];
    void leaveRooms(client, desk, tournamentIds).then(() => this.roomEvents.left(client, tournamentIds));
  }
}

/**
 * The ack of a desk's batch, sent with its commit's broadcast, before any later commit is
 * broadcast, so that the sender's acks and the broadcasts it receives arrive in version order too.
 * Undefined when the sender is not a desk of this instance waiting for this batch.
 */
function ackAtCommit(namespace: Namespace, committed: CommittedEvent): (() => void) | undefined {
  const { socketId } = committed.origin;
  const socket = committed.kind === 'mutation' && socketId ? namespace.sockets.get(socketId) : undefined;
  // Commits come in the order the desk's batches started: its first batch not yet acked with this ackId.
  const running =
    socket &&
    session(socket).running.find(
      (batch) => !batch.acked && committed.ackId === (batch.ackId === undefined ? undefined : String(batch.ackId)),
    );
  if (!socket || !running) return;
  running.acked = true;
  const { versions, results } = committed;
  return () => socket.emit('ack', { ackId: running.ackId, success: true, versions, ...(results ? { results } : {}) });
}

function roomsFor(user: AuthUser, tournamentId: string): string[] {
  if (isSuperadmin(user)) return deskRoomsFor(tournamentId, 'all');
  const providers = [user.providerId, ...user.providerIds].filter((id): id is string => !!id);
  return deskRoomsFor(tournamentId, providers);
}

async function leaveRooms(client: Socket, desk: SocketSession, tournamentIds: string[]): Promise<void> {
  for (const id of tournamentIds) {
    const rooms = desk.joined.get(id) ?? [];
    desk.joined.delete(id);
    for (const room of rooms) await client.leave(room);
  }
}

function batchTournamentIds(batch: BatchMessage): string[] {
  try {
    return normaliseTournamentIds(batch, batch.methods as never);
  } catch {
    return [];
  }
}
