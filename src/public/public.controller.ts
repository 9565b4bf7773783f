import { Body, Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { version as factoryVersion } from 'tods-competition-factory';
import type { z } from 'zod';
import { Public } from '../auth/decorators';
import { answer } from '../common/answer';
import { AppError } from '../common/errors';
import { parseInput, ZodPipe } from '../common/validation';
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
    @Body(new ZodPipe(tournamentInfoSchema)) body: z.infer<typeof tournamentInfoSchema>,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const { tournamentId, ...params } = body;
    await this.respond(req, res, () => this.reads.read('tournamentinfo', tournamentId, params));
  }

  @Post('eventdata')
  async eventData(
    @Body(new ZodPipe(eventDataSchema)) body: z.infer<typeof eventDataSchema>,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const { tournamentId, ...params } = body;
    await this.respond(req, res, () => this.reads.read('eventdata', tournamentId, params));
  }

  @Post('scheduledmatchups')
  async scheduledMatchUps(
    @Body(new ZodPipe(scheduleSchema)) body: z.infer<typeof scheduleSchema>,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const { tournamentId, ...params } = body;
    await this.respond(req, res, () => this.reads.read('scheduledmatchups', tournamentId, params));
  }

  @Post('participants')
  async participants(
    @Body(new ZodPipe(participantsSchema)) body: z.infer<typeof participantsSchema>,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const { tournamentId, ...params } = body;
    await this.respond(req, res, () => this.reads.read('participants', tournamentId, params));
  }

  /** Sends cached JSON text as it is; 304 when the client already holds this answer (GET and POST). */
  private async respond(req: Request, res: Response, read: () => Promise<PublicAnswer>): Promise<void> {
    let result: PublicAnswer;
    try {
      result = await read();
    } catch (error) {
      if (error instanceof AppError) answer({ error: error.toBody() });
      throw error;
    }
    if (result.etag) {
      res.setHeader('ETag', result.etag);
      // Sites may keep answers but must ask again each time; the ETag makes asking cheap.
      res.setHeader('Cache-Control', 'no-cache');
      if (holds(req.headers['if-none-match'], result.etag)) {
        res.status(304).end();
        return;
      }
    }
    res.status(200).type('application/json').send(result.body);
  }
}

/** `If-None-Match` lists the ETag (weak or strong, or `*`). */
function holds(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((tag) => {
    const value = tag.trim();
    return value === '*' || value === etag || value === `W/${etag}`;
  });
}
