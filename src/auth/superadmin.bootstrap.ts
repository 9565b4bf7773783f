import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '../config/config';
import { DuplicateKeyError } from '../storage/storage.types';
import { UsersService } from '../users/users.service';

/**
 * First start: with SUPERADMIN_EMAIL/SUPERADMIN_PASSWORD set and no user at all, creates that
 * superadmin. Does nothing once any user exists, so a changed password is never overwritten.
 */
@Injectable()
export class SuperadminBootstrap implements OnApplicationBootstrap {
  private readonly logger = new Logger(SuperadminBootstrap.name);

  constructor(
    private readonly users: UsersService,
    private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const superadmin = this.config.superadmin;
    if (!superadmin || (await this.users.count()) > 0) return;
    try {
      await this.users.create({ email: superadmin.email, password: superadmin.password, roles: ['superadmin'] });
      this.logger.log(`created superadmin ${superadmin.email} (SUPERADMIN_EMAIL)`);
    } catch (error) {
      // Another instance starting at the same moment created it first.
      if (!(error instanceof DuplicateKeyError)) throw error;
    }
  }
}
