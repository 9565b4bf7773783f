import { Injectable, type ExecutionContext } from '@nestjs/common';
import { ThrottlerGuard, type ThrottlerLimitDetail, type ThrottlerModuleOptions } from '@nestjs/throttler';
import type { Response } from 'express';
import type { AppConfig } from '../config/config';
import { normalizeEmail } from '../users/users.service';

/** The lower-cased email a sign-in request names, if any: the per-account bucket. */
function accountOf(body: unknown): string | undefined {
  const email = (body as { email?: unknown } | undefined)?.email;
  return typeof email === 'string' && email.trim() ? normalizeEmail(email) : undefined;
}

function bodyOf(context: ExecutionContext): unknown {
  return context.switchToHttp().getRequest<{ body?: unknown }>().body;
}

/**
 * Two buckets per sign-in route: one per client IP (slows a scan over many accounts) and one per
 * account (slows guessing one password from many IPs). In-process counters: with several server
 * instances each keeps its own.
 */
export function signInThrottlerOptions(config: AppConfig): ThrottlerModuleOptions {
  const ttl = config.loginLimit.windowSeconds * 1000;
  return {
    errorMessage: 'Too many attempts, try again later',
    throttlers: [
      { name: 'ip', ttl, limit: config.loginLimit.perIp },
      {
        name: 'account',
        ttl,
        limit: config.loginLimit.perAccount,
        getTracker: (req) => accountOf(req.body) ?? '',
        skipIf: (context) => !accountOf(bodyOf(context)),
      },
    ],
  };
}

/**
 * The throttler guard for sign-in routes. Adds the standard `Retry-After` header (the library only
 * sets per-throttler names such as `Retry-After-ip`).
 */
@Injectable()
export class SignInThrottlerGuard extends ThrottlerGuard {
  protected override async throwThrottlingException(
    context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    context.switchToHttp().getResponse<Response>().setHeader('Retry-After', String(detail.timeToBlockExpire));
    await super.throwThrottlingException(context, detail);
  }
}
