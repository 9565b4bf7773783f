import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { isSuperadmin, mayAccessProvider } from '../auth/access';
import type { AuthUser } from '../auth/auth-user';
import { Storage, type CalendarEntry, type Provider } from '../storage/storage.types';
import { CalendarService } from './calendar.service';
import type { AddProviderInput } from './provider.schemas';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A provider is read into every token and every detail answer: keep its settings modest. */
export const MAX_PROVIDER_BYTES = 256 * 1024;

export class ProviderTooLargeError extends Error {
  override name = 'ProviderTooLargeError';
}

export interface PublicCalendar {
  provider: Pick<Provider, 'organisationId' | 'organisationAbbreviation' | 'organisationName'>;
  tournaments: CalendarEntry[];
}

/** One calendar of `POST /provider/my-calendars`. */
export interface ProviderCalendar extends PublicCalendar {
  providerAbbr: string;
}

@Injectable()
export class ProvidersService {
  constructor(
    private readonly storage: Storage,
    private readonly calendars: CalendarService,
  ) {}

  list(): Promise<Provider[]> {
    return this.storage.providers.list();
  }

  get(providerId: string): Promise<Provider | undefined> {
    return this.storage.providers.get(providerId);
  }

  /**
   * Creates a provider. A client-sent `organisationId` is kept when it is a UUID no provider uses;
   * otherwise a new one is made (the answer names it). Throws `DuplicateKeyError` for a taken abbreviation.
   */
  async add(input: AddProviderInput): Promise<Provider> {
    const wanted = input.organisationId?.trim();
    const free = !!wanted && UUID.test(wanted) && !(await this.storage.providers.get(wanted));
    const provider: Provider = {
      organisationId: free ? wanted : randomUUID(),
      organisationAbbreviation: input.organisationAbbreviation,
      organisationName: input.organisationName,
    };
    if (input.onlineResources) provider.onlineResources = input.onlineResources;
    await this.storage.providers.create(provider);
    return provider;
  }

  /**
   * Applies changed fields; the identity (`organisationId`) never changes. Undefined when the provider
   * is gone. Throws `DuplicateKeyError` when the new abbreviation belongs to another provider.
   */
  async modify(provider: Provider, changes: Record<string, unknown>): Promise<Provider | undefined> {
    const { providerId: _providerId, organisationId: _organisationId, ...fields } = changes;
    const next: Provider = { ...provider, ...fields, organisationId: provider.organisationId };
    if (JSON.stringify(next).length > MAX_PROVIDER_BYTES) {
      throw new ProviderTooLargeError(`provider settings exceed ${MAX_PROVIDER_BYTES} bytes`);
    }
    return (await this.storage.providers.update(next)) ? next : undefined;
  }

  /** The public calendar of the provider with this abbreviation (any case); undefined when unknown. */
  async calendar(abbreviation: string): Promise<PublicCalendar | undefined> {
    const provider = await this.storage.providers.getByAbbreviation(abbreviation);
    return provider && this.calendarOf(provider);
  }

  /**
   * One calendar per provider of the caller, or only the one named by `providerAbbr` (none when it
   * is not the caller's). A superadmin without `providerAbbr` gets every provider's calendar.
   */
  async myCalendars(caller: AuthUser, providerAbbr?: string): Promise<ProviderCalendar[]> {
    let providers: Provider[];
    if (providerAbbr) {
      const provider = await this.storage.providers.getByAbbreviation(providerAbbr);
      providers = provider && mayAccessProvider(caller, provider.organisationId) ? [provider] : [];
    } else if (isSuperadmin(caller)) {
      providers = await this.list();
    } else {
      const ids = [...new Set([caller.providerId, ...caller.providerIds])].filter((id): id is string => !!id);
      providers = (await Promise.all(ids.map((id) => this.get(id)))).filter((p): p is Provider => !!p);
    }
    providers.sort((a, b) => a.organisationAbbreviation.localeCompare(b.organisationAbbreviation));
    return Promise.all(
      providers.map(async (provider) => ({
        providerAbbr: provider.organisationAbbreviation,
        ...(await this.calendarOf(provider)),
      })),
    );
  }

  /**
   * The provider that owns a stored tournament (read from the stored owner, not the record), null
   * for an unowned tournament or a provider since removed; undefined when the tournament is unknown.
   */
  async ownerOf(tournamentId: string): Promise<Provider | null | undefined> {
    const summary = await this.storage.tournaments.getSummary(tournamentId);
    if (!summary) return undefined;
    return (summary.providerId && (await this.get(summary.providerId))) || null;
  }

  private async calendarOf(provider: Provider): Promise<PublicCalendar> {
    return {
      provider: {
        organisationId: provider.organisationId,
        organisationAbbreviation: provider.organisationAbbreviation,
        organisationName: provider.organisationName,
      },
      tournaments: await this.calendars.listForProvider(provider.organisationId),
    };
  }
}
