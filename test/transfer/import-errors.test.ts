import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportLines, exportToFile } from '../../src/transfer/export';
import { ImportError } from '../../src/transfer/items';
import { fileLines, readExport } from '../../src/transfer/read-export';
import { writeItems } from '../../src/transfer/import';
import type { Storage } from '../../src/storage/storage.types';
import { openTestStorage, type TestStore } from '../support/storage';
import { writeOf } from '../storage/storage-contract';
import { cli } from './helpers';

async function seed(storage: Storage, prefix: string): Promise<void> {
  const providerId = `${prefix}-provider`;
  await storage.providers.create({
    organisationId: providerId,
    organisationAbbreviation: prefix,
    organisationName: prefix,
  });
  const now = new Date().toISOString();
  await storage.users.create({
    userId: `${prefix}-user`,
    email: `${prefix.toLowerCase()}@example.com`,
    passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA',
    roles: ['client'],
    permissions: [],
    services: [],
    providerId,
    createdAt: now,
    updatedAt: now,
  });
  for (let t = 1; t <= 3; t++) {
    const id = `${prefix}-t${t}`;
    for (let v = 1; v <= 3; v++) await storage.tournaments.commit([writeOf(id, v, { providerId, ackId: `a${v}` })]);
    await storage.calendars.upsert({
      tournamentId: id,
      providerId,
      searchText: id,
      tournament: { tournamentId: id, tournamentName: id },
    });
  }
}

/** The store's export without its header (which carries the time). */
async function contents(storage: Storage): Promise<string> {
  let text = '';
  for await (const line of exportLines(storage)) if (!line.startsWith('{"type":"header"')) text += line;
  return text;
}

async function read(lines: string[]): Promise<unknown> {
  async function* source() {
    yield* lines;
  }
  const items = [];
  for await (const item of readExport(source())) items.push(item);
  return items;
}

