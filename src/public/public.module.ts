import { Module } from '@nestjs/common';
import { PublicEvents } from './public-events';

/** The public read routes and the published-data cache. */
@Module({
  providers: [PublicEvents],
  exports: [PublicEvents],
})
export class PublicModule {}
