import { Injectable, UnauthorizedException } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { AppConfig } from '../config/config';
import type { AuthUser } from './auth-user';
import { claimsToUser } from './claims';

/**
 * Reads `Authorization: Bearer <jwt>`: HS256 only (so `alg: none` and RS/HS confusion fail), issuer
 * and expiry checked. The session generation is checked by `JwtAuthGuard` (passport keeps one
 * strategy per name for the whole process; the guard belongs to its application).
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(config: AppConfig) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKey: config.jwt.secret,
      algorithms: ['HS256'],
      issuer: config.jwt.issuer,
      ignoreExpiration: false,
    });
  }

  validate(payload: unknown): AuthUser {
    const user = claimsToUser(payload);
    if (!user) throw new UnauthorizedException('Token claims are incomplete');
    return user;
  }
}
