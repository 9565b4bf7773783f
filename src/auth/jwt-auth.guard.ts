import { Injectable, Logger, UnauthorizedException, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { Request } from 'express';
import type { AuthUser } from './auth-user';
import { IS_PUBLIC } from './decorators';
import { SessionGenerations } from './session-generations';

/**
 * Global guard: every HTTP route needs a valid token unless marked `@Public()`. On a public route a
 * valid token still identifies the caller, while a stale, forged or revoked one is ignored (public
 * sites send old tokens). A token whose session ended (docs/auth.md, "Sessions") gets 401
 * `Token revoked`; the check is a cache lookup (storage is read on a miss only). Socket.IO
 * gateways authenticate their own messages, so other contexts pass through.
 */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  private readonly logger = new Logger('JwtAuthGuard');

  constructor(
    private readonly reflector: Reflector,
    private readonly sessions: SessionGenerations,
  ) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<Request & { user?: AuthUser }>();
    if (this.isPublic(context) && !request.headers.authorization) return true;
    const allowed = (await super.canActivate(context)) as boolean;
    const user = request.user;
    if (user && (await this.revoked(user))) {
      if (!this.isPublic(context)) throw new UnauthorizedException('Token revoked');
      request.user = undefined; // a public route answers as to anyone
    }
    return allowed;
  }

  /** Synchronous on a cache hit. Storage unreachable: the token stands (the route fails if it needs storage). */
  private revoked(user: AuthUser): boolean | Promise<boolean> {
    const revoked = this.sessions.isRevoked(user);
    if (typeof revoked === 'boolean') return revoked;
    return revoked.catch((error: unknown) => {
      this.logger.warn(`session generation not read: ${(error as Error).message}`);
      return false;
    });
  }

  override handleRequest<TUser = AuthUser>(
    error: unknown,
    user: TUser | false,
    info: unknown,
    context: ExecutionContext,
  ): TUser {
    if (this.isPublic(context)) return (user || undefined) as TUser;
    if (error || !user) throw new UnauthorizedException(reason(error ?? info));
    return user;
  }

  private isPublic(context: ExecutionContext): boolean {
    return !!this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()]);
  }
}

function reason(cause: unknown): string {
  const name = (cause as { name?: string } | undefined)?.name;
  if (name === 'TokenExpiredError') return 'Token expired';
  if (cause instanceof Error && /no auth token/i.test(cause.message)) return 'Sign-in required';
  if (cause instanceof UnauthorizedException) return cause.message;
  return 'Invalid token';
}
