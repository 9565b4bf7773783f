import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { Storage, type ChatMessageRecord } from '../storage/storage.types';
import { MutationExecutor } from '../tournaments/executor.service';
import { CHAT_LIMITS } from './chat-messages';

/** A tournament as the chat sees it: its owner now, and the names the superadmin monitor shows. */
export interface ChatTournament {
  tournamentId: string;
  providerId?: string;
  providerAbbr?: string;
  tournamentName?: string;
}

export interface ChatSender {
  userName: string;
  message: string;
  clientMsgId?: string;
  isAdmin: boolean;
}

/** How long a provider's abbreviation is reused before it is read again. */
const ABBREVIATION_TTL_MS = 60_000;

/**
 * Chat messages: store, read back within the retention window, prune. Messages are stored with
 * the provider owning the tournament when they were sent, and read back only for that provider:
 * a tournament that changes hands does not show its old chat to the new owner. Message text is
 * never logged.
 */
@Injectable()
export class ChatService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(ChatService.name);
  private readonly abbreviations = new Map<string, { value?: string; at: number }>();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly storage: Storage,
    private readonly executor: MutationExecutor,
  ) {}

  onModuleInit(): void {
    void this.prune();
    this.timer = setInterval(() => void this.prune(), CHAT_LIMITS.pruneIntervalMs);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /** The tournament's owner and names; undefined when the server does not hold it. */
  async tournament(tournamentId: string): Promise<ChatTournament | undefined> {
    const current = await this.executor.read<string | undefined>(tournamentId, { op: 'name' });
    if (!current) return undefined;
    const { providerId, value: name } = current;
    return {
      tournamentId,
      providerId,
      tournamentName: typeof name === 'string' ? name : undefined,
      providerAbbr: providerId ? await this.abbreviation(providerId) : undefined,
    };
  }

  /** Stores a message; the store gives it its `seq`. */
  send(tournament: ChatTournament, sender: ChatSender): Promise<ChatMessageRecord> {
    const { tournamentId, providerId, providerAbbr, tournamentName } = tournament;
    return this.storage.chat.append({
      ...{ tournamentId, providerId, providerAbbr, tournamentName },
      ...sender,
      timestamp: Date.now(),
    });
  }

  /** The last messages of the retention window (sent on join). */
  history(tournament: ChatTournament): Promise<ChatMessageRecord[]> {
    return this.storage.chat.list({ ...this.scope(tournament), take: 'newest' });
  }

  /** The messages after `afterSeq`, oldest first (gap fill). */
  since(tournament: ChatTournament, afterSeq: number): Promise<ChatMessageRecord[]> {
    return this.storage.chat.list({ ...this.scope(tournament), afterSeq, take: 'oldest' });
  }

  /** The last messages of every tournament (the superadmin monitor). */
  monitorHistory(): Promise<ChatMessageRecord[]> {
    return this.storage.chat.list({ since: this.windowStart(), limit: CHAT_LIMITS.historyLimit, take: 'newest' });
  }

  /** Deletes what is older than the retention window; every instance may run it. */
  async prune(now = Date.now()): Promise<number> {
    try {
      return await this.storage.chat.prune(now - CHAT_LIMITS.retentionMs);
    } catch (error) {
      this.logger.warn(`chat prune failed: ${(error as Error).message}`);
      return 0;
    }
  }

  private scope(tournament: ChatTournament) {
    const { tournamentId, providerId } = tournament;
    return { tournamentId, providerId, since: this.windowStart(), limit: CHAT_LIMITS.historyLimit };
  }

  private windowStart(): number {
    return Date.now() - CHAT_LIMITS.retentionMs;
  }

  private async abbreviation(providerId: string): Promise<string | undefined> {
    const known = this.abbreviations.get(providerId);
    if (known && Date.now() - known.at < ABBREVIATION_TTL_MS) return known.value;
    const provider = await this.storage.providers.get(providerId);
    const value = provider?.organisationAbbreviation || provider?.organisationName || undefined;
    this.abbreviations.set(providerId, { value, at: Date.now() });
    return value;
  }
}
