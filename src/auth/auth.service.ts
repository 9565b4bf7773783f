import { ForbiddenException, Injectable, Logger, UnauthorizedException } from '@nestjs/common';
import { AppConfig } from '../config/config';
import { ErrorCode, errorResult } from '../common/errors';
import { DuplicateKeyError, Storage, type StoredUser } from '../storage/storage.types';
import { normalizeEmail, UsersService } from '../users/users.service';
import { isSuperadmin, mayAccessProvider } from './access';
import type { AuthUser } from './auth-user';
import type { InviteInput, RegisterInput } from './auth.schemas';
import { buildClaims, type TokenClaims } from './claims';
import { codeKey, INVITE_CODE_LENGTH, INVITE_TTL_MS, newCode, RESET_CODE_LENGTH, RESET_TTL_MS } from './codes';
import { Mailer } from './mail/mailer';
import { inviteMail, resetMail } from './mail/messages';
import { TokenService } from './token.service';
import { userContext, type UserContext } from './user-context';

/** A used, expired or unknown invite or reset code. */
export const INVALID_CODE = 'ERR_INVALID_CODE';

interface Invite {
  email: string;
  providerId?: string;
  roles: string[];
  permissions: string[];
  services: string[];
}

/** Sign-in, invites, registration and password resets. */
@Injectable()
export class AuthService {
  private readonly logger = new Logger(AuthService.name);

  constructor(
    private readonly users: UsersService,
    private readonly storage: Storage,
    private readonly tokens: TokenService,
    private readonly mailer: Mailer,
    private readonly config: AppConfig,
  ) {}

  async claimsFor(user: StoredUser): Promise<TokenClaims> {
    const provider = user.providerId ? await this.storage.providers.get(user.providerId) : undefined;
    return buildClaims(user, provider);
  }

  /** A signed token for an account that has proved who it is (password or sign-in link). */
  async tokenFor(user: StoredUser): Promise<string> {
    return this.tokens.sign(await this.claimsFor(user));
  }

  /** The caller's claims and provider context as storage has them now; undefined when the account is gone. */
  async me(caller: AuthUser): Promise<UserContext | undefined> {
    const user = await this.currentUser(caller);
    return user && userContext(user, await this.claimsFor(user));
  }

  /**
   * Remembers the provider the caller picked in the desk app; `null` forgets it. Only a provider the
   * account belongs to (as storage has it now), or for a superadmin any existing provider.
   */
  async setLastSelectedProvider(caller: AuthUser, providerId: string | null) {
    const user = await this.currentUser(caller);
    if (!user) throw new UnauthorizedException('This account no longer exists');
    if (providerId !== null) {
      if (!user.roles.includes('superadmin') && providerId !== user.providerId) {
        throw new ForbiddenException('Not a member of this provider');
      }
      if (!(await this.storage.providers.get(providerId)))
        return errorResult(ErrorCode.NOT_FOUND, 'Provider not found');
    }
    const changes = { lastSelectedProviderId: providerId ?? undefined };
    if (!(await this.users.update(user, changes))) throw new UnauthorizedException('This account no longer exists');
    return { success: true, lastSelectedProviderId: providerId };
  }

  /** Ends every session of the caller (a new generation); 401 when the account is gone. */
  async signOutEverywhere(caller: AuthUser): Promise<void> {
    const user = await this.currentUser(caller);
    const ended = user && (await this.users.endSessions(user));
    if (!ended) throw new UnauthorizedException('This account no longer exists');
  }

  private async currentUser(caller: AuthUser): Promise<StoredUser | undefined> {
    const user = await this.users.get(caller.email);
    return user && user.userId === caller.userId ? user : undefined;
  }

  /** Refuses (403) an admin inviting outside its provider or granting superadmin. */
  async invite(caller: AuthUser, input: InviteInput) {
    const providerId = input.providerId ?? (isSuperadmin(caller) ? undefined : caller.providerId);
    if (!isSuperadmin(caller)) {
      if (input.roles.includes('superadmin')) throw new ForbiddenException('Only a superadmin may grant superadmin');
      if (!mayAccessProvider(caller, providerId))
        throw new ForbiddenException('You may invite only into your own provider');
    }
    if (providerId && !(await this.storage.providers.get(providerId))) {
      return errorResult(ErrorCode.NOT_FOUND, 'Provider not found');
    }
    if (await this.users.get(input.email)) {
      return errorResult(ErrorCode.DUPLICATE, 'An account with this email already exists');
    }
    const inviteCode = newCode(INVITE_CODE_LENGTH);
    const invite: Invite = { ...input, providerId };
    await this.storage.codes.put('invite', codeKey(inviteCode), { ...invite }, Date.now() + INVITE_TTL_MS);
    this.deliver(inviteMail(input.email, inviteCode, this.config.mail.publicUrl));
    return { inviteCode };
  }

  /** Creates the invited account; the email, roles and provider come from the invite, not the body. */
  async register(input: RegisterInput) {
    const key = codeKey(input.code);
    const invite = (await this.storage.codes.peek('invite', key)) as Invite | undefined;
    if (!invite) return errorResult(INVALID_CODE, 'Invalid or expired invitation code');
    if (await this.users.get(invite.email)) {
      return errorResult(ErrorCode.DUPLICATE, 'An account with this email already exists');
    }
    // `take` is atomic: of two registrations racing with one code, only one gets it.
    if (!(await this.storage.codes.take('invite', key))) {
      return errorResult(INVALID_CODE, 'Invalid or expired invitation code');
    }
    try {
      await this.users.create({
        ...invite,
        password: input.password,
        firstName: input.firstName,
        lastName: input.lastName,
      });
    } catch (error) {
      if (error instanceof DuplicateKeyError) {
        return errorResult(ErrorCode.DUPLICATE, 'An account with this email already exists');
      }
      throw error;
    }
    return { success: true };
  }

  /** Sends a reset code when the account exists; the answer is the same either way. */
  async forgotPassword(email: string): Promise<void> {
    const user = await this.users.get(email);
    if (!user) return;
    const code = newCode(RESET_CODE_LENGTH);
    await this.storage.codes.put('password-reset', codeKey(code), { email: user.email }, Date.now() + RESET_TTL_MS);
    this.deliver(resetMail(user.email, code, this.config.mail.publicUrl));
  }

  async resetPassword(email: string, code: string, password: string) {
    const key = codeKey(code);
    const invalid = errorResult(INVALID_CODE, 'Invalid or expired reset code');
    const pending = await this.storage.codes.peek('password-reset', key);
    // A code sent for another account is not consumed by a wrong guess at the email.
    if (pending?.email !== normalizeEmail(email)) return invalid;
    if (!(await this.storage.codes.take('password-reset', key))) return invalid;
    const user = await this.users.get(email);
    if (!user || !(await this.users.setPassword(user, password))) return invalid;
    return { success: true };
  }

  /** Mail goes out in the background: a slow mail server must not delay (or reveal) the answer. */
  private deliver(message: Parameters<Mailer['send']>[0]): void {
    this.mailer.send(message).catch((error: unknown) => {
      this.logger.error(`mail to ${message.to} failed: ${(error as Error).message}`);
    });
  }
}
