import { z } from 'zod';

/** Abbreviations appear in public URLs (`/tournaments/<abbr>`): letters, digits, dot, dash, underscore. */
const abbreviation = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[\p{L}\p{N}._-]+$/u, 'letters, digits, ".", "-" or "_" only');
const name = z.string().trim().min(1).max(200);
const id = z.string().trim().min(1).max(128);
const onlineResources = z.array(z.record(z.string(), z.unknown())).max(50);

export const calendarBody = z.object({ providerAbbr: z.string().trim().min(1).max(64) });

export const detailBody = z.object({ providerId: id });

/** TMX sends `{ providerAbbr }` only while it shows one provider; `{}` otherwise. */
export const myCalendarsBody = z.object({
  providerAbbr: z.preprocess((value) => (value === '' || value === null ? undefined : value), abbreviation.optional()),
});

export const tournamentIdParam = z.string().trim().min(1).max(128);
export const providerIdParam = id;

export const addBody = z.object({
  organisationAbbreviation: abbreviation,
  organisationName: name,
  organisationId: z.string().max(128).nullish(),
  onlineResources: onlineResources.optional(),
});

/** `{ providerId or organisationId, ...fields }`: other fields are provider settings, kept as sent. */
export const modifyBody = z
  .looseObject({
    providerId: id.optional(),
    organisationId: id.optional(),
    organisationAbbreviation: abbreviation.optional(),
    organisationName: name.optional(),
    onlineResources: onlineResources.optional(),
  })
  .refine((body) => body.providerId || body.organisationId, {
    message: 'providerId or organisationId is required',
    path: ['providerId'],
  });

export type AddProviderInput = z.infer<typeof addBody>;
