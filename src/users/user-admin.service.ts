import { ForbiddenException, Injectable } from '@nestjs/common';
import { isSuperadmin, mayAccessProvider } from '../auth/access';
import type { AuthUser } from '../auth/auth-user';
import { ErrorCode, errorResult } from '../common/errors';
import { Storage, type StoredUser } from '../storage/storage.types';
import { UsersService, userView, type UserChanges } from './users.service';

export interface ModifyUser extends Omit<UserChanges, 'providerId'> {
  email: string;
  /** `null` detaches the user from its provider. */
  providerId?: string | null;
}

const NOT_FOUND = () => errorResult(ErrorCode.NOT_FOUND, 'User not found');

/**
 * User management by admins (their own provider) and superadmins (everyone). Scope refusals are
 * 403s; a superadmin account can be changed only by a superadmin.
 */
@Injectable()
export class UserAdminService {
  constructor(
    private readonly users: UsersService,
    private readonly storage: Storage,
  ) {}

  async list(caller: AuthUser) {
    let users: StoredUser[];
    if (isSuperadmin(caller)) {
      users = await this.users.list();
    } else {
      const providers = [...new Set([caller.providerId, ...caller.providerIds].filter((id) => !!id))] as string[];
      users = (await Promise.all(providers.map((providerId) => this.users.list({ providerId })))).flat();
    }
    users.sort((a, b) => a.email.localeCompare(b.email));
    return { success: true, users: users.map((user) => ({ key: user.email, value: userView(user) })) };
  }

  async modify(caller: AuthUser, input: ModifyUser) {
    const user = await this.users.get(input.email);
    if (!user) return NOT_FOUND();
    this.assertMayManage(caller, user);
    if (input.roles?.includes('superadmin') && !isSuperadmin(caller)) {
      throw new ForbiddenException('Only a superadmin may grant superadmin');
    }
    const changes: UserChanges = {
      roles: input.roles,
      permissions: input.permissions,
      services: input.services,
      firstName: input.firstName,
      lastName: input.lastName,
    };
    if (input.providerId !== undefined) {
      if (input.providerId === null ? !isSuperadmin(caller) : !mayAccessProvider(caller, input.providerId)) {
        throw new ForbiddenException('You may assign users only to your own provider');
      }
      if (input.providerId && !(await this.storage.providers.get(input.providerId))) {
        return errorResult(ErrorCode.NOT_FOUND, 'Provider not found');
      }
      changes.providerId = input.providerId ?? undefined;
    }
    return (await this.users.update(user, changes)) ? { success: true } : NOT_FOUND();
  }

  async remove(caller: AuthUser, email: string) {
    const user = await this.users.get(email);
    if (!user) return NOT_FOUND();
    this.assertMayManage(caller, user);
    if (user.userId === caller.userId) return errorResult(ErrorCode.CONFLICT, 'You cannot remove your own account');
    return (await this.users.remove(user.email)) ? { success: true } : NOT_FOUND();
  }

  private assertMayManage(caller: AuthUser, user: StoredUser): void {
    if (isSuperadmin(caller)) return;
    if (!mayAccessProvider(caller, user.providerId))
      throw new ForbiddenException('This user belongs to another provider');
    if (user.roles.includes('superadmin')) throw new ForbiddenException('Only a superadmin may change a superadmin');
  }
}
