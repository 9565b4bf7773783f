import { Module, type DynamicModule } from '@nestjs/common';
import { AuthModule } from './auth/auth.module';
import { AppConfig } from './config/config';
import { ConfigModule } from './config/config.module';
import { GatewayModule } from './gateway/gateway.module';
import { HealthModule } from './health/health.module';
import { ProvidersModule } from './providers/providers.module';
import { PublicModule } from './public/public.module';
import { StorageModule } from './storage/storage.module';
import { TournamentsModule } from './tournaments/tournaments.module';
import type { Storage } from './storage/storage.types';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, storage: Storage): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        StorageModule.forRoot(storage),
        HealthModule,
        AuthModule,
        ProvidersModule,
        TournamentsModule,
        PublicModule,
        GatewayModule,
      ],
    };
  }
}
