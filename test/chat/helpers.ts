import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { WireMessage } from '../../src/chat/chat-messages';
import type { TestAccount } from '../support/accounts';
import type { TestProvider } from '../support/records';
import { waitFor, type Socket } from '../support/sockets';

/** What TMX 8.19 reads of a chat message (chatService.ts `IncomingMessage`), as the server sends it. */
export type ChatWire = WireMessage;

export interface ChatHistory {
  tournamentId: string;
  messages: ChatWire[];
  gap?: boolean;
}

/**
 * Emits `chatMessage` exactly as TMX's `sendMessage` does: the tournament, the signed-in email as
 * userName, the trimmed text, a UUID clientMsgId and the provider/tournament meta for the monitor.
 */
export function tmxChat(
  socket: Socket,
  from: TestAccount,
  tournamentId: string,
  message: string,
  provider?: TestProvider,
): { clientMsgId: string } {
  const clientMsgId = randomUUID();
  socket.emit('chatMessage', {
    tournamentId,
    userName: from.user.email,
    message,
    clientMsgId,
    providerId: provider?.organisationId,
    providerAbbr: provider?.organisationAbbreviation,
    tournamentName: 'Test Open',
  });
  return { clientMsgId };
}

/** Sends as TMX does and resolves with the server's `chatAccepted` for it. */
export async function chatAccepted(
  socket: Socket,
  from: TestAccount,
  tournamentId: string,
  message: string,
): Promise<{ clientMsgId: string; seq: number; timestamp: number; tournamentId: string; stored: ChatWire }> {
  const clientMsgId = randomUUID();
  const accepted = waitFor(socket, 'chatAccepted', (p: { clientMsgId?: string }) => p.clientMsgId === clientMsgId);
  const rejected = waitFor(socket, 'chatRejected', (p: { clientMsgId?: string }) => p.clientMsgId === clientMsgId);
  socket.emit('chatMessage', { tournamentId, userName: from.user.email, message, clientMsgId });
  const answer = await Promise.race([accepted, rejected.then((r) => Promise.reject(new Error(JSON.stringify(r))))]);
  rejected.catch(() => undefined);
  return answer;
}

/** Sends as TMX does and resolves with the `chatRejected` for it (failing on a `chatAccepted`). */
export async function chatRejected(
  socket: Socket,
  payload: Record<string, unknown>,
): Promise<{ clientMsgId?: string; tournamentId?: string; code: string; error: string }> {
  const clientMsgId = (payload.clientMsgId as string | undefined) ?? randomUUID();
  const accepted = waitFor(socket, 'chatAccepted', () => true, 2000).then(
    (a) => Promise.reject(new Error(`accepted: ${JSON.stringify(a)}`)),
    () => undefined,
  );
  const rejected = waitFor(socket, 'chatRejected');
  socket.emit('chatMessage', { clientMsgId, ...payload });
  const answer = await Promise.race([rejected, accepted.then(() => new Promise<never>(() => undefined))]);
  expect(answer).toMatchObject({ code: expect.any(String), error: expect.any(String) });
  return answer as never;
}

/** Joins as TMX does and resolves with the `chatHistory` the join brings. */
export async function joinWithHistory(socket: Socket, tournamentId: string): Promise<ChatHistory> {
  const history = waitFor<ChatHistory>(socket, 'chatHistory', (p) => p.tournamentId === tournamentId && !p.gap);
  const joined = waitFor(socket, 'tournamentJoined', (p: { tournamentId: string }) => p.tournamentId === tournamentId);
  socket.emit('joinTournament', { tournamentId });
  await joined;
  return history;
}
