import type { Logger } from '@nestjs/common';
import type { Namespace } from 'socket.io';
import { z } from 'zod';
import { emitToInstances } from '../gateway/broadcast-link';
import type { RelayLink } from '../gateway/desk-fanout';
import type { ChatMessageRecord } from '../storage/storage.types';
import { toFeed, toWire, type FeedMessage, type WireMessage } from './chat-messages';

/** The server-side event that carries chat and presence to the other instances. */
export const CHAT_RELAY_EVENT = 'deskChat';
/** The server-side request for an instance's own count of sockets in some rooms (answered by each). */
export const CHAT_COUNT_EVENT = 'deskChatCount';
/** The room of superadmins watching every tournament's chat (`joinChatMonitor`). */
export const MONITOR_ROOM = 'chat-monitor';

const text = z.string();
// The adapter's msgpack turns undefined into null.
const optional = text.nullish().transform((value) => value ?? undefined);
const wireSchema = z.object({
  seq: z.number(),
  tournamentId: text,
  userName: text,
  message: text,
  timestamp: z.number(),
  isAdmin: z.boolean(),
  clientMsgId: optional,
});
const relayedSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('message'),
    rooms: z.array(text),
    except: optional,
    message: wireSchema,
    feed: wireSchema.extend({ providerId: optional, providerAbbr: optional, tournamentName: optional }),
  }),
  z.object({ kind: z.literal('presence'), rooms: z.array(text), tournamentId: text, count: z.number() }),
]);
type Relayed =
  | { kind: 'message'; rooms: string[]; except?: string; message: WireMessage; feed: FeedMessage }
  | { kind: 'presence'; rooms: string[]; tournamentId: string; count: number };

/**
 * Delivers chat and presence to this instance's desks and, with Redis, relays them to the other
 * instances as desk commits are (a server-side emit over the adapter; each instance sends to its
 * own sockets only). Rooms are the desk rooms of the provider owning the tournament plus its
 * superadmin room, so another provider's desk never receives a message.
 */
export class ChatRelay {
  constructor(
    private readonly namespace: Namespace,
    private readonly link: RelayLink,
    private readonly logger: Pick<Logger, 'warn'>,
  ) {
    if (!link.enabled) return;
    namespace.on(CHAT_RELAY_EVENT, (payload: unknown) => this.relayed(payload));
    namespace.on(CHAT_COUNT_EVENT, (rooms: unknown, reply: unknown) => {
      if (typeof reply !== 'function' || !Array.isArray(rooms) || !rooms.every((room) => typeof room === 'string'))
        return;
      void this.localCount(rooms).then((count) => (reply as (count: number) => void)(count));
    });
  }

  /** A stored message: `chatMessage` to the rooms (but the sender), `adminChatFeed` to the monitor. */
  message(record: ChatMessageRecord, rooms: string[], except?: string): void {
    this.send({ kind: 'message', rooms, except, message: toWire(record), feed: toFeed(record) });
  }

  /** Counts the sockets in the rooms (on every instance) and sends `roomPresence` to them. */
  async presence(tournamentId: string, rooms: string[]): Promise<void> {
    this.send({ kind: 'presence', rooms, tournamentId, count: await this.count(rooms) });
  }

  close(): void {
    this.namespace.removeAllListeners(CHAT_RELAY_EVENT);
    this.namespace.removeAllListeners(CHAT_COUNT_EVENT);
  }

  private send(relayed: Relayed): void {
    if (this.link.enabled) {
      emitToInstances(this.namespace, [CHAT_RELAY_EVENT, relayed], (error) =>
        this.logger.warn(`chat relay failed: ${error.message}`),
      );
    }
    this.deliver(relayed);
  }

  private relayed(payload: unknown): void {
    const parsed = relayedSchema.safeParse(payload);
    if (!parsed.success) return this.logger.warn('ignored a malformed chat relay from another instance');
    this.deliver(parsed.data as Relayed);
  }

  private deliver(relayed: Relayed): void {
    const { rooms } = relayed;
    if (relayed.kind === 'presence') {
      const { tournamentId, count } = relayed;
      this.namespace.local.to(rooms).emit('roomPresence', { tournamentId, count });
      return;
    }
    const target = this.namespace.local.to(rooms);
    (relayed.except ? target.except(relayed.except) : target).emit('chatMessage', relayed.message);
    this.namespace.local.to(MONITOR_ROOM).emit('adminChatFeed', relayed.feed);
  }

  /**
   * Sockets in the rooms on every instance: each other instance answers with its own count (a
   * server-side emit with acknowledgement). An instance that does not answer within the adapter's
   * 5 s is left out; with Redis away only this instance's sockets count.
   */
  private async count(rooms: string[]): Promise<number> {
    const local = await this.localCount(rooms);
    if (!this.link.enabled || !this.link.up) return local;
    const remote = await new Promise<number>((resolve) => {
      const answered = (_error: Error | null, replies: unknown[]) =>
        resolve(replies.reduce<number>((sum, reply) => sum + (typeof reply === 'number' ? reply : 0), 0));
      // Redis gone meanwhile: only this instance's sockets count, as when it is away.
      emitToInstances(this.namespace, [CHAT_COUNT_EVENT, rooms, answered], () => resolve(0));
    });
    return local + remote;
  }

  private async localCount(rooms: string[]): Promise<number> {
    return (await this.namespace.local.in(rooms).fetchSockets()).length;
  }
}
