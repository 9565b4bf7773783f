import { Mutex } from 'async-mutex';
import type { ChatMessageRecord, ChatQuery, ChatStore, NewChatMessage } from '../chat.types';
import { compoundKey, prefixRange } from './keys';
import { del, put, read, writeBatch, type BatchOp, type Db, type Sub } from './level-db';

/** 16 digits hold Number.MAX_SAFE_INTEGER, so padded numbers sort as numbers. */
const SEQ_DIGITS = 16;
const seqKey = (seq: number) => String(seq).padStart(SEQ_DIGITS, '0');
const LAST_SEQ = 'lastSeq';

/**
 * Chat messages in three sublevels: `chat` (tournamentId NUL seq → message), `chat-seq`
 * (seq → message, for the superadmin monitor and pruning) and `chat-meta` (the last seq given,
 * kept even when pruning empties the store, so a seq is never given twice). One mutex hands out
 * the sequence numbers; LevelDB is one process by construction.
 */
export class LevelDbChat implements ChatStore {
  private readonly byTournament: Sub<ChatMessageRecord>;
  private readonly bySeq: Sub<ChatMessageRecord>;
  private readonly meta: Sub<number>;
  private readonly mutex = new Mutex();
  private lastSeq?: number;

  constructor(private readonly db: Db) {
    this.byTournament = db.sublevel<string, ChatMessageRecord>('chat', { valueEncoding: 'json' });
    this.bySeq = db.sublevel<string, ChatMessageRecord>('chat-seq', { valueEncoding: 'json' });
    this.meta = db.sublevel<string, number>('chat-meta', { valueEncoding: 'json' });
  }

  append(message: NewChatMessage): Promise<ChatMessageRecord> {
    const tournamentKey = compoundKey(message.tournamentId); // refuses a NUL in the id
    return this.mutex.runExclusive(async () => {
      const seq = (this.lastSeq ?? (await read(this.meta, LAST_SEQ)) ?? 0) + 1;
      const stored: ChatMessageRecord = { ...withoutUndefined(message), seq };
      await writeBatch(this.db, [
        put(this.byTournament, compoundKey(tournamentKey, seqKey(seq)), stored),
        put(this.bySeq, seqKey(seq), stored),
        put(this.meta, LAST_SEQ, seq),
      ]);
      this.lastSeq = seq;
      return stored;
    });
  }

  async list(query: ChatQuery): Promise<ChatMessageRecord[]> {
    const { tournamentId, providerId, since, afterSeq = 0, limit, take } = query;
    if (limit <= 0) return [];
    const range =
      tournamentId === undefined
        ? { sub: this.bySeq, gt: seqKey(afterSeq), lt: undefined }
        : {
            sub: this.byTournament,
            gt: compoundKey(tournamentId, seqKey(afterSeq)),
            lt: prefixRange(compoundKey(tournamentId)).lt,
          };
    const options = { gt: range.gt, ...(range.lt ? { lt: range.lt } : {}), reverse: take === 'newest' };
    const found: ChatMessageRecord[] = [];
    for await (const value of range.sub.values(options)) {
      if (value.timestamp < since) continue;
      if (providerId !== undefined && value.providerId !== providerId) continue;
      found.push(value);
      if (found.length >= limit) break;
    }
    return take === 'newest' ? found.reverse() : found;
  }

  prune(before: number): Promise<number> {
    // Under the mutex only so that two prunes do not count the same messages twice.
    return this.mutex.runExclusive(async () => {
      const ops: BatchOp[] = [];
      for await (const [key, value] of this.bySeq.iterator()) {
        if (value.timestamp >= before) continue;
        ops.push(del(this.bySeq, key), del(this.byTournament, compoundKey(value.tournamentId, key)));
      }
      await writeBatch(this.db, ops);
      return ops.length / 2;
    });
  }
}

/** JSON drops undefined fields anyway; dropping them here makes the answer equal what is read back. */
function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
