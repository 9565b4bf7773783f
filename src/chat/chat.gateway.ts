import { Logger, UseFilters, type OnModuleDestroy } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  SubscribeMessage,
  WebSocketGateway,
  type OnGatewayConnection,
  type OnGatewayInit,
} from '@nestjs/websockets';
import type { Namespace, Socket } from 'socket.io';
import { isSuperadmin, mayAccessProvider } from '../auth/access';
import type { AuthUser } from '../auth/auth-user';
import { SessionGenerations } from '../auth/session-generations';
import { ErrorCode, type ErrorBody } from '../common/errors';
import { BroadcastLink } from '../gateway/broadcast-link';
import { RateLimiter } from '../gateway/rate-limiter';
import { deskTargets } from '../gateway/rooms';
import { SocketErrorFilter } from '../gateway/socket-error.filter';
import { authorise, authoriseCurrent, session } from '../gateway/socket-session';
import type { ChatMessageRecord } from '../storage/storage.types';
import {
  CHAT_LIMITS,
  clientMsgIdOf,
  parseAdminReply,
  parseChatMessage,
  parseChatSince,
  toFeed,
  toWire,
  tournamentIdOf,
} from './chat-messages';
import { ChatRelay, MONITOR_ROOM } from './chat-relay';
import { ChatService, type ChatTournament } from './chat.service';
import { DeskRoomEvents } from './desk-room-events';

/** As for the desk events: desks hold `client` (superadmin always passes). */
const DESK_ROLES = ['client'];
/** Longest delay Node's timers accept. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Tournament chat on `/tmx` (docs/chat.md), beside the desk gateway on the same namespace. It
 * reads the desk's session (user, joined tournaments) and hears of joins and leaves through
 * `DeskRoomEvents`. Message text is never logged.
 */
@UseFilters(SocketErrorFilter)
@WebSocketGateway({ namespace: '/tmx' })
export class ChatGateway implements OnGatewayInit<Namespace>, OnGatewayConnection<Socket>, OnModuleDestroy {
  private readonly logger = new Logger(ChatGateway.name);
  private readonly limiters = new WeakMap<Socket, RateLimiter>();
  private readonly monitorExpiry = new WeakMap<Socket, NodeJS.Timeout>();
  private readonly unsubscribe: Array<() => void> = [];
  private relay?: ChatRelay;

  constructor(
    private readonly chat: ChatService,
    private readonly roomEvents: DeskRoomEvents,
    private readonly link: BroadcastLink,
    private readonly sessions: SessionGenerations,
  ) {}

  afterInit(namespace: Namespace): void {
    this.relay = new ChatRelay(namespace, this.link, this.logger);
    this.unsubscribe.push(
      this.roomEvents.on('joined', (socket, [tournamentId]) => this.joined(socket, tournamentId!)),
      this.roomEvents.on('left', (_socket, tournamentIds) => this.presence(tournamentIds)),
    );
  }

  onModuleDestroy(): void {
    for (const off of this.unsubscribe) off();
    this.relay?.close();
  }

  handleConnection(client: Socket): void {
    // Before socket.io empties the rooms (and the desk gateway its session): which tournaments to recount.
    client.once('disconnecting', () => {
      clearTimeout(this.monitorExpiry.get(client));
      const tournamentIds = [...(session(client).joined?.keys() ?? [])];
      if (tournamentIds.length) setImmediate(() => void this.presence(tournamentIds).catch(() => undefined));
    });
  }

