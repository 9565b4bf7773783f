import { JwtService } from '@nestjs/jwt';
import { describe, expect, it } from 'vitest';
import { buildClaims, claimsToUser } from '../../src/auth/claims';
import { bearerToken, InvalidTokenError, TokenService, validitySeconds } from '../../src/auth/token.service';
import type { StoredUser } from '../../src/storage/storage.types';

const SECRET = 's'.repeat(40);
const user: StoredUser = {
  userId: 'user-1',
  email: 'desk@example.com',
  passwordHash: '$argon2id$secret-hash',
  roles: ['client'],
  permissions: [],
  services: [],
  providerId: 'p1',
  createdAt: '',
  updatedAt: '',
};
const provider = { organisationId: 'p1', organisationAbbreviation: 'P1', organisationName: 'Provider One' };

function service(validity = 3600) {
  return new TokenService(
    new JwtService({
      secret: SECRET,
      signOptions: { algorithm: 'HS256', issuer: 'cfs', expiresIn: validity },
      verifyOptions: { algorithms: ['HS256'], issuer: 'cfs' },
    }),
  );
}

describe('token claims', () => {
  it('never carry the password hash, and carry nulls rather than missing keys', () => {
    const claims = buildClaims({ ...user, providerId: undefined });
    expect(JSON.stringify(claims)).not.toContain('argon2');
    expect(claims).toMatchObject({ providerId: null, providerIds: [], provider: null, firstName: '', lastName: '' });
    expect(Object.keys(claims).sort()).toEqual(
      [
        'email',
        'firstName',
        'lastName',
        'lastSelectedProviderId',
        'permissions',
        'provider',
        'providerId',
        'providerIds',
        'roles',
        'services',
        'sub',
        'sv',
      ].sort(),
    );
  });

  it("leave out a provider that is not the user's", () => {
    expect(buildClaims(user, { ...provider, organisationId: 'other' }).provider).toBeNull();
    expect(buildClaims(user, provider).provider).toEqual(provider);
  });

  it('read back into the caller, and refuse payloads without sub or email', () => {
    expect(claimsToUser({ ...buildClaims(user, provider), exp: 5 })).toMatchObject({
      userId: 'user-1',
      providerId: 'p1',
      providerIds: ['p1'],
      provider,
      exp: 5,
    });
    expect(claimsToUser({ email: 'x@example.com' })).toBeUndefined();
    expect(claimsToUser({ sub: 'u', email: 'x', roles: 'admin' })).toBeUndefined();
  });
});

describe('TokenService (used by the socket gateway)', () => {
  it('verifies its own tokens and reports expiry', () => {
    const tokens = service();
    const caller = tokens.verify(tokens.sign(buildClaims(user, provider)));
    expect(caller.email).toBe('desk@example.com');
    expect(caller.exp).toBeGreaterThan(Date.now() / 1000 + 3500);
  });

  it('refuses expired, forged and foreign-issuer tokens', () => {
    const tokens = service();
    const claims = buildClaims(user, provider);
    const expired = new JwtService({ secret: SECRET }).sign({ ...claims, exp: 1 }, { issuer: 'cfs' });
    const forged = new JwtService({ secret: 'f'.repeat(40) }).sign(claims, { issuer: 'cfs' });
    const foreign = new JwtService({ secret: SECRET }).sign(claims, { issuer: 'elsewhere' });
    expect(() => tokens.verify(expired)).toThrow(/expired/);
    expect(() => tokens.verify(forged)).toThrow(InvalidTokenError);
    expect(() => tokens.verify(foreign)).toThrow(InvalidTokenError);
    expect(tokens.userFromToken(expired)).toBeUndefined();
    expect(tokens.userFromToken(undefined)).toBeUndefined();
  });
});

describe('helpers', () => {
  it('convert JWT_VALIDITY to seconds (a bare number is seconds, not milliseconds)', () => {
    expect(validitySeconds('3600')).toBe(3600);
    expect(validitySeconds('30m')).toBe(1800);
    expect(validitySeconds('1d')).toBe(86_400);
    expect(validitySeconds('2w')).toBe(1_209_600);
    expect(() => validitySeconds('soon')).toThrow();
  });

  it('read a bearer header', () => {
    expect(bearerToken('Bearer abc.def.ghi')).toBe('abc.def.ghi');
    expect(bearerToken('bearer   abc')).toBe('abc');
    expect(bearerToken('Basic abc')).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });
});
