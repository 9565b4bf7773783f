import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { ThrottlerModule } from '@nestjs/throttler';
import { AppConfig } from '../config/config';
import { UsersModule } from '../users/users.module';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { JwtAuthGuard } from './jwt-auth.guard';
import { JwtStrategy } from './jwt.strategy';
import { MagicLinkService } from './magic-link.service';
import { createMailer, Mailer } from './mail/mailer';
import { RolesGuard } from './roles.guard';
import { RefreshTokenService } from './refresh-tokens';
import { signInThrottlerOptions } from './sign-in-throttle';
import { SuperadminBootstrap } from './superadmin.bootstrap';
import { TokenService, validitySeconds } from './token.service';

/**
 * Sign-in, tokens and the two global guards (JWT, then roles) that cover every HTTP route of every
 * module. Other modules import it for `TokenService` (sockets) and `Mailer`.
 */
@Module({
  imports: [
    PassportModule,
    UsersModule,
    JwtModule.registerAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        secret: config.jwt.secret,
        signOptions: { algorithm: 'HS256', issuer: config.jwt.issuer, expiresIn: validitySeconds(config.jwt.validity) },
        verifyOptions: { algorithms: ['HS256'], issuer: config.jwt.issuer },
      }),
    }),
    ThrottlerModule.forRootAsync({ inject: [AppConfig], useFactory: signInThrottlerOptions }),
  ],
  controllers: [AuthController],
  providers: [
    AuthService,
    MagicLinkService,
    RefreshTokenService,
    TokenService,
    JwtStrategy,
    SuperadminBootstrap,
    { provide: Mailer, inject: [AppConfig], useFactory: createMailer },
    // Order matters: the roles guard reads the user the JWT guard sets.
    { provide: APP_GUARD, useClass: JwtAuthGuard },
    { provide: APP_GUARD, useClass: RolesGuard },
  ],
  exports: [TokenService, Mailer],
})
export class AuthModule {}
