import { Controller, ForbiddenException, Get, Param, Post } from '@nestjs/common';
import { mayAccessProvider } from '../auth/access';
import type { AuthUser } from '../auth/auth-user';
import { CurrentUser, Public, Roles } from '../auth/decorators';
import { ErrorCode, errorResult } from '../common/errors';
import { InvalidInputException, parseInput } from '../common/validation';
import { ZodBody } from '../openapi/zod-body';
import { DuplicateKeyError } from '../storage/storage.types';
import { effectiveConfig, publicBranding, scoringLaunch } from './provider-lookups';
import {
  addBody,
  calendarBody,
  detailBody,
  modifyBody,
  myCalendarsBody,
  providerIdParam,
  tournamentIdParam,
} from './provider.schemas';
import { ProviderTooLargeError, ProvidersService } from './providers.service';
import type { z } from 'zod';

const notFound = () => errorResult(ErrorCode.NOT_FOUND, 'Provider not found');
const missingTournament = () => errorResult('ERR_MISSING_TOURNAMENT', 'Missing tournamentRecord');

@Controller('provider')
export class ProvidersController {
  constructor(private readonly providers: ProvidersService) {}

  @Public()
  @Post('calendar')
  async calendar(@ZodBody(calendarBody) body: z.infer<typeof calendarBody>) {
    const calendar = await this.providers.calendar(body.providerAbbr);
    return calendar ? { success: true, calendar } : notFound();
  }

  /** The calendars of the caller's providers (every provider for a superadmin), as TMX lists them when signed in. */
  @Post('my-calendars')
  async myCalendars(@ZodBody(myCalendarsBody) body: z.infer<typeof myCalendarsBody>, @CurrentUser() user: AuthUser) {
    return { success: true, calendars: await this.providers.myCalendars(user, body.providerAbbr) };
  }

  /** Public: the owning provider's branding only, for viewers that theme a tournament page. */
  @Public()
  @Get('by-tournament/:tournamentId/branding')
  async branding(@Param('tournamentId') tournamentId: string) {
    const owner = await this.providers.ownerOf(parseInput(tournamentIdParam, tournamentId));
    if (owner === undefined) return missingTournament();
    return { success: true, branding: owner && publicBranding(owner) };
  }

  /** Public: which scoring app a viewer's "Score this match" opens (Epixodic unless the provider says otherwise). */
  @Public()
  @Get('by-tournament/:tournamentId/scoring-launch')
  async scoringLaunch(@Param('tournamentId') tournamentId: string) {
    const owner = await this.providers.ownerOf(parseInput(tournamentIdParam, tournamentId));
    if (owner === undefined) return missingTournament();
    return { success: true, scoringLaunch: scoringLaunch(owner ?? undefined) };
  }

  /** What TMX applies when a provider becomes active (branding, permissions, policies, defaults): members and superadmins. */
  @Get(':providerId/effective-config')
  async effectiveConfig(@Param('providerId') providerId: string, @CurrentUser() user: AuthUser) {
    const id = parseInput(providerIdParam, providerId);
    if (!mayAccessProvider(user, id)) throw new ForbiddenException('Not a member of this provider');
    const provider = await this.providers.get(id);
    return provider ? { success: true, providerId: id, effective: effectiveConfig(provider) } : notFound();
  }

  @Roles('superadmin')
  @Post('allproviders')
  async allProviders() {
    const providers = await this.providers.list();
    return { success: true, providers: providers.map((value) => ({ key: value.organisationId, value })) };
  }

  @Post('detail')
  async detail(@ZodBody(detailBody) body: z.infer<typeof detailBody>, @CurrentUser() user: AuthUser) {
    if (!mayAccessProvider(user, body.providerId)) throw new ForbiddenException('Not a member of this provider');
    const provider = await this.providers.get(body.providerId);
    return provider ? { success: true, provider } : notFound();
  }

  @Roles('superadmin')
  @Post('add')
  async add(@ZodBody(addBody) body: z.infer<typeof addBody>) {
    try {
      const provider = await this.providers.add(body);
      return { success: true, providerId: provider.organisationId };
    } catch (error) {
      if (error instanceof DuplicateKeyError) return duplicate(body.organisationAbbreviation);
      throw error;
    }
  }

  @Roles('admin')
  @Post('modify')
  async modify(@ZodBody(modifyBody) body: z.infer<typeof modifyBody>, @CurrentUser() user: AuthUser) {
    const providerId = (body.providerId ?? body.organisationId) as string;
    if (!mayAccessProvider(user, providerId)) throw new ForbiddenException('Not an admin of this provider');
    const provider = await this.providers.get(providerId);
    if (!provider) return notFound();
    try {
      return (await this.providers.modify(provider, body)) ? { success: true } : notFound();
    } catch (error) {
      if (error instanceof DuplicateKeyError) return duplicate(String(body.organisationAbbreviation));
      if (error instanceof ProviderTooLargeError) throw new InvalidInputException(error.message);
      throw error;
    }
  }
}

function duplicate(abbreviation: string) {
  return errorResult(ErrorCode.DUPLICATE, `Provider abbreviation ${abbreviation} is already taken`);
}
