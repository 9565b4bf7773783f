import { Injectable, Logger, UnauthorizedException } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { AppConfig } from '../config/config';
import type { AuthUser } from './auth-user';
import { claimsToUser } from './claims';
import { SessionGenerations } from './session-generations';

/**
 * Reads `Authorization: Bearer <jwt>`: HS256 only (so `alg: none` and RS/HS confusion fail), issuer
 * and expiry checked, then the session generation (`Token revoked` for an ended session; the
 * cache answers without a storage read on a hit).
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  private readonly logger = new Logger('JwtStrategy');

  constructor(
    config: AppConfig,
    private readonly sessions: SessionGenerations,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKey: config.jwt.secret,
      algorithms: ['HS256'],
      issuer: config.jwt.issuer,
      ignoreExpiration: false,
    });
  }

  validate(payload: unknown): AuthUser | Promise<AuthUser> {
    const user = claimsToUser(payload);
    if (!user) throw new UnauthorizedException('Token claims are incomplete');
    const revoked = this.sessions.isRevoked(user);
    if (revoked === false) return user;
    if (revoked === true) throw new UnauthorizedException('Token revoked');
    return revoked.then(
      (ended) => {
        if (ended) throw new UnauthorizedException('Token revoked');
        return user;
      },
      (error: unknown) => {
        if (error instanceof UnauthorizedException) throw error;
        // Storage unreachable: the signature and expiry stand (the route itself will fail if it needs storage).
        this.logger.warn(`session generation not read: ${(error as Error).message}`);
        return user;
      },
    );
  }
}
