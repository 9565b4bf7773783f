import { Module } from '@nestjs/common';
import { CacheModule } from '../cache/cache.module';
import { TournamentsModule } from '../tournaments/tournaments.module';
import { PublicCommits } from './public-commits';
import { PublicController } from './public.controller';
import { PublicEvents } from './public-events';
import { PublicReads } from './public-reads.service';
import { PublicWarmer } from './public-warmer';
import { PublishIndex } from './publish-index';

/** The public read routes and the published-data cache. */
@Module({
  imports: [TournamentsModule, CacheModule],
  controllers: [PublicController],
  providers: [PublicEvents, PublicReads, PublishIndex, PublicWarmer, PublicCommits],
  exports: [PublicEvents, PublicReads],
})
export class PublicModule {}
