/**
 * The export format: JSON Lines, one object a line, each with a `type`. A header line opens the
 * file and an `end` line with the counts closes it, so a file cut short is told from a whole one.
 *
 *   header    { format, formatVersion, exportedAt, engineVersion }
 *   provider  { provider }
 *   user      { user }                           (with its password hash)
 *   tournament { tournamentId, providerId?, version, updatedAt, record }
 *   log       { entry }                          (the tournament's retained log, right after it)
 *   calendar  { entry }
 *   end       { counts }
 *
 * Keys are written in sorted order at every depth, so one store's data exports to the same bytes
 * from LevelDB and from PostgreSQL (whose JSONB does not keep key order).
 */
export const EXPORT_FORMAT = 'competition-factory-export';
export const EXPORT_FORMAT_VERSION = 1;

export const ITEM_TYPES = ['provider', 'user', 'tournament', 'log', 'calendar'] as const;
export type ItemType = (typeof ITEM_TYPES)[number];
export type Counts = Record<ItemType, number>;

/** How counts of each type are named for people. */
export const LABELS: Record<ItemType, string> = {
  provider: 'providers',
  user: 'users',
  tournament: 'tournaments',
  log: 'log entries',
  calendar: 'calendar entries',
};

export function zeroCounts(): Counts {
  return { provider: 0, user: 0, tournament: 0, log: 0, calendar: 0 };
}

/** JSON text with object keys sorted at every depth; `undefined` members are left out as JSON.stringify does. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      const item = value[i] as unknown;
      out += (i ? ',' : '') + (item === undefined || typeof item === 'function' ? 'null' : canonicalJson(item));
    }
    return out + ']';
  }
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return canonicalJson((value as { toJSON(): unknown }).toJSON());
  }
  let out = '{';
  let first = true;
  for (const key of Object.keys(value).sort()) {
    const member = (value as Record<string, unknown>)[key];
    if (member === undefined || typeof member === 'function') continue;
    out += (first ? '' : ',') + JSON.stringify(key) + ':' + canonicalJson(member);
    first = false;
  }
  return out + '}';
}

/** One line of the file: `type` first, then the fields in sorted order; ends with a newline. */
export function line(type: string, body: Record<string, unknown>): string {
  const rest = canonicalJson(body);
  return `{"type":${JSON.stringify(type)}${rest === '{}' ? '' : ',' + rest.slice(1, -1)}}\n`;
}
