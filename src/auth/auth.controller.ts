import { Controller, Get, Patch, Post, UnauthorizedException, UseGuards } from '@nestjs/common';
import { SkipThrottle } from '@nestjs/throttler';
import type { z } from 'zod';
import { ZodBody } from '../openapi/zod-body';
import { UserAdminService } from '../users/user-admin.service';
import type { AuthUser } from './auth-user';
import {
  forgotPasswordBody,
  inviteBody,
  lastSelectedProviderBody,
  loginBody,
  logoutBody,
  magicConsumeBody,
  magicRequestBody,
  modifyUserBody,
  refreshBody,
  registerBody,
  removeUserBody,
  resetPasswordBody,
  signoutBody,
} from './auth.schemas';
import { AuthService } from './auth.service';
import { CurrentUser, Public, Roles } from './decorators';
import { MagicLinkService } from './magic-link.service';
import { RefreshTokenService } from './refresh-tokens';
import { SignInThrottlerGuard } from './sign-in-throttle';

type Body<T extends z.ZodType> = z.infer<T>;

@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly userAdmin: UserAdminService,
    private readonly magicLinks: MagicLinkService,
    private readonly refreshTokens: RefreshTokenService,
  ) {}

  @Public()
  @UseGuards(SignInThrottlerGuard)
  @Post('login')
  async login(@ZodBody(loginBody) body: Body<typeof loginBody>) {
    const signIn = await this.refreshTokens.login(body.email, body.password);
    if (!signIn) throw new UnauthorizedException('Invalid email or password');
    return signIn;
  }

  /** A new access token and the next refresh token of the chain; the one presented is retired. */
  @Public()
  @UseGuards(SignInThrottlerGuard)
  @Post('refresh')
  async refresh(@ZodBody(refreshBody) body: Body<typeof refreshBody>) {
    const signIn = await this.refreshTokens.refresh(body.refreshToken);
    if (!signIn) throw new UnauthorizedException('Invalid or expired refresh token');
    return signIn;
  }

  /** Ends the refresh token's chain. Needs no access token (TMX sends none); always `{ success: true }`. */
  @Public()
  @UseGuards(SignInThrottlerGuard)
  @Post('logout')
  async logout(@ZodBody(logoutBody) body: Body<typeof logoutBody>) {
    if (body.refreshToken) await this.refreshTokens.logout(body.refreshToken);
    return { success: true };
  }

  @Roles('admin')
  @Post('invite')
  invite(@ZodBody(inviteBody) body: Body<typeof inviteBody>, @CurrentUser() caller: AuthUser) {
    return this.auth.invite(caller, body);
  }

  @Public()
  @UseGuards(SignInThrottlerGuard)
  @SkipThrottle({ account: true })
  @Post('register')
  register(@ZodBody(registerBody) body: Body<typeof registerBody>) {
    return this.auth.register(body);
  }

  @Roles('admin')
  @Post('allusers')
  allUsers(@CurrentUser() caller: AuthUser) {
    return this.userAdmin.list(caller);
  }

  @Roles('admin')
  @Post('modify')
  modify(@ZodBody(modifyUserBody) body: Body<typeof modifyUserBody>, @CurrentUser() caller: AuthUser) {
    return this.userAdmin.modify(caller, body);
  }

  @Roles('admin')
  @Post('remove')
  remove(@ZodBody(removeUserBody) body: Body<typeof removeUserBody>, @CurrentUser() caller: AuthUser) {
    return this.userAdmin.remove(caller, body.email);
  }

  @Public()
  @UseGuards(SignInThrottlerGuard)
  @Post('forgot-password')
  async forgotPassword(@ZodBody(forgotPasswordBody) body: Body<typeof forgotPasswordBody>) {
    await this.auth.forgotPassword(body.email);
    return { success: true };
  }

  @Public()
  @UseGuards(SignInThrottlerGuard)
  @Post('reset-password')
  resetPassword(@ZodBody(resetPasswordBody) body: Body<typeof resetPasswordBody>) {
    return this.auth.resetPassword(body.email, body.code, body.password);
  }

  @Get('me')
  async me(@CurrentUser() caller: AuthUser) {
    const context = await this.auth.me(caller);
    if (!context) throw new UnauthorizedException('This account no longer exists');
    return context;
  }

  /**
   * `{ everywhere: true }` ends every session of the caller: all its tokens (this one too) are
   * refused from now on and its desk sockets are closed. Without it the answer is the same and
   * nothing ends server-side (the client forgets its token).
   */
  @Post('signout')
  async signout(@ZodBody(signoutBody) body: Body<typeof signoutBody>, @CurrentUser() caller: AuthUser) {
    if (body.everywhere) await this.auth.signOutEverywhere(caller);
    return { success: true };
  }

  @Patch('me/last-selected-provider')
  lastSelectedProvider(
    @ZodBody(lastSelectedProviderBody) body: Body<typeof lastSelectedProviderBody>,
    @CurrentUser() caller: AuthUser,
  ) {
    return this.auth.setLastSelectedProvider(caller, body.providerId ?? null);
  }

  /** Always `{ success: true }` (no user enumeration); a sign-in link goes to the mailer. */
  @Public()
  @UseGuards(SignInThrottlerGuard)
  @Post('magic/request')
  async magicRequest(@ZodBody(magicRequestBody) body: Body<typeof magicRequestBody>) {
    await this.magicLinks.request(body.email);
    return { success: true };
  }

  /** Answers as `/auth/login` does; 401 for an unknown, used or expired link. */
  @Public()
  @UseGuards(SignInThrottlerGuard)
  @Post('magic/consume')
  async magicConsume(@ZodBody(magicConsumeBody) body: Body<typeof magicConsumeBody>) {
    const user = await this.magicLinks.consume(body.code);
    if (!user) throw new UnauthorizedException('Invalid or expired sign-in link');
    return this.refreshTokens.signIn(user);
  }
}
