import { Module } from '@nestjs/common';
import { TournamentsModule } from '../tournaments/tournaments.module';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';
import { SocketCountGateway } from './socket-count.gateway';

/** `GET /metrics` (Prometheus text). See docs/observability.md for every series. */
@Module({
  imports: [TournamentsModule],
  controllers: [MetricsController],
  providers: [MetricsService, SocketCountGateway],
  exports: [MetricsService],
})
export class MetricsModule {}
