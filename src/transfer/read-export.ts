import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { z } from 'zod';
import type { CalendarEntry, MutationLogEntry, Provider, StoredUser } from '../storage/storage.types';
import { normalizeEmail } from '../users/users.service';
import { EXPORT_FORMAT, EXPORT_FORMAT_VERSION, ITEM_TYPES, zeroCounts, type Counts, type ItemType } from './format';
import { ImportError, type ImportItem } from './items';

const id = z
  .string()
  .min(1)
  .max(512)
  .refine((value) => !value.includes('\u0000'), 'must not contain the NUL character');
const time = z.iso.datetime({ offset: true });
const version = z.number().int('must be a whole number').positive().max(Number.MAX_SAFE_INTEGER);
const strings = z.array(z.string());

const header = z.object({
  format: z.literal(EXPORT_FORMAT, `must be "${EXPORT_FORMAT}"`),
  formatVersion: z.number().int(),
  exportedAt: time,
});

const provider = z.object({
  provider: z.looseObject({
    organisationId: id,
    organisationAbbreviation: z.string().min(1),
    organisationName: z.string(),
  }),
});

// Fields a later release adds to users are carried too (loose), as for providers and calendars.
const user = z.object({
  user: z.looseObject({
    userId: id,
    email: z.string().min(3).max(254),
    passwordHash: z.string().min(1),
    firstName: z.string().optional(),
    lastName: z.string().optional(),
    roles: strings,
    permissions: strings,
    services: strings,
    providerId: id.optional(),
    lastSelectedProviderId: id.optional(),
    sessionVersion: z.number().int().nonnegative().optional(),
    createdAt: time,
    updatedAt: time,
  }),
});

const tournament = z.object({
  tournamentId: id,
  providerId: id.optional(),
  version,
  updatedAt: time,
  record: z.looseObject({ tournamentId: id }),
});

// Log entries are carried as they are: only the fields the stores index are checked.
const log = z.object({
  entry: z.looseObject({
    tournamentId: id,
    version,
    methods: z.array(z.unknown()),
    userId: z.string(),
    ackId: z.string().optional(),
    at: time,
    kind: z.enum(['mutation', 'save']),
  }),
});

const calendar = z.object({
  entry: z.looseObject({
    tournamentId: id,
    providerId: id,
    searchText: z.string(),
    tournament: z.looseObject({ tournamentId: id }),
  }),
});

const end = z.object({ counts: z.object(Object.fromEntries(ITEM_TYPES.map((type) => [type, z.number().int()]))) });

const BODIES = { header, provider, user, tournament, log, calendar, end } as const;
type LineType = keyof typeof BODIES;

/** The order of a file; a tournament's log lines follow it (same rank). */
const RANK: Record<LineType, number> = { header: 0, provider: 1, user: 2, tournament: 3, log: 3, calendar: 4, end: 5 };
const ORDER = 'header, providers, users, tournaments each followed by its log, calendar entries, end';

/** Lines of a file, gunzipped when it starts with the gzip magic bytes (whatever its name). */
export async function* fileLines(path: string): AsyncGenerator<string> {
  const handle = await open(path, 'r').catch((error: NodeJS.ErrnoException) => {
    throw new ImportError(error.code === 'ENOENT' ? `no file ${path}` : `cannot read ${path}: ${error.message}`);
  });
  const magic = Buffer.alloc(2);
  await handle.read(magic, 0, 2, 0);
  await handle.close();
  const raw = createReadStream(path);
  const input: Readable = magic[0] === 0x1f && magic[1] === 0x8b ? raw.pipe(createGunzip()) : raw;
  raw.on('error', (error) => input.destroy(error));
  try {
    yield* createInterface({ input, crlfDelay: Infinity });
  } catch (error) {
    throw new ImportError(`cannot read ${path}: ${(error as Error).message}`);
  } finally {
    input.destroy();
  }
}

function issueText(error: z.ZodError): string {
  const [issue] = error.issues;
  if (!issue) return 'invalid';
  const path = issue.path.join('.');
  return path ? `${path}: ${issue.message}` : issue.message;
}

/**
 * Checks every line of an export and yields what to write, a tournament together with its log.
 * Throws `ImportError` naming the line of the first problem: shape, ids, versions, order,
 * duplicates, and a missing or mismatched `end` line (a file cut short).
 */
