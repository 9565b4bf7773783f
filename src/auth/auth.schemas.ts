import { z } from 'zod';
import { PERMISSIONS, ROLES } from './auth-user';
import { newPassword } from './passwords';

const email = z.string().trim().toLowerCase().max(254).pipe(z.email());
/** Lookups take any string (an unknown or odd email simply matches nobody). */
const emailKey = z.string().trim().toLowerCase().min(1).max(254);
const personName = z.string().trim().max(100);
const providerId = z.string().trim().min(1).max(128);
const roles = z.array(z.enum(ROLES)).max(ROLES.length);
const permissions = z.array(z.enum(PERMISSIONS)).max(PERMISSIONS.length);
const services = z.array(z.string().trim().min(1).max(64)).max(32);
/** Forms send `''` or `null` for an empty field: both mean "not given". */
const blankIsAbsent = (value: unknown) => (value === '' || value === null ? undefined : value);

export const loginBody = z.object({ email: emailKey, password: z.string().min(1).max(1024) });

export const inviteBody = z.object({
  email,
  providerId: z.preprocess(blankIsAbsent, providerId.optional()),
  roles: roles.default([]),
  permissions: permissions.default([]),
  services: services.default([]),
});

export const registerBody = z.object({
  code: z.string().trim().min(1).max(128),
  password: newPassword,
  firstName: z.preprocess(blankIsAbsent, personName.optional()),
  lastName: z.preprocess(blankIsAbsent, personName.optional()),
});

export const modifyUserBody = z.object({
  email: emailKey,
  /** `null` detaches the user from its provider (superadmin only). */
  providerId: providerId.nullish().or(z.literal('').transform(() => undefined)),
  roles: roles.optional(),
  permissions: permissions.optional(),
  services: services.optional(),
  firstName: personName.optional(),
  lastName: personName.optional(),
});

export const removeUserBody = z.object({ email: emailKey });

export const forgotPasswordBody = z.object({ email: emailKey });

export const resetPasswordBody = z.object({
  email: emailKey,
  code: z.string().trim().min(1).max(128),
  password: newPassword,
});

/** `null` (or no providerId) forgets the pick. */
export const lastSelectedProviderBody = z.object({ providerId: providerId.nullish() });

export const magicRequestBody = z.object({ email: emailKey });

/** `everywhere: true` ends every session of the caller (a new generation); otherwise nothing server-side. */
export const signoutBody = z.object({ everywhere: z.boolean().optional() });

export const magicConsumeBody = z.object({ code: z.string().trim().min(1).max(128) });

/** A refresh token as a sign-in gave it (opaque, 43 characters; anything else up to 4 KiB is simply unknown). */
const refreshToken = z.string().trim().min(1).max(4096);

export const refreshBody = z.object({ refreshToken });

/** Sign-out answers success whatever it is given, a missing token included (TMX sends what it has). */
export const logoutBody = z.object({ refreshToken: z.string().max(4096).nullish() });

export type InviteInput = z.infer<typeof inviteBody>;
export type RegisterInput = z.infer<typeof registerBody>;
export type ModifyUserInput = z.infer<typeof modifyUserBody>;
