import bcrypt from 'bcryptjs';
import { describe, expect, it } from 'vitest';
import { codeKey, newCode } from '../../src/auth/codes';
import { hashPassword, verifyPassword } from '../../src/auth/passwords';

describe('passwords', () => {
  it('hashes with argon2id, salted, and verifies only the right password', async () => {
    const a = await hashPassword('correct horse');
    const b = await hashPassword('correct horse');
    expect(a).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('correct horse', a)).toEqual({ ok: true, rehash: false });
    expect(await verifyPassword('wrong horse', a)).toEqual({ ok: false, rehash: false });
  });

  it('accepts legacy bcrypt hashes ($2a/$2b/$2y) and asks for a re-hash', async () => {
    const legacy = bcrypt.hashSync('old secret', 4);
    for (const prefix of ['$2a$', '$2b$', '$2y$']) {
      const hash = prefix + legacy.slice(4);
      expect(await verifyPassword('old secret', hash)).toEqual({ ok: true, rehash: true });
      expect(await verifyPassword('other', hash)).toEqual({ ok: false, rehash: false });
    }
  });

  it('treats a clear-text or malformed stored value as a mismatch', async () => {
    expect((await verifyPassword('plain', 'plain')).ok).toBe(false);
    expect((await verifyPassword('x', '$argon2id$garbage')).ok).toBe(false);
    expect((await verifyPassword('x', '')).ok).toBe(false);
  });
});

describe('one-time codes', () => {
  it('are random, unambiguous, and stored under a case-insensitive hash', () => {
    const codes = new Set(Array.from({ length: 200 }, () => newCode(12)));
    expect(codes.size).toBe(200);
    for (const code of codes) expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{12}$/);
    expect(codeKey('abc123')).toBe(codeKey(' ABC123 '));
    expect(codeKey('ABC123')).toMatch(/^[0-9a-f]{64}$/);
    expect(codeKey('ABC123')).not.toContain('ABC123');
  });
});