  @SubscribeMessage('chatMessage')
  async chatMessage(@ConnectedSocket() client: Socket, @MessageBody() data: unknown): Promise<void> {
    const auth = await authoriseCurrent(session(client), DESK_ROLES, this.sessions);
    if (auth.error) {
      this.reject(client, data, auth.error);
      // As for every desk event without a valid token: TMX shows "sign in again" on this.
      return this.refuse(client, 'chatMessage', auth.error);
    }
    if (!this.limiter(client).take()) return this.reject(client, data, rateLimited());
    const parsed = parseChatMessage(data);
    if (parsed.error) return this.reject(client, data, parsed.error);
    const { tournamentId, message, clientMsgId } = parsed.value;
    if (!session(client).joined.has(tournamentId)) {
      return this.reject(client, data, forbidden(`join tournament ${tournamentId} before chatting in it`));
    }
    const tournament = await this.member(auth.user, tournamentId);
    if ('error' in tournament) return this.reject(client, data, tournament.error);
    let stored: ChatMessageRecord;
    try {
      const sender = { userName: auth.user.email, message, clientMsgId, isAdmin: isSuperadmin(auth.user) };
      stored = await this.chat.send(tournament, sender);
    } catch (error) {
      this.logger.warn(`chat message not stored: ${(error as Error).message}`);
      return this.reject(client, data, {
        code: ErrorCode.STORAGE_UNAVAILABLE,
        message: 'chat is unavailable: try again',
      });
    }
    const { seq, timestamp } = stored;
    client.emit('chatAccepted', { tournamentId, clientMsgId, seq, timestamp, stored: toWire(stored) });
    this.relay?.message(stored, audience(tournament), client.id);
  }

  @SubscribeMessage('chatSince')
  async chatSince(@ConnectedSocket() client: Socket, @MessageBody() data: unknown): Promise<void> {
    const auth = await authoriseCurrent(session(client), DESK_ROLES, this.sessions);
    if (auth.error) return this.refuse(client, 'chatSince', auth.error);
    const parsed = parseChatSince(data);
    if (parsed.error) return this.refuse(client, 'chatSince', parsed.error);
    const { tournamentId, afterSeq } = parsed.value;
    if (!session(client).joined.has(tournamentId)) {
      return this.refuse(client, 'chatSince', forbidden(`join tournament ${tournamentId} first`, tournamentId));
    }
    const tournament = await this.member(auth.user, tournamentId);
    if ('error' in tournament) return this.refuse(client, 'chatSince', { ...tournament.error, tournamentId });
    const messages = await this.chat.since(tournament, afterSeq);
    client.emit('chatHistory', { tournamentId, gap: true, messages: messages.map(toWire) });
  }

  @SubscribeMessage('joinChatMonitor')
  async joinChatMonitor(@ConnectedSocket() client: Socket): Promise<void> {
    const auth = this.superadmin(client, 'joinChatMonitor');
    if (!auth) return;
    await client.join(MONITOR_ROOM);
    this.expireMonitor(client, auth);
    const messages = await this.chat.monitorHistory();
    client.emit('adminChatHistory', { messages: messages.map(toFeed), older: false });
  }

  @SubscribeMessage('leaveChatMonitor')
  async leaveChatMonitor(@ConnectedSocket() client: Socket): Promise<void> {
    clearTimeout(this.monitorExpiry.get(client));
    await client.leave(MONITOR_ROOM);
  }

  @SubscribeMessage('adminChatReply')
  async adminChatReply(@ConnectedSocket() client: Socket, @MessageBody() data: unknown): Promise<void> {
    const auth = this.superadmin(client, 'adminChatReply');
    if (!auth) return;
    if (!this.limiter(client).take()) return this.refuse(client, 'adminChatReply', rateLimited());
    const parsed = parseAdminReply(data);
    if (parsed.error) return this.refuse(client, 'adminChatReply', parsed.error);
    const { tournamentId, message } = parsed.value;
    const tournament = await this.member(auth, tournamentId);
    if ('error' in tournament) return this.refuse(client, 'adminChatReply', { ...tournament.error, tournamentId });
    const stored = await this.chat.send(tournament, { userName: auth.email, message, isAdmin: true });
    // To the whole room, the admin's own desks included; the monitor gets it as adminChatFeed.
    this.relay?.message(stored, audience(tournament));
  }

  /** After a successful join: the last day's messages to the desk, the new count to the room. */
  private async joined(socket: Socket, tournamentId: string): Promise<void> {
    const tournament = await this.chat.tournament(tournamentId);
    const messages = tournament ? await this.chat.history(tournament) : [];
    if (!socket.connected || !session(socket).joined.has(tournamentId)) return; // left meanwhile
    socket.emit('chatHistory', { tournamentId, messages: messages.map(toWire) });
    if (tournament) await this.relay?.presence(tournamentId, audience(tournament));
  }

