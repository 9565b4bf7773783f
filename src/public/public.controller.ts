import { Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { version as factoryVersion } from 'tods-competition-factory';
import type { z } from 'zod';
import { Public } from '../auth/decorators';
import { answer } from '../common/answer';
import { AppError } from '../common/errors';
import { clientHolds } from '../common/etag';
import { parseInput } from '../common/validation';
import { ZodBody } from '../openapi/zod-body';
import { answerText } from './cached-answer';
import { PublicReads, type PublicAnswer } from './public-reads.service';
import { eventDataSchema, participantsSchema, scheduleSchema, tournamentInfoSchema } from './public.schemas';

/**
 * The public `/factory` read routes (contract section 3, public part): no token needed, only
 * published data, cached per tournament version. The private `/factory` routes (POST /factory,
 * /fetch, ...) live in the tournaments module; the methods and paths here do not overlap them.
 */
@Public()
@Controller('factory')
export class PublicController {
  constructor(private readonly reads: PublicReads) {}

  @Get()
  root() {
    return { message: 'Factory services' };
  }

  @Get('version')
  version() {
    return { version: factoryVersion() };
  }

  @Get('tournamentinfo/:tournamentId')
  async tournamentInfoById(@Param('tournamentId') tournamentId: string, @Req() req: Request, @Res() res: Response) {
    const { tournamentId: id, ...params } = parseInput(tournamentInfoSchema, { tournamentId });
    await this.respond(req, res, () => this.reads.read('tournamentinfo', id, params));
  }

  @Post('tournamentinfo')
  async tournamentInfo(
    @ZodBody(tournamentInfoSchema) body: z.infer<typeof tournamentInfoSchema>,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const { tournamentId, ...params } = body;
    await this.respond(req, res, () => this.reads.read('tournamentinfo', tournamentId, params));
  }

  @Post('eventdata')
  async eventData(
    @ZodBody(eventDataSchema) body: z.infer<typeof eventDataSchema>,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const { tournamentId, ...params } = body;
    await this.respond(req, res, () => this.reads.read('eventdata', tournamentId, params));
  }

  @Post('scheduledmatchups')
  async scheduledMatchUps(
    @ZodBody(scheduleSchema) body: z.infer<typeof scheduleSchema>,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const { tournamentId, ...params } = body;
    await this.respond(req, res, () => this.reads.read('scheduledmatchups', tournamentId, params));
  }

  @Post('participants')
  async participants(
    @ZodBody(participantsSchema) body: z.infer<typeof participantsSchema>,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const { tournamentId, ...params } = body;
    await this.respond(req, res, () => this.reads.read('participants', tournamentId, params));
  }

  /** Sends a cached answer as it is stored (gzip) when the client takes gzip; 304 when it already holds it. */
  private async respond(req: Request, res: Response, read: () => Promise<PublicAnswer>): Promise<void> {
    let result: PublicAnswer;
    try {
      result = await read();
    } catch (error) {
      if (error instanceof AppError) answer({ error: error.toBody() });
      throw error;
    }
    res.status(200).type('application/json');
    if ('text' in result) {
      res.send(result.text);
      return;
    }
    res.setHeader('ETag', result.etag);
    // Sites may keep answers but must ask again each time; the ETag makes asking cheap.
    res.setHeader('Cache-Control', 'no-cache');
    res.setHeader('Vary', 'Accept-Encoding');
    if (clientHolds(req.headers['if-none-match'], result.etag)) {
      res.status(304).end();
      return;
    }
    if (req.acceptsEncodings('gzip') === 'gzip') {
      res.setHeader('Content-Encoding', 'gzip');
      res.send(result.cached.gzip);
      return;
    }
    res.send(answerText(result.cached));
  }
}
