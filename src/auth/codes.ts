import { createHash, randomInt } from 'node:crypto';

// Crockford base32: no I, L, O or U, so a code read aloud or typed from a mail is unambiguous.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A random one-time code of `length` characters (5 bits each). */
export function newCode(length: number): string {
  let code = '';
  for (let i = 0; i < length; i++) code += ALPHABET[randomInt(ALPHABET.length)];
  return code;
}

/**
 * The key a code is stored under: its SHA-256, so a leaked database holds no usable codes.
 * Codes are compared case-insensitively (people retype them).
 */
export function codeKey(code: string): string {
  return createHash('sha256').update(code.trim().toUpperCase()).digest('hex');
}

/** Invites travel as links: 120 bits. Reset codes are typed: 60 bits, short-lived and rate-limited. */
export const INVITE_CODE_LENGTH = 24;
export const RESET_CODE_LENGTH = 12;
export const INVITE_TTL_MS = 24 * 60 * 60 * 1000;
export const RESET_TTL_MS = 60 * 60 * 1000;
/** Sign-in links travel as links too (120 bits), and are short-lived: a mailbox is not a safe. */
export const MAGIC_LINK_CODE_LENGTH = 24;
export const MAGIC_LINK_TTL_MS = 15 * 60 * 1000;
