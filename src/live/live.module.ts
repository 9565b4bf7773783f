import { Module } from '@nestjs/common';
import { PublicModule } from '../public/public.module';
import { LiveAssets } from './live-assets';
import { LiveController } from './live.controller';

/** The live results page served by the server itself (docs/live-page.md). */
@Module({
  imports: [PublicModule],
  controllers: [LiveController],
  providers: [LiveAssets],
})
export class LiveModule {}
