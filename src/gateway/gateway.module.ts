import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { ChatModule } from '../chat/chat.module';
import { BroadcastModule } from './broadcast.module';
import { LifecycleModule } from '../lifecycle/lifecycle.module';
import { PublicModule } from '../public/public.module';
import { TournamentsModule } from '../tournaments/tournaments.module';
import { UsersModule } from '../users/users.module';
import { DeskService } from './desk.service';
import { PublicGateway } from './public.gateway';
import { TmxGateway } from './tmx.gateway';

/**
 * The Socket.IO namespaces: `/tmx` for desks, `/public` for viewers. The server itself is set up
 * by `GatewayIoAdapter` (see app.ts).
 */
@Module({
  imports: [AuthModule, TournamentsModule, PublicModule, LifecycleModule, BroadcastModule, ChatModule, UsersModule],
  providers: [TmxGateway, PublicGateway, DeskService],
})
export class GatewayModule {}
