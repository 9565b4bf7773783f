import { Controller, Get, Header, NotFoundException, Param, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Public } from '../auth/decorators';
import { clientHolds } from '../common/etag';
import { Locales } from './locales';

/**
 * The clients' translations (TMX and courthive-public fetch them at start, before anyone signs
 * in): the manifest, then a locale whenever its version differs from the copy they keep.
 */
@Public()
@Controller('i18n')
export class I18nController {
  constructor(private readonly locales: Locales) {}

  @Get('manifest')
  @Header('Cache-Control', 'public, max-age=300')
  manifest() {
    return this.locales.manifest;
  }

  @Get('locales/:code')
  locale(@Param('code') code: string, @Req() req: Request, @Res() res: Response): void {
    const file = this.locales.file(code);
    if (!file) throw new NotFoundException(`No locale ${code.slice(0, 20)}`);
    res.setHeader('ETag', file.etag);
    res.setHeader('Cache-Control', 'public, max-age=86400, must-revalidate');
    res.setHeader('Vary', 'Accept-Encoding');
    if (clientHolds(req.headers['if-none-match'], file.etag)) {
      res.status(304).end();
      return;
    }
    res.status(200).type('application/json');
    if (req.acceptsEncodings('gzip') === 'gzip') {
      res.setHeader('Content-Encoding', 'gzip');
      res.send(file.gzip);
      return;
    }
    res.send(file.json);
  }
}
