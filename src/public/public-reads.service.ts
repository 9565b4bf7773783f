import { Injectable, Logger } from '@nestjs/common';
import type { Computed } from '../cache/cache.service';
import { CacheService } from '../cache/cache.service';
import { AppError, ErrorCode } from '../common/errors';
import { runInEngineContext } from '../engine/engine-state';
import { Storage, type TournamentRecord } from '../storage/storage.types';
import { MutationExecutor } from '../tournaments/executor.service';
import { decodeAnswer, encodeAnswer, type CachedAnswer } from './cached-answer';
import { TOURNAMENT_NOT_FOUND } from './public-errors';
import { etagOf, publicKey } from './public-keys';
import { eventDataAnswer, participantsAnswer, scheduleAnswer, tournamentInfoAnswer } from './public-queries';
import type {
  EventDataParams,
  ParticipantsParams,
  PublicRoute,
  ScheduleParams,
  TournamentInfoParams,
} from './public.schemas';
import { PublishIndex } from './publish-index';
import { publishInfoOf, type PublishInfo } from './publish-state';

/** Normalised params per route, without the tournament id (the key holds it). */
export interface RouteParams {
  tournamentinfo: TournamentInfoParams;
  eventdata: EventDataParams;
  scheduledmatchups: ScheduleParams;
  participants: ParticipantsParams;
}

/** An answer to send: cached (gzipped JSON with its ETag), or plain JSON text for an unknown tournament. */
export type PublicAnswer = { cached: CachedAnswer; etag: string } | { text: string };

type Compute<R extends PublicRoute> = (
  record: TournamentRecord,
  publish: PublishInfo,
  params: RouteParams[R],
) => object;
const COMPUTE: { [R in PublicRoute]: Compute<R> } = {
  tournamentinfo: tournamentInfoAnswer,
  eventdata: eventDataAnswer,
  scheduledmatchups: scheduleAnswer,
  participants: participantsAnswer,
};
const NOT_FOUND_BODY = JSON.stringify(TOURNAMENT_NOT_FOUND);

/**
 * The public read path: tournament version (cheap), then the version-keyed cache, then the engine.
 * Every answer is JSON text computed once per tournament version and params.
 */
@Injectable()
export class PublicReads {
  private readonly logger = new Logger('PublicReads');

  constructor(
    private readonly storage: Storage,
    private readonly executor: MutationExecutor,
    private readonly cache: CacheService,
    private readonly index: PublishIndex,
  ) {}

  async read<R extends PublicRoute>(route: R, tournamentId: string, params: RouteParams[R]): Promise<PublicAnswer> {
    const version = await this.versionOf(tournamentId);
    if (version === undefined) return { text: NOT_FOUND_BODY };
    const key = publicKey(tournamentId, version, route, params);
    const compute = () => this.compute(route, tournamentId, params);
    const cached = decodeAnswer(await this.cache.getOrCompute(key, compute)) ?? decodeAnswer((await compute()).value)!;
    return { cached, etag: etagOf(key, cached.phase) };
  }

  /**
   * Makes sure the answer for `version` is cached; false (nothing done) when the tournament has
   * moved on since, because the commit that moved it warms its own version.
   */
  async warm<R extends PublicRoute>(route: R, tournamentId: string, version: number, params: RouteParams[R]) {
    if ((await this.versionOf(tournamentId)) !== version) return false;
    await this.cache.getOrCompute(publicKey(tournamentId, version, route, params), () =>
      this.compute(route, tournamentId, params),
    );
    return true;
  }

  private async compute<R extends PublicRoute>(
    route: R,
    tournamentId: string,
    params: RouteParams[R],
  ): Promise<Computed> {
    const current = await this.executor.readCommitted(tournamentId);
    if (!current) return { value: encodeAnswer(NOT_FOUND_BODY, 0) };
    // Synchronous from here: `current.record` may be the executor's hot copy, good until the next await.
    const now = Date.now();
    const publish = publishInfoOf(current.record, now);
    this.index.remember(tournamentId, current.version, publish);
    const body = JSON.stringify(this.answer(route, current.record, publish, params));
    const { passed, next } = publish.embargoes;
    return { value: encodeAnswer(body, passed), ttlMs: next === undefined ? undefined : next - now };
  }

  private answer<R extends PublicRoute>(
    route: R,
    record: TournamentRecord,
    publish: PublishInfo,
    params: RouteParams[R],
  ) {
    try {
      const compute = COMPUTE[route] as Compute<R>;
      return runInEngineContext({ [record.tournamentId]: record }, () => compute(record, publish, params));
    } catch (error) {
      // An engine exception on odd filters is the engine's failure, not the client's: a plain error answer.
      this.logger.warn(`${route} failed for ${record.tournamentId}: ${(error as Error).message}`);
      return { error: { code: 'ERR_ENGINE', message: 'could not compute this answer' } };
    }
  }

  private async versionOf(tournamentId: string): Promise<number | undefined> {
    try {
      return await this.storage.tournaments.getVersion(tournamentId);
    } catch (error) {
      this.logger.error(`storage failure reading a version: ${(error as Error).message}`);
      throw new AppError(ErrorCode.STORAGE_UNAVAILABLE, 'storage unavailable; try again');
    }
  }
}
