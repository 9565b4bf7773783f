import { Injectable } from '@nestjs/common';
import { mayAccessProvider } from '../auth/access';
import type { AuthUser } from '../auth/auth-user';
import { AppError, ErrorCode, type ErrorBody } from '../common/errors';
import { AppConfig } from '../config/config';
import { Storage, type Directive } from '../storage/storage.types';
import { continuesFrom, isReplayable } from '../engine/replay';
import { MutationExecutor } from '../tournaments/executor.service';

export type MutationLog =
  | {
      tournamentId: string;
      entries: Array<{
        version: number;
        methods: Directive[];
        userId: string;
        timestamp: number;
        overrides?: number[];
        /** Replay inputs: the seed of `Math.random` and the frozen clock (ISO) the batch ran with. */
        seed?: number;
        at?: string;
      }>;
      version: number;
    }
  | { tournamentId: string; reset: true; version: number };

/** Past this many missed batches a re-fetch is cheaper than a replay. */
export const MAX_CATCH_UP_ENTRIES = 1000;

/** The reads behind desk events: may this desk join a tournament, and what did it miss. */
@Injectable()
export class DeskService {
  constructor(
    private readonly storage: Storage,
    private readonly executor: MutationExecutor,
    private readonly config: AppConfig,
  ) {}

  /**
   * Refuses a tournament of another provider. A tournament the server does not hold yet may be
   * joined (TMX opens local ones): desk rooms are per provider, so its broadcasts will only ever
   * reach the provider that owns it once saved.
   */
  async joinRefusal(user: AuthUser, tournamentId: string): Promise<ErrorBody | undefined> {
    const current = await this.executor.summary(tournamentId);
    if (!current || mayAccessProvider(user, current.providerId)) return undefined;
    return { code: ErrorCode.FORBIDDEN, message: `not allowed to see tournament ${tournamentId}`, tournamentId };
  }

  /** The stored version (undefined when the server does not hold the tournament). */
  currentVersion(tournamentId: string): Promise<number | undefined> {
    return this.storage.tournaments.getVersion(tournamentId);
  }

  /**
   * `mutationsSince`: the batches a desk missed, from the mutation log, or `reset` when they cannot
   * be replayed (log pruned, a whole-record save in the range, too many or too large): the desk
   * then re-fetches the record.
   */
  async mutationsSince(
    user: AuthUser,
    tournamentId: string,
    sinceVersion: number,
  ): Promise<MutationLog | { error: ErrorBody }> {
    try {
      const current = await this.executor.summary(tournamentId);
      if (!current) {
        return { error: { code: 'ERR_MISSING_TOURNAMENT', message: 'Missing tournamentRecord', tournamentId } };
      }
      if (!mayAccessProvider(user, current.providerId)) {
        const message = `not allowed to access tournament ${tournamentId}`;
        return { error: { code: ErrorCode.FORBIDDEN, message, tournamentId } };
      }
      const { version } = current;
      const reset = { tournamentId, reset: true as const, version };
      if (sinceVersion === version) return { tournamentId, entries: [], version };
      if (sinceVersion > version || version - sinceVersion > MAX_CATCH_UP_ENTRIES) return reset;

      const first = await this.storage.log.firstVersion(tournamentId);
      if (first === undefined || first > sinceVersion + 1) return reset;
      const log = await this.storage.log.since(tournamentId, sinceVersion, version - sinceVersion);
      // Contiguous from sinceVersion + 1 to version, and every entry replayable from directives
      // (not a save, nor a batch the server itself stores whole because replay could differ).
      const replayable =
        continuesFrom(log, sinceVersion, version) && log.every((e) => e.kind === 'mutation' && isReplayable(e.methods));
      if (!replayable) return reset;
      const entries = log.map(({ version: v, methods, userId, at, overrides, seed }) => ({
        version: v,
        methods,
        userId,
        timestamp: Date.parse(at),
        ...(overrides ? { overrides } : {}),
        ...(seed === undefined ? {} : { seed, at }),
      }));
      if (Buffer.byteLength(JSON.stringify(entries)) > this.config.maxBodyBytes) return reset;
      return { tournamentId, entries, version };
    } catch (error) {
      if (error instanceof AppError) return { error: error.toBody() };
      throw error;
    }
  }
}
