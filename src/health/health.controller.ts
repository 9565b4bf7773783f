import { Controller, Get, HttpStatus, Logger, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Public } from '../auth/decorators';
import { Storage } from '../storage/storage.types';

@Controller()
export class HealthController {
  private readonly logger = new Logger(HealthController.name);

  constructor(private readonly storage: Storage) {}

  @Public()
  @Get()
  root() {
    return { message: 'Factory server' };
  }

  /** 200 when the store answers, 503 when it does not. */
  @Public()
  @Get('health')
  async health(@Res({ passthrough: true }) response: Response) {
    const storage = await this.storage.ping().then(
      () => ({ provider: this.storage.kind, status: 'up' as const }),
      (error: unknown) => {
        // The cause goes to the log, not to the public answer.
        this.logger.warn(`storage health check failed: ${(error as Error).message}`);
        return { provider: this.storage.kind, status: 'down' as const };
      },
    );
    const ok = storage.status === 'up';
    if (!ok) response.status(HttpStatus.SERVICE_UNAVAILABLE);
    return { status: ok ? 'ok' : 'error', storage, cache: { provider: 'memory', status: 'up' } };
  }
}
