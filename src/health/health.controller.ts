import { Controller, Get, HttpStatus, Logger, Optional, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Public } from '../auth/decorators';
import { CacheService } from '../cache/cache.service';
import { BroadcastLink } from '../gateway/broadcast-link';
import { BatchGate } from '../lifecycle/batch-gate';
import { Storage } from '../storage/storage.types';
import { MutationExecutor } from '../tournaments/executor.service';

@Controller()
export class HealthController {
  private readonly logger = new Logger(HealthController.name);

  constructor(
    private readonly storage: Storage,
    private readonly gate: BatchGate,
    @Optional() private readonly cache?: CacheService,
    @Optional() private readonly broadcast?: BroadcastLink,
    @Optional() private readonly executor?: MutationExecutor,
  ) {}

  @Public()
  @Get()
  root() {
    return { message: 'Factory server' };
  }

  /** 200 when the store answers; 503 when it does not, or while shutting down (so balancers move on). */
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
    const draining = this.gate.isClosing;
    const ok = storage.status === 'up' && !draining;
    if (!ok) response.status(HttpStatus.SERVICE_UNAVAILABLE);
    // The cache is an optimisation: when it is down answers are computed, so health stays ok.
    const cache = (await this.cache?.health()) ?? { provider: 'memory', status: 'down' };
    // Likewise cross-instance broadcast: while Redis is down only the other instances' desks miss out.
    const broadcast = this.broadcast?.health() ?? { provider: 'local', status: 'up' };
    const status = draining ? 'shutting_down' : ok ? 'ok' : 'error';
    // Engine hosts: worker threads (or the main thread with ENGINE_WORKERS=0), their queues and busy time.
    const engine = this.executor && {
      workers: this.executor.pool.inProcess ? 0 : this.executor.pool.size,
      warmUpBatches: this.executor.pool.warmUpBatches,
      hosts: this.executor.pool.status(),
    };
    return { status, storage, cache, broadcast, ...(engine ? { engine } : {}) };
  }
}
