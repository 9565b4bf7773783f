import { Controller, Get, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Public } from '../auth/decorators';
import { MetricsService } from './metrics.service';

/** Prometheus scrape endpoint. Unauthenticated, like /health: keep it behind the proxy. */
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Public()
  @Get()
  async scrape(@Res() response: Response): Promise<void> {
    const { contentType, text } = await this.metrics.scrape();
    response.status(200).setHeader('Cache-Control', 'no-store').type(contentType).send(text);
  }
}
