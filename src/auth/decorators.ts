import { createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import type { AuthUser } from './auth-user';

export const IS_PUBLIC = 'isPublic';
export const ROLES_KEY = 'roles';

/** The route needs no token; an expired or invalid `Authorization` header is ignored. */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/** The caller needs one of these roles (superadmin always passes). */
export const Roles = (...roles: string[]) => SetMetadata(ROLES_KEY, roles);

/** The signed-in caller (set by the JWT guard); undefined on a public route without a valid token. */
export const CurrentUser = createParamDecorator(
  (_data: unknown, context: ExecutionContext): AuthUser | undefined =>
    context.switchToHttp().getRequest<{ user?: AuthUser }>().user,
);
