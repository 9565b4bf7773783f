import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { AppConfig } from '../config/config';
import { Storage, type StoredUser } from '../storage/storage.types';
import { UsersService } from '../users/users.service';
import { AuthService } from './auth.service';
import { generationOf } from './claims';
import { validitySeconds } from './token.service';

/** What a sign-in answers (login, sign-in link, refresh): TMX stores both. */
export interface SignIn {
  token: string;
  refreshToken: string;
}

/** Expired refresh tokens are deleted this often (and at start). */
const PURGE_INTERVAL_MS = 60 * 60 * 1000;

/** 256 random bits, URL-safe: opaque to clients, unguessable. */
function newRefreshToken(): string {
  return randomBytes(32).toString('base64url');
}

/** The key a refresh token is stored under: its SHA-256, so a leaked database holds no usable tokens. */
export function refreshTokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * Refresh tokens (docs/auth.md): one chain per sign-in, rotated on every refresh. A retired token
 * presented again ends its whole chain (someone else holds a copy); a removed account, another
 * account under the same email, or a newer session generation ends every token of the user.
 */
@Injectable()
export class RefreshTokenService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(RefreshTokenService.name);
  private readonly validityMs: number;
  private purgeTimer?: NodeJS.Timeout;

  constructor(
    private readonly storage: Storage,
    private readonly users: UsersService,
    private readonly auth: AuthService,
    config: AppConfig,
  ) {
    this.validityMs = validitySeconds(config.refreshTokenValidity) * 1000;
  }

  onApplicationBootstrap(): void {
    this.purge();
    this.purgeTimer = setInterval(() => this.purge(), PURGE_INTERVAL_MS);
    this.purgeTimer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.purgeTimer);
  }

  /** In the background; a failure (store closing, database away) waits for the next round. */
  private purge(): void {
    this.storage.refreshTokens.purgeExpired().catch((error: unknown) => {
      this.logger.warn(`purging expired refresh tokens failed: ${(error as Error).message}`);
    });
  }

  /** An access token and the first refresh token of a new chain, for an account that proved who it is. */
  async signIn(user: StoredUser): Promise<SignIn> {
    const refreshToken = newRefreshToken();
    await this.storage.refreshTokens.put({ ...this.record(user, refreshToken), familyId: randomUUID() });
    return { token: await this.auth.tokenFor(user), refreshToken };
  }

  /** Sign-in by password; undefined on any mismatch (the route answers 401 without saying which). */
  async login(email: string, password: string): Promise<SignIn | undefined> {
    const user = await this.users.checkPassword(email, password);
    return user && this.signIn(user);
  }

  /**
   * A new access token (claims as storage has them now) and the next refresh token of the chain;
   * undefined when the token is unknown, expired or retired, or its user's sessions have ended.
   */
  async refresh(refreshToken: string): Promise<SignIn | undefined> {
    const hash = refreshTokenHash(refreshToken);
    const stored = await this.storage.refreshTokens.get(hash);
    if (!stored) return undefined;
    const user = await this.users.get(stored.email);
    if (!user || user.userId !== stored.userId || generationOf(user) > stored.sv) {
      await this.storage.refreshTokens.revokeFamily(stored.familyId);
      return undefined;
    }
    const next = newRefreshToken();
    const rotation = await this.storage.refreshTokens.rotate(hash, this.record(user, next));
    if (rotation.outcome === 'reused') {
      this.logger.warn(`a retired refresh token was presented again: chain ${stored.familyId} of ${user.email} ended`);
    }
    if (rotation.outcome !== 'rotated') return undefined;
    return { token: await this.auth.tokenFor(user), refreshToken: next };
  }

  /** Ends the chain of this refresh token; says nothing about whether it existed. */
  async logout(refreshToken: string): Promise<void> {
    const stored = await this.storage.refreshTokens.get(refreshTokenHash(refreshToken));
    if (stored) await this.storage.refreshTokens.revokeFamily(stored.familyId);
  }

  private record(user: StoredUser, refreshToken: string) {
    return {
      hash: refreshTokenHash(refreshToken),
      userId: user.userId,
      email: user.email,
      sv: generationOf(user),
      expiresAt: Date.now() + this.validityMs,
    };
  }
}