export async function* readExport(lines: AsyncIterable<string>): AsyncGenerator<ImportItem> {
  let number = 0;
  let rank = -1;
  let ended = false;
  const counts = zeroCounts();
  const seen: Record<'provider' | 'user' | 'tournament', Set<string>> = {
    provider: new Set(),
    user: new Set(),
    tournament: new Set(),
  };
  let pending: Extract<ImportItem, { type: 'tournament' }> | undefined;
  let acks = new Set<string>();
  const fail: (message: string) => never = (message) => {
    throw new ImportError(`line ${number}: ${message}`);
  };

  for await (const text of lines) {
    number += 1;
    if (text.trim() === '') continue;
    if (ended) fail('text after the end line');
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      fail(`not valid JSON (${(error as Error).message}); the file may be cut short or damaged`);
    }
    if (!value || typeof value !== 'object' || Array.isArray(value)) fail('not a JSON object');
    const type = (value as { type?: unknown }).type;
    if (typeof type !== 'string' || !(type in BODIES)) fail(`unknown type ${JSON.stringify(type)}`);
    const lineType = type as LineType;
    if (number === 1 && lineType !== 'header') fail('the first line must be the header');
    if (RANK[lineType] < rank) fail(`a ${lineType} line out of order (the order is: ${ORDER})`);
    rank = RANK[lineType];
    const parsed = BODIES[lineType].safeParse(value);
    if (!parsed.success) fail(`${lineType}: ${issueText(parsed.error)}`);
    const body = parsed.data as Record<string, unknown>;

    if (lineType !== 'log' && pending) {
      yield pending;
      pending = undefined;
    }
    switch (lineType) {
      case 'header': {
        if (number !== 1) fail('a second header');
        const { formatVersion } = body as z.infer<typeof header>;
        if (formatVersion !== EXPORT_FORMAT_VERSION) {
          fail(`format version ${formatVersion}; this server reads version ${EXPORT_FORMAT_VERSION}`);
        }
        break;
      }
      case 'provider': {
        const item = (body as z.infer<typeof provider>).provider as Provider;
        unique('provider', item.organisationId);
        counts.provider += 1;
        yield { type: 'provider', provider: item };
        break;
      }
      case 'user': {
        const item = (body as z.infer<typeof user>).user as StoredUser;
        const email = normalizeEmail(item.email);
        if (email !== item.email) fail(`user ${item.email}: emails are stored trimmed and lower-cased (${email})`);
        unique('user', email);
        counts.user += 1;
        yield { type: 'user', user: item };
        break;
      }
      case 'tournament': {
        const item = body as z.infer<typeof tournament>;
        if (item.record.tournamentId !== item.tournamentId) {
          fail(`tournament ${item.tournamentId}: its record says tournamentId ${item.record.tournamentId}`);
        }
        unique('tournament', item.tournamentId);
        counts.tournament += 1;
        acks = new Set();
        pending = {
          type: 'tournament',
          tournament: {
            tournamentId: item.tournamentId,
            providerId: item.providerId,
            version: item.version,
            updatedAt: item.updatedAt,
            json: JSON.stringify(item.record),
          },
          record: item.record,
          log: [],
        };
        break;
      }
      case 'log': {
        const entry = (body as z.infer<typeof log>).entry as MutationLogEntry;
        if (!pending || pending.tournament.tournamentId !== entry.tournamentId) {
          fail(`log entry of tournament ${entry.tournamentId} does not follow its tournament line`);
        }
        const previous = pending.log.at(-1)?.version ?? 0;
        if (entry.version <= previous) fail(`log entry version ${entry.version} after version ${previous}`);
        if (entry.version > pending.tournament.version) {
          fail(`log entry version ${entry.version} is past its tournament's version ${pending.tournament.version}`);
        }
        if (entry.ackId !== undefined) {
          if (acks.has(entry.ackId)) fail(`ackId ${entry.ackId} twice in tournament ${entry.tournamentId}`);
          acks.add(entry.ackId);
        }
        counts.log += 1;
        pending.log.push(entry);
        break;
      }
      case 'calendar': {
        counts.calendar += 1;
        yield { type: 'calendar', entry: (body as z.infer<typeof calendar>).entry as CalendarEntry };
        break;
      }
      case 'end': {
        const expected = (body as z.infer<typeof end>).counts as Counts;
        for (const item of ITEM_TYPES) {
          if (expected[item] !== counts[item]) {
            fail(`the end line counts ${expected[item]} ${item} lines, the file has ${counts[item]}`);
          }
        }
        ended = true;
        break;
      }
    }
  }
  if (pending) yield pending;
  if (number === 0) throw new ImportError('the file is empty');
  if (!ended) throw new ImportError(`the file ends at line ${number} without its end line: it is incomplete`);

  function unique(type: 'provider' | 'user' | 'tournament', key: string): void {
    if (seen[type].has(key)) fail(`${type} ${key} twice`);
    seen[type].add(key);
  }
}

export type { ItemType };
