import { Module } from '@nestjs/common';
import { TournamentsModule } from '../tournaments/tournaments.module';
import { UsersModule } from '../users/users.module';
import { ChatGateway } from './chat.gateway';
import { ChatService } from './chat.service';
import { DeskRoomEvents } from './desk-room-events';

/**
 * Tournament chat on `/tmx` (docs/chat.md). The desk gateway reports joins and leaves through
 * `DeskRoomEvents`; the store is `Storage.chat`; the cross-instance link is the gateway's.
 */
@Module({
  imports: [TournamentsModule, UsersModule],
  providers: [ChatGateway, ChatService, DeskRoomEvents],
  exports: [DeskRoomEvents],
})
export class ChatModule {}