describe('import of a damaged file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cfs-import-errors-'));
  const good = join(dir, 'good.jsonl');
  let source: TestStore;
  let target: TestStore;
  let goodLines: string[];

  beforeAll(async () => {
    source = await openTestStorage('leveldb');
    await seed(source.storage, 'SRC');
    await exportToFile(source.storage, good);
    goodLines = readFileSync(good, 'utf8').split('\n').filter(Boolean);
    target = await openTestStorage('postgres');
    await seed(target.storage, 'OLD');
  }, 60_000);

  afterAll(async () => {
    await source?.cleanup();
    await target?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  const env = () => ({
    STORAGE_PROVIDER: 'postgres',
    DATABASE_URL: (target.config.storage as { connectionString?: string }).connectionString!,
  });

  it('refuses a cut line, a version of the wrong type and an unknown type, naming the line, and changes nothing', async () => {
    const tournamentLine = goodLines.findIndex((line) => line.startsWith('{"type":"tournament"')) + 1;
    const lastLog = goodLines.findLastIndex((line) => line.startsWith('{"type":"log"')) + 1;
    const calendarLine = goodLines.findIndex((line) => line.startsWith('{"type":"calendar"')) + 1;
    const cases: [string, (lines: string[]) => void, RegExp][] = [
      [
        'truncated',
        (lines) => (lines[lastLog - 1] = lines[lastLog - 1]!.slice(0, 40)),
        new RegExp(`line ${lastLog}: not valid JSON .*cut short`),
      ],
      [
        'version-type',
        (lines) => (lines[tournamentLine - 1] = lines[tournamentLine - 1]!.replace('"version":3', '"version":"3"')),
        new RegExp(`line ${tournamentLine}: tournament: version: .*expected number`),
      ],
      [
        'unknown-type',
        (lines) =>
          (lines[calendarLine - 1] = lines[calendarLine - 1]!.replace('"type":"calendar"', '"type":"calender"')),
        new RegExp(`line ${calendarLine}: unknown type "calender"`),
      ],
    ];
    const before = await contents(target.storage);
    for (const [name, damage, message] of cases) {
      const lines = [...goodLines];
      damage(lines);
      const file = join(dir, `${name}.jsonl`);
      writeFileSync(file, lines.join('\n') + '\n');
      const run = await cli(env(), 'import', '--in', file, '--merge');
      expect(run.code, name).toBe(1);
      expect(run.stderr, name).toMatch(message);
      expect(run.stderr).not.toMatch(/at .*\.ts:\d+/);
      expect(await contents(target.storage), name).toBe(before);
    }

    // The file fixed (here: the good one), the same command completes.
    const run = await cli(env(), 'import', '--in', good, '--merge');
    expect(run, run.stderr).toMatchObject({ code: 0 });
    expect(run.stdout).toMatch(/^tournaments\s+3\s+0\s+0$/m);
    expect(run.stdout).toMatch(/^log entries\s+9\s+0\s+0$/m);
    expect(await target.storage.tournaments.getVersion('SRC-t2')).toBe(3);
    expect((await target.storage.log.findByAckId('SRC-t2', 'a2'))?.version).toBe(2);
    expect(await target.storage.tournaments.getVersion('OLD-t2')).toBe(3);
  }, 60_000);

  it('finishes an import that stopped half-way when run again with --merge', async () => {
    const fresh = await openTestStorage('postgres');
    try {
      // The first run dies after its second tournament (as on a crash or a lost connection).
      async function* halfWay() {
        let tournaments = 0;
        for await (const item of readExport(fileLines(good))) {
          if (item.type === 'tournament' && ++tournaments > 2) throw new Error('connection lost');
          yield item;
        }
      }
      await expect(writeItems(fresh.storage, halfWay())).rejects.toThrow('connection lost');
      expect((await fresh.storage.tournaments.list()).length).toBe(2);

      const freshEnv = {
        STORAGE_PROVIDER: 'postgres',
        DATABASE_URL: (fresh.config.storage as { connectionString?: string }).connectionString!,
      };
      const again = await cli(freshEnv, 'import', '--in', good);
      expect(again.stderr).toMatch(/already holds data .*also how to finish an interrupted import/);
      const run = await cli(freshEnv, 'import', '--in', good, '--merge');
      expect(run, run.stderr).toMatchObject({ code: 0 });
      expect(run.stdout).toMatch(/^tournaments\s+1\s+2\s+0$/m);
      expect(await contents(fresh.storage)).toBe(await contents(source.storage));
    } finally {
      await fresh.cleanup();
    }
  }, 60_000);

  it('reads a gzipped export as the plain one, whatever its name', async () => {
    const gz = join(dir, 'good-gzipped.data');
    await exportToFile(source.storage, join(dir, 'good.jsonl.gz'));
    renameSync(join(dir, 'good.jsonl.gz'), gz);
    expect(readFileSync(gz).subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    const items = async (path: string) => {
      const all = [];
      for await (const item of readExport(fileLines(path))) all.push(item);
      return all;
    };
    expect(await items(gz)).toEqual(await items(good));
  });

  it('exports to standard output with --out -, nothing else on it', async () => {
    const run = await cli(env(), 'export', '--out', '-');
    expect(run, run.stderr).toMatchObject({ code: 0 });
    const lines = run.stdout.split('\n').filter(Boolean);
    expect(lines.slice(1).join('\n') + '\n').toBe(await contents(target.storage));
    expect(JSON.parse(lines[0]!)).toMatchObject({ type: 'header', formatVersion: 1 });
  });

  it('names each kind of problem', async () => {
    const header = goodLines[0]!;
    const end = goodLines.at(-1)!;
    const tournament = goodLines.find((line) => line.startsWith('{"type":"tournament"'))!;
    const log = (version: number) =>
      JSON.stringify({
        type: 'log',
        entry: { ...JSON.parse(goodLines[goodLines.indexOf(tournament) + 1]!).entry, version },
      });
    const parsed = JSON.parse(tournament);
    const otherId = JSON.stringify({ ...parsed, record: { ...parsed.record, tournamentId: 'other' } });
    const zero = '{"type":"end","counts":{"calendar":0,"log":0,"provider":0,"tournament":0,"user":0}}';
    const one = (logs: number) =>
      `{"type":"end","counts":{"calendar":0,"log":${logs},"provider":0,"tournament":1,"user":0}}`;
    const cases: [string[], string][] = [
      [[], 'the file is empty'],
      [[tournament], 'line 1: the first line must be the header'],
      [[header, tournament], 'the file ends at line 2 without its end line: it is incomplete'],
      [
        [header.replace('"formatVersion":1', '"formatVersion":2'), zero],
        'line 1: format version 2; this server reads version 1',
      ],
      [[header, tournament, log(2), log(1), one(2)], 'line 4: log entry version 1 after version 2'],
      [[header, tournament, log(9), one(1)], "line 3: log entry version 9 is past its tournament's version 3"],
      [[header, tournament, tournament, one(0)], 'line 3: tournament SRC-t1 twice'],
      [[header, log(1), zero], 'line 2: log entry of tournament SRC-t1 does not follow its tournament line'],
      [[header, tournament, one(3)], 'line 3: the end line counts 3 log lines, the file has 0'],
      [[header, zero, zero], 'line 3: text after the end line'],
      [[header, end.replace('"type":"end"', '"type":"provider"')], 'line 2: provider: provider: '],
      [[header, otherId, one(0)], 'line 2: tournament SRC-t1: its record says tournamentId other'],
      [[header, '[1,2]', zero], 'line 2: not a JSON object'],
    ];
    for (const [lines, message] of cases) {
      const error = await read(lines).then(
        () => undefined,
        (reason: unknown) => reason,
      );
      expect(error, message).toBeInstanceOf(ImportError);
      expect((error as Error).message, lines.join('\n').slice(0, 200)).toContain(message);
    }
  });
});
