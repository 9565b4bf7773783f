import { ErrorCode, type ErrorBody } from '../common/errors';
import type { ChatMessageRecord } from '../storage/storage.types';

/** Limits of the chat (docs/chat.md). */
export const CHAT_LIMITS = {
  /** Characters (UTF-16 units) of one message, after trimming. */
  maxMessageLength: 2000,
  /** Characters of the `userName` a desk sends (the stored name is the signed-in email). */
  maxUserNameLength: 200,
  maxClientMsgIdLength: 100,
  /** Messages (chatMessage and adminChatReply) one socket may send per window. */
  messagesPerWindow: 10,
  windowMs: 10_000,
  /** How long messages are kept and served. */
  retentionMs: 24 * 60 * 60 * 1000,
  /** Messages in one chatHistory or adminChatHistory. */
  historyLimit: 500,
  pruneIntervalMs: 10 * 60 * 1000,
} as const;

export type Parsed<T> = { value: T; error?: undefined } | { error: ErrorBody };

export interface ChatMessageInput {
  tournamentId: string;
  message: string;
  clientMsgId?: string;
}

/** `chatMessage { tournamentId, userName, message, clientMsgId, providerId?, providerAbbr?, tournamentName? }`. */
export function parseChatMessage(data: unknown): Parsed<ChatMessageInput> {
  if (!isObject(data)) return invalid('expected { tournamentId, userName, message, clientMsgId }');
  const { tournamentId, userName, clientMsgId } = data;
  if (!isId(tournamentId)) return invalid('tournamentId must be an id');
  if (userName !== undefined && typeof userName !== 'string') return invalid('userName must be text');
  if (typeof userName === 'string' && userName.length > CHAT_LIMITS.maxUserNameLength) {
    return invalid(`userName is longer than ${CHAT_LIMITS.maxUserNameLength} characters`);
  }
  const id = clientMsgIdOf(data);
  if (clientMsgId !== undefined && clientMsgId !== null && id === undefined) {
    return invalid(`clientMsgId must be text of at most ${CHAT_LIMITS.maxClientMsgIdLength} characters`);
  }
  const message = parseText(data.message);
  if (message.error) return message;
  return { value: { tournamentId, message: message.value, clientMsgId: id } };
}

/** `adminChatReply { tournamentId, message, providerId?, providerAbbr?, tournamentName? }`. */
export function parseAdminReply(data: unknown): Parsed<{ tournamentId: string; message: string }> {
  if (!isObject(data)) return invalid('expected { tournamentId, message }');
  if (!isId(data.tournamentId)) return invalid('tournamentId must be an id');
  const message = parseText(data.message);
  if (message.error) return message;
  return { value: { tournamentId: data.tournamentId, message: message.value } };
}

/** `chatSince { tournamentId, afterSeq }`. */
export function parseChatSince(data: unknown): Parsed<{ tournamentId: string; afterSeq: number }> {
  if (!isObject(data) || !isId(data.tournamentId)) return invalid('expected { tournamentId, afterSeq }');
  const { afterSeq } = data;
  if (typeof afterSeq !== 'number' || !Number.isSafeInteger(afterSeq) || afterSeq < 0) {
    return invalid('afterSeq must be a whole number >= 0');
  }
  return { value: { tournamentId: data.tournamentId, afterSeq } };
}

/** The client's id of a message, when it sent a usable one (echoed in `chatRejected`). */
export function clientMsgIdOf(data: unknown): string | undefined {
  const id = isObject(data) ? data.clientMsgId : undefined;
  return typeof id === 'string' && id.length > 0 && id.length <= CHAT_LIMITS.maxClientMsgIdLength ? id : undefined;
}

/** The tournament a message names, when it names a usable one. */
export function tournamentIdOf(data: unknown): string | undefined {
  const id = isObject(data) ? data.tournamentId : undefined;
  return isId(id) ? id : undefined;
}

/** What TMX reads of a message (`chatMessage`, and each of `chatHistory.messages`). */
export interface WireMessage {
  seq: number;
  tournamentId: string;
  userName: string;
  message: string;
  timestamp: number;
  isAdmin: boolean;
  clientMsgId?: string;
}

/** What the superadmin monitor reads (`adminChatFeed`, each of `adminChatHistory.messages`). */
export interface FeedMessage extends WireMessage {
  providerId?: string;
  providerAbbr?: string;
  tournamentName?: string;
}

export function toWire(record: ChatMessageRecord): WireMessage {
  const { seq, tournamentId, userName, message, timestamp, isAdmin, clientMsgId } = record;
  return { seq, tournamentId, userName, message, timestamp, isAdmin, ...(clientMsgId ? { clientMsgId } : {}) };
}

export function toFeed(record: ChatMessageRecord): FeedMessage {
  const { providerId, providerAbbr, tournamentName } = record;
  return { ...toWire(record), providerId, providerAbbr, tournamentName };
}

function parseText(value: unknown): Parsed<string> {
  if (typeof value !== 'string') return invalid('message must be text');
  const text = value.trim();
  if (!text) return invalid('message is empty');
  if (text.includes('\u0000')) return invalid('message must not contain the NUL character');
  if (text.length > CHAT_LIMITS.maxMessageLength) {
    return invalid(`message is longer than ${CHAT_LIMITS.maxMessageLength} characters`);
  }
  return { value: text };
}

const MAX_ID_LENGTH = 200;

function isId(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_ID_LENGTH && !value.includes('\u0000');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalid(message: string): { error: ErrorBody } {
  return { error: { code: ErrorCode.INVALID_INPUT, message } };
}
