/**
 * Key encoding for the LevelDB store. Compound keys join their parts with NUL because ids are
 * client-chosen strings that may contain `!`, `:` or `/`, but never NUL (refused on write). A range
 * over one prefix is then `[prefix + NUL, prefix + U+0001)`.
 */
export const SEP = '\u0000';
const AFTER_SEP = '\u0001';

/** Number.MAX_SAFE_INTEGER has 16 digits, so zero-padding to 16 keeps numeric order lexicographic. */
const VERSION_DIGITS = 16;

export function compoundKey(...parts: string[]): string {
  for (const part of parts) {
    if (part.includes(SEP)) throw new Error('storage keys must not contain the NUL character');
  }
  return parts.join(SEP);
}

/** Every key that starts with `prefix` followed by the separator. */
export function prefixRange(prefix: string): { gte: string; lt: string } {
  return { gte: prefix + SEP, lt: prefix + AFTER_SEP };
}

export function versionKey(tournamentId: string, version: number): string {
  return compoundKey(tournamentId, String(version).padStart(VERSION_DIGITS, '0'));
}

export function versionOfKey(key: string): number {
  return Number(key.slice(key.lastIndexOf(SEP) + 1));
}
