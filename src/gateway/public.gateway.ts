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
import { ErrorCode, type ErrorBody } from '../common/errors';
import { AppConfig } from '../config/config';
import { PublicEvents, type PublicChange } from '../public/public-events';
import { parseTournamentRef } from './messages';
import { publicRoom } from './rooms';
import { SocketErrorFilter } from './socket-error.filter';
import { closeSession, limitEvents, openSession, session } from './socket-session';
import { MAX_JOINED } from './tmx.gateway';

/**
 * The viewer channel (contract section 5). No token. Viewers learn that published data of a
 * tournament moved (`publicUpdate`): with the changed matchUps of published draws for a result
 * (`matchUpUpdate`), else what kind of change it was, and they re-read the public routes.
 */
@UseFilters(SocketErrorFilter)
@WebSocketGateway({ namespace: '/public' })
export class PublicGateway
  implements OnGatewayInit<Namespace>, OnGatewayConnection<Socket>, OnGatewayDisconnect<Socket>, OnModuleDestroy
{
  private readonly logger = new Logger(PublicGateway.name);
  private unsubscribe?: () => void;

  constructor(
    private readonly publicEvents: PublicEvents,
    private readonly config: AppConfig,
  ) {}

  afterInit(namespace: Namespace): void {
    this.unsubscribe = this.publicEvents.onChange((change) => {
      namespace.to(publicRoom(change.tournamentId)).emit('publicUpdate', publicUpdate(change));
    });
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }

  handleConnection(client: Socket): void {
    openSession(client, this.config.socketEventsPer10s);
    limitEvents(client, (event) =>
      this.refuse(client, event, { code: ErrorCode.RATE_LIMITED, message: 'too many messages: slow down' }),
    );
  }

  handleDisconnect(client: Socket): void {
    closeSession(session(client));
  }

  @SubscribeMessage('joinTournament')
  async joinTournament(@ConnectedSocket() client: Socket, @MessageBody() data: unknown): Promise<void> {
    const ref = parseTournamentRef(data);
    if (ref.error) return this.refuse(client, 'joinTournament', ref.error);
    const tournamentId = ref.value;
    const viewer = session(client);
    if (!viewer.joined.has(tournamentId) && viewer.joined.size >= MAX_JOINED) {
      const message = `at most ${MAX_JOINED} tournaments at once`;
      return this.refuse(client, 'joinTournament', { code: ErrorCode.RATE_LIMITED, message, tournamentId });
    }
    const room = publicRoom(tournamentId);
    await client.join(room);
    viewer.joined.set(tournamentId, [room]);
    client.emit('tournamentJoined', { tournamentId });
  }

  @SubscribeMessage('leaveTournament')
  async leaveTournament(@ConnectedSocket() client: Socket, @MessageBody() data: unknown): Promise<void> {
    const ref = parseTournamentRef(data);
    if (ref.error) return this.refuse(client, 'leaveTournament', ref.error);
    session(client).joined.delete(ref.value);
    await client.leave(publicRoom(ref.value));
  }

  private refuse(client: Socket, event: string, error: ErrorBody): void {
    this.logger.debug(`refused ${event} from ${client.id}: ${error.code}`);
    client.emit('exception', { ...error, event });
  }
}

/** Exactly the announced fields: nothing else of the change (or the record) leaves the server. */
function publicUpdate(change: PublicChange): PublicChange {
  const { tournamentId, version, type, eventIds, topics, action, eventId, matchUps, positionAssignments } = change;
  const update: PublicChange = { tournamentId, version, type, topics: [...topics] };
  if (eventIds) update.eventIds = [...eventIds];
  if (action !== undefined) update.action = action;
  if (eventId !== undefined) update.eventId = eventId;
  if (matchUps) update.matchUps = matchUps;
  if (positionAssignments) update.positionAssignments = positionAssignments;
  return update;
}
