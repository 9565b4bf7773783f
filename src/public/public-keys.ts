import { createHash } from 'node:crypto';

/**
 * `pub:<tournamentId>:<version>:<route>:<hash of the normalised params>`. The version makes every
 * commit move to new keys, so a stale answer is never served and no delete can race a save.
 */
export function publicKey(tournamentId: string, version: number, route: string, params: object): string {
  return `${tournamentPrefix(tournamentId)}${version}:${route}:${hash(stableJson(params))}`;
}

/** Every key of one tournament starts with this (used to drop them when it is removed). */
export function tournamentPrefix(tournamentId: string): string {
  return `pub:${tournamentId}:`;
}

/**
 * ETag of an answer: its key (which holds the version) and how many embargoes had lifted when it
 * was computed (an embargo lifting changes the answer without a new version). Weak, because the
 * same answer goes out gzipped or not.
 */
export function etagOf(key: string, phase: number): string {
  return `W/"${hash(`${key}|${phase}`)}"`;
}

/** JSON with object keys sorted, undefined members dropped: equal params give equal text. */
export function stableJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((item) => stableJson(item === undefined ? null : item)).join(',')}]`;
  const entries = Object.keys(value)
    .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${stableJson((value as Record<string, unknown>)[key])}`);
  return `{${entries.join(',')}}`;
}

function hash(text: string): string {
  return createHash('sha256').update(text).digest('base64url').slice(0, 22);
}
