import { Module, type DynamicModule } from '@nestjs/common';
import { AuthModule } from './auth/auth.module';
import { ChatModule } from './chat/chat.module';
import { AppConfig } from './config/config';
import { ConfigModule } from './config/config.module';
import { GatewayModule } from './gateway/gateway.module';
import { HealthModule } from './health/health.module';
import { I18nModule } from './i18n/i18n.module';
import { LiveModule } from './live/live.module';
import { LoggingModule } from './logging/logging.module';
import { MetricsModule } from './metrics/metrics.module';
import { ProvidersModule } from './providers/providers.module';
import { PublicModule } from './public/public.module';
import { StorageModule } from './storage/storage.module';
import { TournamentsModule } from './tournaments/tournaments.module';
import { TransferModule } from './transfer/transfer.module';
import type { Storage } from './storage/storage.types';
import type { DestinationStream } from 'pino';

@Module({})
export class AppModule {
  /** `logDestination`: where JSON logs go instead of standard output (tests). */
  static forRoot(config: AppConfig, storage: Storage, logDestination?: DestinationStream): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        StorageModule.forRoot(storage),
        LoggingModule.forRoot(logDestination),
        HealthModule,
        AuthModule,
        ProvidersModule,
        TournamentsModule,
        PublicModule,
        LiveModule,
        GatewayModule,
        ChatModule,
        MetricsModule,
        I18nModule,
        TransferModule,
      ],
    };
  }
}
