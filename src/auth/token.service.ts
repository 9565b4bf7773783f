import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import type { AuthUser } from './auth-user';
import { claimsToUser, type TokenClaims } from './claims';

/** Thrown by `TokenService.verify`; the message says why (expired, bad signature, wrong issuer, ...). */
export class InvalidTokenError extends Error {
  override name = 'InvalidTokenError';
}

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

/**
 * `JWT_VALIDITY` in seconds. jsonwebtoken reads a bare numeric *string* as milliseconds, while the
 * configuration documents seconds, so the value is converted here and passed as a number.
 */
export function validitySeconds(validity: string): number {
  const match = /^(\d+)([smhdw]?)$/.exec(validity.trim());
  if (!match) throw new Error(`invalid JWT validity "${validity}"`);
  return Number(match[1]) * UNITS[match[2] || 's'];
}

/** Pulls the token out of an `Authorization: Bearer ...` header value. */
export function bearerToken(header: unknown): string | undefined {
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

/**
 * Signs and verifies tokens. HTTP routes go through the passport strategy; the Socket.IO gateway
 * calls `verify` / `userFromToken` with `handshake.auth.token` or the bearer header.
 */
@Injectable()
export class TokenService {
  constructor(private readonly jwt: JwtService) {}

  sign(claims: TokenClaims): string {
    // Algorithm, issuer and lifetime come from the module's signOptions. A token id per sign-in:
    // two sign-ins of one account in the same second are still two tokens (two desks' copies).
    return this.jwt.sign({ ...claims }, { jwtid: randomUUID() });
  }

  /** The caller a token describes. Checks signature (HS256 only), issuer and expiry. */
  verify(token: string): AuthUser {
    let payload: unknown;
    try {
      payload = this.jwt.verify(token);
    } catch (error) {
      throw new InvalidTokenError((error as Error).message);
    }
    const user = claimsToUser(payload);
    if (!user) throw new InvalidTokenError('token claims are incomplete');
    return user;
  }

  /** Like `verify`, but undefined for a missing, invalid or expired token. */
  userFromToken(token: string | null | undefined): AuthUser | undefined {
    if (!token) return undefined;
    try {
      return this.verify(token);
    } catch {
      return undefined;
    }
  }
}
