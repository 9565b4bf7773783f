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
 * Records are written with their own key order, which both stores keep (LevelDB keeps the text,
 * PostgreSQL a json column); every other object has its keys sorted at every depth (PostgreSQL's
 * jsonb and column mapping do not keep their order). So one store's data exports to the same bytes
 * from LevelDB and from PostgreSQL.
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

/**
 * One line of the file: `type` first, then the fields, keys sorted at every depth; ends with a
 * newline. JSON.stringify does the writing; the replacer hands it each object's members in sorted
 * order.
 */
export function line(type: string, body: Record<string, unknown>): string {
  const root = { type, ...body };
  return JSON.stringify(root, (_key, value: unknown) => (value === root ? typeFirst(root) : sortKeys(value))) + '\n';
}

function sortKeys(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const keys = Object.keys(value);
  if (isSorted(keys)) return value;
  const sorted: Record<string, unknown> = {};
  for (const key of keys.sort()) sorted[key] = (value as Record<string, unknown>)[key];
  return sorted;
}

function isSorted(keys: string[]): boolean {
  for (let i = 1; i < keys.length; i++) if (keys[i - 1]! > keys[i]!) return false;
  return true;
}

function typeFirst(root: { type: string }): Record<string, unknown> {
  const ordered: Record<string, unknown> = { type: root.type };
  for (const key of Object.keys(root).sort()) if (key !== 'type') ordered[key] = (root as Record<string, unknown>)[key];
  return ordered;
}

/**
 * A tournament line in three pieces, the record in the middle as JSON.stringify writes it: the
 * record keeps its own key order (both stores keep a record's text as written, so it exports the
 * same from either), and a 1.5 MB record is written without a sorting pass or a joined copy.
 */
export function tournamentLinePieces(fields: {
  tournamentId: string;
  providerId?: string;
  version: number;
  updatedAt: string;
  /** The record, or its JSON text as stored (written as it is). */
  record?: unknown;
  json?: string;
}): string[] {
  const { tournamentId, providerId, version, updatedAt, record, json } = fields;
  const owner = providerId === undefined ? '' : `"providerId":${JSON.stringify(providerId)},`;
  return [
    `{"type":"tournament",${owner}"record":`,
    json ?? JSON.stringify(record),
    `,"tournamentId":${JSON.stringify(tournamentId)},"updatedAt":${JSON.stringify(updatedAt)},"version":${JSON.stringify(version)}}\n`,
  ];
}
