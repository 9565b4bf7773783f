import { Controller, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { z } from 'zod';
import { hasPermission, isSuperadmin, mayAccessProvider } from '../auth/access';
import type { AuthUser } from '../auth/auth-user';
import { CurrentUser, Roles } from '../auth/decorators';
import { bearerToken } from '../auth/token.service';
import { answer } from '../common/answer';
import { AppError, ErrorCode } from '../common/errors';
import { ZodBody } from '../openapi/zod-body';
import type { TournamentRecord } from '../storage/storage.types';
import { tokenHolder } from './desk-freshness';
import { MutationExecutor } from './executor.service';
import {
  executeSchema,
  fetchSchema,
  generateSchema,
  historySchema,
  matchUpsSchema,
  querySchema,
  removeSchema,
  saveSchema,
  scoreSchema,
  tournamentIdsOf,
  updatedAtSchema,
} from './tournaments.schemas';
import { TournamentsService } from './tournaments.service';

/** The private /factory routes (contract section 3). Thin: parse, authorise, call, answer. */
@Controller('factory')
export class TournamentsController {
  constructor(
    private readonly executor: MutationExecutor,
    private readonly tournaments: TournamentsService,
  ) {}

  @Post()
  @Roles('client')
  async execute(
    @ZodBody(executeSchema) body: z.infer<typeof executeSchema>,
    @CurrentUser() user: AuthUser,
    @Req() request: Request,
  ) {
    return answer(await this.executor.execute({ ...body, user, origin: { holder: holderOf(request) } }));
  }

  @Post('fetch')
  @Roles('client', 'admin')
  async fetch(
    @ZodBody(fetchSchema) body: z.infer<typeof fetchSchema>,
    @CurrentUser() user: AuthUser,
    @Req() request: Request,
    @Res() response: Response,
  ) {
    const result = await this.tournaments.fetchJson(tournamentIdsOf(body), user, holderOf(request));
    if (typeof result !== 'string') return response.status(200).json(answer(result));
    response.status(200).type('application/json').send(result);
  }

  /** Any signed-in user of the tournament's provider: a `score` desk needs to know it is stale as much as a `client`. */
  @Post('updated-at')
  async updatedAt(
    @ZodBody(updatedAtSchema) body: z.infer<typeof updatedAtSchema>,
    @CurrentUser() user: AuthUser,
    @Req() request: Request,
  ) {
    return answer(await this.tournaments.updatedAt(body.tournamentId, user, holderOf(request)));
  }

  @Post('save')
  @Roles('client', 'admin')
  async save(@ZodBody(saveSchema) body: z.infer<typeof saveSchema>, @CurrentUser() user: AuthUser) {
    const records = (
      body.tournamentRecord
        ? [body.tournamentRecord]
        : Array.isArray(body.tournamentRecords)
          ? body.tournamentRecords
          : Object.values(body.tournamentRecords ?? {})
    ) as TournamentRecord[];
    const baseVersions =
      body.versions ??
      (body.baseVersion !== undefined && records.length === 1
        ? { [records[0].tournamentId]: body.baseVersion }
        : undefined);
    return answer(
      await this.executor.save({ records, baseVersions, force: body.force, ackId: body.ackId?.toString(), user }),
    );
  }

  @Post('remove')
  @Roles('client')
  async remove(@ZodBody(removeSchema) body: z.infer<typeof removeSchema>, @CurrentUser() user: AuthUser) {
    if (!isSuperadmin(user) && !hasPermission(user, 'deleteTournament')) {
      return deleteRefused('Removing tournaments needs the deleteTournament permission');
    }
    if (body.providerId && !mayAccessProvider(user, body.providerId)) {
      return deleteRefused('Not allowed to remove tournaments of this provider');
    }
    const result = await this.executor.remove(tournamentIdsOf(body), user);
    if ('error' in result && result.error.code === ErrorCode.FORBIDDEN) {
      return deleteRefused('Not allowed to remove a tournament of another provider');
    }
    return answer(result);
  }

  @Post('query')
  @Roles('client')
  async query(@ZodBody(querySchema) body: z.infer<typeof querySchema>, @CurrentUser() user: AuthUser) {
    return answer(await this.tournaments.query(tournamentIdsOf(body), body.method, body.params ?? {}, user));
  }

  @Post('score')
  @Roles('score', 'client')
  async score(@ZodBody(scoreSchema) body: z.infer<typeof scoreSchema>, @CurrentUser() user: AuthUser) {
    return answer(await this.tournaments.score(body, user, {}).catch(toFailure));
  }

  @Post('matchups')
  @Roles('score', 'client')
  async matchUps(@ZodBody(matchUpsSchema) body: z.infer<typeof matchUpsSchema>, @CurrentUser() user: AuthUser) {
    return answer(await this.tournaments.matchUps(body, user));
  }

  @Post('generate')
  @Roles('generate')
  async generate(@ZodBody(generateSchema) body: z.infer<typeof generateSchema>, @CurrentUser() user: AuthUser) {
    return answer(await this.tournaments.generate(body, user, {}));
  }

  @Post('history')
  @Roles('client')
  async history(@ZodBody(historySchema) body: z.infer<typeof historySchema>, @CurrentUser() user: AuthUser) {
    return answer(await this.tournaments.history(body.tournamentId, body.sinceVersion, body.limit, user));
  }
}

/** Which sign-in sent the request (a fingerprint of its bearer token), for the staleness probe. */
function holderOf(request: Request): string | undefined {
  return tokenHolder(bearerToken(request.headers.authorization));
}

/**
 * A refused removal as TMX shows it: 200 with `error` as a readable sentence and `errorCode`
 * (TMX toasts `error`, and keeps its local copy).
 */
function deleteRefused(error: string) {
  return { error, errorCode: 'ERR_DELETE_FORBIDDEN' };
}

function toFailure(error: unknown) {
  if (error instanceof AppError) return { error: error.toBody() };
  throw error;
}
