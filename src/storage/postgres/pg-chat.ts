import type { Pool } from 'pg';
import type { ChatMessageRecord, ChatQuery, ChatStore, NewChatMessage } from '../chat.types';
import { transaction } from './pool';

/** Advisory-lock namespace for chat (the tournaments use 1; the two-key form never meets the migration lock). */
const CHAT_LOCK_SPACE = 2;

interface Row {
  seq: string;
  tournament_id: string;
  provider_id: string | null;
  provider_abbr: string | null;
  tournament_name: string | null;
  user_name: string;
  message: string;
  client_msg_id: string | null;
  is_admin: boolean;
  at: Date;
}

const COLUMNS =
  'seq, tournament_id, provider_id, provider_abbr, tournament_name, user_name, message, client_msg_id, is_admin, at';

/**
 * Chat messages in one table. The sequence gives `seq`; a per-tournament advisory lock around the
 * insert makes a tournament's messages commit in `seq` order on every instance, so a reader that
 * has seen seq n has also seen every earlier message of that tournament (gap fills rely on it).
 */
export class PgChat implements ChatStore {
  constructor(private readonly pool: Pool) {}

  append(message: NewChatMessage): Promise<ChatMessageRecord> {
    return transaction(this.pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [CHAT_LOCK_SPACE, message.tournamentId]);
      const { rows } = await client.query<Row>(
        `INSERT INTO chat_messages
           (tournament_id, provider_id, provider_abbr, tournament_name, user_name, message, client_msg_id, is_admin, at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         RETURNING ${COLUMNS}`,
        [
          message.tournamentId,
          message.providerId ?? null,
          message.providerAbbr ?? null,
          message.tournamentName ?? null,
          message.userName,
          message.message,
          message.clientMsgId ?? null,
          message.isAdmin,
          new Date(message.timestamp),
        ],
      );
      return fromRow(rows[0]!);
    });
  }

  async list(query: ChatQuery): Promise<ChatMessageRecord[]> {
    const { tournamentId, providerId, since, afterSeq = 0, limit, take } = query;
    if (limit <= 0) return [];
    const params: unknown[] = [new Date(since), afterSeq, limit];
    const where = ['at >= $1', 'seq > $2'];
    if (tournamentId !== undefined) where.push(`tournament_id = $${params.push(tournamentId)}`);
    if (providerId !== undefined) where.push(`provider_id = $${params.push(providerId)}`);
    const order = take === 'newest' ? 'DESC' : 'ASC';
    const { rows } = await this.pool.query<Row>(
      `SELECT ${COLUMNS} FROM chat_messages WHERE ${where.join(' AND ')} ORDER BY seq ${order} LIMIT $3`,
      params,
    );
    const found = rows.map(fromRow);
    return take === 'newest' ? found.reverse() : found;
  }

  async prune(before: number): Promise<number> {
    const { rowCount } = await this.pool.query('DELETE FROM chat_messages WHERE at < $1', [new Date(before)]);
    return rowCount ?? 0;
  }
}

function fromRow(row: Row): ChatMessageRecord {
  const record: ChatMessageRecord = {
    seq: Number(row.seq),
    tournamentId: row.tournament_id,
    userName: row.user_name,
    message: row.message,
    isAdmin: row.is_admin,
    timestamp: row.at.getTime(),
  };
  if (row.provider_id !== null) record.providerId = row.provider_id;
  if (row.provider_abbr !== null) record.providerAbbr = row.provider_abbr;
  if (row.tournament_name !== null) record.tournamentName = row.tournament_name;
  if (row.client_msg_id !== null) record.clientMsgId = row.client_msg_id;
  return record;
}
