import { Module } from '@nestjs/common';
import { LifecycleModule } from '../lifecycle/lifecycle.module';
import { TournamentsModule } from '../tournaments/tournaments.module';
import { HealthController } from './health.controller';

@Module({ imports: [LifecycleModule, TournamentsModule], controllers: [HealthController] })
export class HealthModule {}
