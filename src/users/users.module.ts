import { Module } from '@nestjs/common';
import { UserAdminService } from './user-admin.service';
import { UsersService } from './users.service';

@Module({ providers: [UsersService, UserAdminService], exports: [UsersService, UserAdminService] })
export class UsersModule {}