  /** Sends each tournament's room its connection count (after a leave or a disconnect). */
  private async presence(tournamentIds: string[]): Promise<void> {
    for (const tournamentId of tournamentIds) {
      const tournament = await this.chat.tournament(tournamentId);
      if (tournament) await this.relay?.presence(tournamentId, audience(tournament));
    }
  }

  /** The tournament when this user may chat in it: the server holds it and it belongs to a provider of the user. */
  private async member(user: AuthUser, tournamentId: string): Promise<ChatTournament | { error: ErrorBody }> {
    let tournament: ChatTournament | undefined;
    try {
      tournament = await this.chat.tournament(tournamentId);
    } catch (error) {
      this.logger.warn(`chat: tournament not read: ${(error as Error).message}`);
      return { error: { code: ErrorCode.STORAGE_UNAVAILABLE, message: 'chat is unavailable: try again' } };
    }
    if (!tournament) {
      const message = `the server does not hold tournament ${tournamentId}: chat needs a saved tournament`;
      return { error: { code: ErrorCode.NOT_FOUND, message } };
    }
    if (!mayAccessProvider(user, tournament.providerId)) {
      return { error: forbidden(`not allowed to chat in tournament ${tournamentId}`) };
    }
    return tournament;
  }

  private superadmin(client: Socket, event: string): AuthUser | undefined {
    const auth = authorise(session(client), ['superadmin']);
    if (auth.error) return void this.refuse(client, event, auth.error);
    if (!isSuperadmin(auth.user))
      return void this.refuse(client, event, forbidden('the chat monitor is for superadmins'));
    return auth.user;
  }

  /** The monitor room keeps no one past the token's expiry. */
  private expireMonitor(client: Socket, user: AuthUser): void {
    clearTimeout(this.monitorExpiry.get(client));
    if (user.exp === undefined) return;
    const leave = (): void => {
      const remaining = user.exp! * 1000 - Date.now();
      if (remaining <= 0) return void client.leave(MONITOR_ROOM);
      const timer = setTimeout(leave, Math.min(remaining, MAX_TIMER_MS));
      timer.unref();
      this.monitorExpiry.set(client, timer);
    };
    leave();
  }

  private limiter(client: Socket): RateLimiter {
    let limiter = this.limiters.get(client);
    if (!limiter) {
      limiter = new RateLimiter(CHAT_LIMITS.messagesPerWindow, CHAT_LIMITS.windowMs);
      this.limiters.set(client, limiter);
    }
    return limiter;
  }

  /** `chatRejected` for a message TMX shows as "sending": it marks it failed. */
  private reject(client: Socket, data: unknown, error: ErrorBody): void {
    this.logger.debug(`chatMessage refused from ${client.id}: ${error.code}`);
    const { code, message } = error;
    client.emit('chatRejected', {
      clientMsgId: clientMsgIdOf(data),
      tournamentId: tournamentIdOf(data),
      code,
      error: message,
    });
  }

  private refuse(client: Socket, event: string, error: ErrorBody): void {
    this.logger.debug(`${event} refused from ${client.id}: ${error.code}`);
    client.emit('exception', { ...error, event });
  }
}

/** The desk rooms a tournament's chat reaches: its owner's desks and the superadmins. */
function audience(tournament: ChatTournament): string[] {
  return deskTargets(tournament.tournamentId, tournament.providerId);
}

function forbidden(message: string, tournamentId?: string): ErrorBody {
  return { code: ErrorCode.FORBIDDEN, message, ...(tournamentId ? { tournamentId } : {}) };
}

function rateLimited(): ErrorBody {
  const { messagesPerWindow, windowMs } = CHAT_LIMITS;
  return {
    code: ErrorCode.RATE_LIMITED,
    message: `too many chat messages: at most ${messagesPerWindow} in ${windowMs / 1000} seconds`,
  };
}
