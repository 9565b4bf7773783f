import { Injectable, Logger } from '@nestjs/common';
import type { PublicValue } from '../engine/host/protocol';
import type { Computed } from '../cache/cache.service';
import { CacheService } from '../cache/cache.service';
import { AppError, ErrorCode } from '../common/errors';
import { Storage } from '../storage/storage.types';
import { MutationExecutor } from '../tournaments/executor.service';
import { decodeAnswer, encodeAnswer, type CachedAnswer } from './cached-answer';
import type { RouteParams } from './public-answers';
import { TOURNAMENT_NOT_FOUND } from './public-errors';
import { etagOf, publicKey } from './public-keys';
import type { PublicRoute } from './public.schemas';
import { PublishIndex } from './publish-index';

export type { RouteParams } from './public-answers';

/** An answer to send: cached (gzipped JSON with its ETag), or plain JSON text for an unknown tournament. */
export type PublicAnswer = { cached: CachedAnswer; etag: string } | { text: string };

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
    // Computed, serialised and gzipped by the engine host that holds the record.
    const current = await this.executor.read<PublicValue>(tournamentId, { op: 'public', route, params });
    if (!current) return { value: encodeAnswer(NOT_FOUND_BODY, 0) };
    const { encoded, next, publish } = current.value;
    this.index.remember(tournamentId, current.version, publish);
    const value = Buffer.from(encoded.buffer, encoded.byteOffset, encoded.byteLength);
    return { value, ttlMs: next === undefined ? undefined : next - Date.now() };
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
