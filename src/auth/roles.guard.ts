import {
  ForbiddenException,
  Injectable,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { hasRole } from './access';
import type { AuthUser } from './auth-user';
import { ROLES_KEY } from './decorators';

/** Global guard: enforces `@Roles(...)` on HTTP routes (superadmin always passes). Runs after `JwtAuthGuard`. */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const roles = this.reflector.getAllAndOverride<string[] | undefined>(ROLES_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!roles?.length) return true;
    const user = context.switchToHttp().getRequest<{ user?: AuthUser }>().user;
    if (!user) throw new UnauthorizedException('Sign-in required');
    if (!hasRole(user, ...roles)) throw new ForbiddenException(`Requires role ${roles.join(' or ')}`);
    return true;
  }
}
