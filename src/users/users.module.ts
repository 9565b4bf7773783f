import { Module } from '@nestjs/common';
import { SessionGenerations } from '../auth/session-generations';
import { UserAdminService } from './user-admin.service';
import { UsersService } from './users.service';

/** Users, and the session generations their changes move (one cache per instance). */
@Module({
  providers: [UsersService, UserAdminService, SessionGenerations],
  exports: [UsersService, UserAdminService, SessionGenerations],
})
export class UsersModule {}
