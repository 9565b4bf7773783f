import { Module } from '@nestjs/common';
import { LifecycleModule } from '../lifecycle/lifecycle.module';
import { ProvidersModule } from '../providers/providers.module';
import { DeskFreshness } from './desk-freshness';
import { MutationExecutor } from './executor.service';
import { TournamentEvents } from './tournament-events';
import { TournamentsController } from './tournaments.controller';
import { TournamentsService } from './tournaments.service';

/**
 * The mutation executor and the private /factory routes. `TournamentEvents` is what the gateway,
 * the public cache and metrics listen to.
 */
@Module({
  imports: [ProvidersModule, LifecycleModule],
  controllers: [TournamentsController],
  providers: [MutationExecutor, TournamentsService, TournamentEvents, DeskFreshness],
  exports: [MutationExecutor, TournamentsService, TournamentEvents, DeskFreshness],
})
export class TournamentsModule {}
