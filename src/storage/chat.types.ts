/**
 * The chat part of the storage contract (docs/chat.md). Both stores implement it and pass the
 * same suite (the `chat` block of test/storage/storage-contract.ts).
 */

/** One stored chat message of a tournament. */
export interface ChatMessageRecord {
  /**
   * Given by the store: unique in the whole store and increasing with every message, so it is
   * unique and increasing per tournament too, with every server instance writing at once.
   */
  seq: number;
  tournamentId: string;
  /** The provider that owned the tournament when the message was sent: only its desks see it. */
  providerId?: string;
  /** For the superadmin monitor's labels: the provider's abbreviation and the tournament's name. */
  providerAbbr?: string;
  tournamentName?: string;
  /** The sender's signed-in email. */
  userName: string;
  message: string;
  /** The sender's own id for the message (TMX matches its "sending" copy with it). */
  clientMsgId?: string;
  /** Sent by a superadmin. */
  isAdmin: boolean;
  /** When the server accepted it, epoch ms. */
  timestamp: number;
}

export type NewChatMessage = Omit<ChatMessageRecord, 'seq'>;

export interface ChatQuery {
  /** One tournament's messages; every tournament's when absent. */
  tournamentId?: string;
  /** Only messages sent while this provider owned the tournament. */
  providerId?: string;
  /** Nothing older than this, epoch ms. */
  since: number;
  /** Only messages with a greater `seq`. */
  afterSeq?: number;
  limit: number;
  /** `newest`: the last `limit` messages; `oldest`: the first `limit`. Both come oldest first. */
  take: 'newest' | 'oldest';
}

export interface ChatStore {
  /** Stores a message with the next `seq`; durable when the promise resolves. */
  append(message: NewChatMessage): Promise<ChatMessageRecord>;
  /** Messages matching the query, in `seq` order. */
  list(query: ChatQuery): Promise<ChatMessageRecord[]>;
  /** Deletes messages older than `before` (epoch ms); returns how many went. */
  prune(before: number): Promise<number>;
}
