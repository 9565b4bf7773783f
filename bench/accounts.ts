import { randomBytes } from 'node:crypto';
import { postJson, postOk } from './http';

/** The desk account the bench works as: a `client` of one provider, as TMX desks are. */
export interface DeskAccount {
  token: string;
  email: string;
  providerId: string;
  /** May remove its tournaments afterwards (superadmin or `deleteTournament`). */
  canRemove: boolean;
  /**
   * A second sign-in of the same user (another token), for a second desk the server must tell
   * apart from the first: it never finds a conflict with a batch of the same sign-in. Absent when
   * only a token was given.
   */
  otherToken?: string;
}

interface Claims {
  email: string;
  roles: string[];
  permissions: string[];
  providerId: string | null;
}

export async function login(url: string, email: string, password: string): Promise<string> {
  const { token } = await postJson<{ token?: string }>(`${url}/auth/login`, { email, password });
  if (!token) throw new Error(`sign-in as ${email} gave no token`);
  return token;
}

/**
 * From a token (or an email and password): a client token as is; for a superadmin or an admin, a
 * fresh `client` user made the way an operator would (provider, invite, register, sign in), so
 * the desks go through the same role and provider checks as real desks.
 */
export async function deskAccount(
  url: string,
  given: { token?: string; email?: string; password?: string },
): Promise<DeskAccount> {
  let token = given.token;
  if (!token) {
    if (!given.email || !given.password) throw new Error('credentials needed: --token, or --email and --password');
    token = await login(url, given.email, given.password);
  }
  const claims = decodeClaims(token);
  const superadmin = claims.roles.includes('superadmin');
  if (claims.roles.includes('client') && claims.providerId) {
    const otherToken = given.email && given.password ? await login(url, given.email, given.password) : undefined;
    return {
      token,
      email: claims.email,
      providerId: claims.providerId,
      canRemove: superadmin || claims.permissions.includes('deleteTournament'),
      otherToken,
    };
  }
  if (!superadmin && !claims.roles.includes('admin')) {
    throw new Error(`the account ${claims.email} is neither client, admin nor superadmin`);
  }
  const suffix = randomBytes(4).toString('hex');
  let providerId = claims.providerId;
  if (!providerId) {
    const abbreviation = `BENCH${suffix.toUpperCase()}`;
    ({ providerId } = await postOk<{ providerId: string }>(
      `${url}/provider/add`,
      { organisationAbbreviation: abbreviation, organisationName: `Bench ${suffix}` },
      token,
    ));
  }
  const email = `bench-desk-${suffix}@example.com`;
  const password = randomBytes(18).toString('base64url');
  const { inviteCode } = await postOk<{ inviteCode: string }>(
    `${url}/auth/invite`,
    { email, providerId, roles: ['client'], permissions: ['deleteTournament'] },
    token,
  );
  await postOk(`${url}/auth/register`, { code: inviteCode, password, firstName: 'Bench', lastName: 'Desk' });
  const deskToken = await login(url, email, password);
  return {
    token: deskToken,
    email,
    providerId: providerId!,
    canRemove: decodeClaims(deskToken).permissions.includes('deleteTournament'),
    otherToken: await login(url, email, password),
  };
}

/** The claims of a JWT, unverified (the server verifies; the bench only needs to know who it is). */
export function decodeClaims(token: string): Claims {
  const part = token.split('.')[1];
  if (!part) throw new Error('the token is not a JWT');
  const payload = JSON.parse(Buffer.from(part, 'base64url').toString()) as Partial<Claims>;
  return {
    email: payload.email ?? '?',
    roles: payload.roles ?? [],
    permissions: payload.permissions ?? [],
    providerId: payload.providerId ?? null,
  };
}
