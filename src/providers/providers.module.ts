import { Module } from '@nestjs/common';
import { CalendarService } from './calendar.service';
import { ProvidersController } from './providers.controller';
import { ProvidersService } from './providers.service';

/** Providers and their public calendars. Other modules use `ProvidersService` and `CalendarService`. */
@Module({
  controllers: [ProvidersController],
  providers: [ProvidersService, CalendarService],
  exports: [ProvidersService, CalendarService],
})
export class ProvidersModule {}
