import { Controller, Get, Param, Req, Res } from '@nestjs/common';
import { ApiProduces } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Public } from '../auth/decorators';
import { AppConfig } from '../config/config';
import { answerText } from '../public/cached-answer';
import { PublicReads } from '../public/public-reads.service';
import { LiveAssets } from './live-assets';
import { livePageHtml, notFoundHtml, type ShellInfo } from './live-html';
import { qrSvg } from './qr-svg';

/** Same-origin only: the page's script, style, reads and socket all come from this server. */
const PAGE_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'self'";

/**
 * The live results page (docs/live-page.md): one HTML page per public tournament, its QR code, and
 * the page's bundled script and style. Everything it shows it reads from the public routes.
 */
@Public()
@Controller()
export class LiveController {
  constructor(
    private readonly reads: PublicReads,
    private readonly assets: LiveAssets,
    private readonly config: AppConfig,
  ) {}

  @Get('live/:tournamentId')
  @ApiProduces('text/html')
  async page(@Param('tournamentId') tournamentId: string, @Res() res: Response) {
    const script = this.assets.get('live.js');
    const style = this.assets.get('live.css');
    if (!script || !style) {
      res.status(503).type('text/plain').send('The live page is not built: run pnpm build:live.');
      return;
    }
    const info = await this.publicInfo(tournamentId);
    res.setHeader('Cache-Control', 'no-cache');
    res.setHeader('Content-Security-Policy', PAGE_POLICY);
    if (!info) {
      res.status(404).type('html').send(notFoundHtml());
      return;
    }
    res
      .status(200)
      .type('html')
      .send(livePageHtml(info, script, style));
  }

  @Get('live/:tournamentId/qr.svg')
  @ApiProduces('image/svg+xml')
  async qr(@Param('tournamentId') tournamentId: string, @Req() req: Request, @Res() res: Response) {
    if (!(await this.publicInfo(tournamentId))) {
      res.status(404).type('text/plain').send('Tournament not found');
      return;
    }
    // req.protocol and req.host follow X-Forwarded-Proto and -Host only from a proxy TRUST_PROXY trusts.
    const base = this.config.publicBaseUrl ?? `${req.protocol}://${req.host}`;
    res.setHeader('Cache-Control', 'public, max-age=3600');
    res
      .status(200)
      .type('image/svg+xml')
      .send(qrSvg(`${base}/live/${encodeURIComponent(tournamentId)}`));
  }

  @Get('live-assets/:file')
  @ApiProduces('text/javascript', 'text/css')
  asset(@Param('file') file: string, @Req() req: Request, @Res() res: Response) {
    const asset = this.assets.get(file);
    if (!asset) {
      res.status(404).type('text/plain').send('Not found');
      return;
    }
    // Linked with ?v=<content hash>: a given address never changes, so browsers keep it.
    const versioned = req.query.v === asset.hash;
    res.setHeader('Cache-Control', versioned ? 'public, max-age=31536000, immutable' : 'no-cache');
    res.setHeader('ETag', `"${asset.hash}"`);
    res.setHeader('Vary', 'Accept-Encoding');
    res.type(asset.type);
    if (req.headers['if-none-match'] === `"${asset.hash}"`) {
      res.status(304).end();
      return;
    }
    if (req.acceptsEncodings('gzip') === 'gzip') {
      res.setHeader('Content-Encoding', 'gzip');
      res.send(asset.gzip);
      return;
    }
    res.send(asset.body);
  }

  /** The public tournament info (cached like /factory/tournamentinfo), or undefined when there is none. */
  private async publicInfo(tournamentId: string): Promise<ShellInfo | undefined> {
    if (!tournamentId || tournamentId.length > 200) return undefined;
    const answer = await this.reads.read('tournamentinfo', tournamentId, {
      withMatchUpStats: false,
      withVenueData: false,
    });
    const text = 'text' in answer ? answer.text : answerText(answer.cached);
    const body = JSON.parse(text) as { tournamentInfo?: ShellInfo };
    return body.tournamentInfo;
  }
}
