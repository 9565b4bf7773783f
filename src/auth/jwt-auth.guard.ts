import { Injectable, UnauthorizedException, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { Request } from 'express';
import type { AuthUser } from './auth-user';
import { IS_PUBLIC } from './decorators';

/**
 * Global guard: every HTTP route needs a valid token unless marked `@Public()`. On a public route a
 * valid token still identifies the caller, while a stale or forged one is ignored (public sites send
 * old tokens). Socket.IO gateways authenticate their own messages, so other contexts pass through.
 */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    if (this.isPublic(context) && !context.switchToHttp().getRequest<Request>().headers.authorization) return true;
    return (await super.canActivate(context)) as boolean;
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
