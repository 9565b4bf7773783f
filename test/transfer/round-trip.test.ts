import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTournament, SIZES } from '../../bench/tournaments';
import { openStorage } from '../../src/storage/create-storage';
import type { TournamentRecord } from '../../src/storage/storage.types';
import { UsersService } from '../../src/users/users.service';
import { seedAccount } from '../support/accounts';
import { listenApp, testEnv, type TestApp } from '../support/app';
import { addParticipantDirective, testProvider } from '../support/records';
import { closeSockets, desk, join as joinRoom, sendBatch, waitFor } from '../support/sockets';
import { cli, configOf, exportLinesOf, exportText, signIn } from './helpers';

const PASSWORDS: Record<string, string> = {
  'ada@example.com': 'ada password 1',
  'bob@example.com': 'bob password 2',
  'root@example.com': 'root password 3',
  'legacy@example.com': 'legacy bcrypt password',
};

/**
 * The move of a club from the embedded store to PostgreSQL: a LevelDB store with providers, users,
 * 20 tournaments (medium and large) and their logs, exported, imported into PostgreSQL and exported
 * again. Nothing may change on the way: both exports are the same bytes but for the header's time.
 */
describe('export and import: LevelDB to PostgreSQL', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cfs-transfer-'));
  const first = join(dir, 'first.jsonl');
  const second = join(dir, 'second.jsonl.gz');
  let leveldb: Awaited<ReturnType<typeof testEnv>>;
  let postgres: Awaited<ReturnType<typeof testEnv>>;
  const ids: string[] = [];
  /** Tournaments a desk changed, with their version before the export. */
  const scored = new Map<string, number>();
  const [clubA, clubB] = [testProvider('CLUBA'), testProvider('CLUBB')];

  beforeAll(async () => {
    leveldb = await testEnv('leveldb');
    postgres = await testEnv('postgres');
    const t = await listenApp(configOf(leveldb.env));
    try {
      await seed(t);
    } finally {
      await t.close();
    }
  }, 180_000);

  afterAll(async () => {
    closeSockets();
    await leveldb?.cleanup();
    await postgres?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  async function seed(t: TestApp): Promise<void> {
    const users = new UsersService(t.storage);
    await users.create({ email: 'Ada@Example.com', password: PASSWORDS['ada@example.com']!, roles: ['client'] });
    const ada = (await users.get('ada@example.com'))!;
    await t.storage.providers.create({ ...clubA });
    await t.storage.providers.create({
      ...clubB,
      onlineResources: [{ name: 'site', identifier: 'https://b.example' }],
    });
    await users.update(ada, { providerId: clubA.organisationId, firstName: 'Ada' });
    await users.create({
      email: 'bob@example.com',
      password: PASSWORDS['bob@example.com']!,
      roles: ['client', 'score'],
      providerId: clubB.organisationId,
    });
    await users.create({ email: 'root@example.com', password: PASSWORDS['root@example.com']!, roles: ['superadmin'] });
    const now = new Date().toISOString();
    await t.storage.users.create({
      userId: '7d1c8f2e-0000-4000-8000-00000000b0b0',
      email: 'legacy@example.com',
      // A hash from an older server: checked with bcrypt, upgraded at the first sign-in.
      passwordHash: bcrypt.hashSync(PASSWORDS['legacy@example.com']!, 4),
      roles: ['client'],
      permissions: ['deleteTournament'],
      services: [],
      providerId: clubA.organisationId,
      createdAt: now,
      updatedAt: now,
    });

    const desks = {
      [clubA.organisationId]: await seedAccount(t, { provider: clubA }),
      [clubB.organisationId]: await seedAccount(t, { provider: clubB }),
    };
    const kinds = [generateTournament('medium', SIZES.medium!), generateTournament('large', SIZES.large!)];
    for (let i = 0; i < 20; i++) {
      const kind = kinds[i < 10 ? 0 : 1]!;
      const id = `rt-${String(i).padStart(2, '0')}-${kind.size}`;
      const record = JSON.parse(kind.json.split(kind.tournamentId).join(id)) as TournamentRecord;
      const provider = i % 2 ? clubB : clubA;
      record.tournamentName = `Round Trip ${i}`;
      record.parentOrganisation = { ...provider };
      const res = await request(t.url)
        .post('/factory/save')
        .set(desks[provider.organisationId]!.auth)
        .send({ tournamentRecord: record });
      expect(res.body.success, JSON.stringify(res.body)).toBe(true);
      ids.push(id);
    }
    // Desks change some of them, so their logs hold mutations with ackIds next to the saves.
    for (const [index, id] of [ids[0]!, ids[3]!, ids[12]!, ids[19]!].entries()) {
      const account = desks[index % 2 ? clubB.organisationId : clubA.organisationId]!;
      const socket = await desk(t, account.token);
      await joinRoom(socket, id);
      let ack: any;
      for (let n = 0; n < 4; n++) {
        ack = await sendBatch(socket, {
          tournamentIds: [id],
          ackId: `rt-${id}-${n}`,
          methods: [addParticipantDirective(id, `Player ${index}-${n}`)],
        });
        expect(ack.success, JSON.stringify(ack)).toBe(true);
      }
      scored.set(id, ack.versions[id]);
      socket.disconnect();
    }
  }

  it('exports the LevelDB store with the CLI to a file only its owner can read', async () => {
    const run = await cli(leveldb.env, 'export', '--out', first);
    expect(run, run.stderr).toMatchObject({ code: 0 });
    expect(run.stdout).toMatch(
      /exported to .*first\.jsonl .*2 providers, 6 users, 20 tournaments, \d+ log entries, 20 calendar entries/,
    );
    expect(statSync(first).mode & 0o777).toBe(0o600);
    expect(run.stdout + run.stderr).not.toMatch(/\$argon2|\$2[aby]\$/);

    const lines = exportLinesOf(exportText(first));
    expect(lines[0]).toMatchObject({ type: 'header', format: 'competition-factory-export', formatVersion: 1 });
    expect(lines.at(-1)).toMatchObject({ type: 'end', counts: { provider: 2, user: 6, tournament: 20, calendar: 20 } });
    const tournaments = lines.filter((line) => line.type === 'tournament');
    expect(tournaments.map((line) => line.tournamentId)).toEqual(ids);
    for (const [id, version] of scored) {
      expect(tournaments.find((line) => line.tournamentId === id)).toMatchObject({ version });
      const log = lines
        .filter((line) => line.type === 'log' && line.entry.tournamentId === id)
        .map((line) => line.entry);
      expect(log.map((entry) => entry.version)).toEqual([1, 2, 3, 4, 5]);
      expect(log[0]).toMatchObject({ kind: 'save', methods: [] });
      expect(log[4]).toMatchObject({ kind: 'mutation', ackId: `rt-${id}-3` });
    }
  });

  it('imports it into PostgreSQL, and a second export is the same file but for the header time', async () => {
    const run = await cli(postgres.env, 'import', '--in', first);
    expect(run, run.stderr).toMatchObject({ code: 0 });
    expect(run.stdout).toMatch(/^providers\s+2\s+0\s+0$/m);
    expect(run.stdout).toMatch(/^users\s+6\s+0\s+0$/m);
    expect(run.stdout).toMatch(/^tournaments\s+20\s+0\s+0$/m);
    expect(run.stdout).toMatch(/^calendar entries\s+20\s+0\s+0$/m);

    const again = await cli(postgres.env, 'export', '--out', second);
    expect(again, again.stderr).toMatchObject({ code: 0 });
    const header = /^\{"type":"header",[^\n]*\n/;
    const [a, b] = [exportText(first), exportText(second)];
    expect(b.match(header)?.[0].replace(/"exportedAt":"[^"]+"/, '')).toBe(
      a.match(header)?.[0].replace(/"exportedAt":"[^"]+"/, ''),
    );
    const sameBody = b.replace(header, '') === a.replace(header, '');
    expect(sameBody).toBe(true);
  });

  it('lets every user sign in on PostgreSQL with the old password, and desks continue where they were', async () => {
    const t = await listenApp(configOf(postgres.env));
    try {
      const tokens: Record<string, string> = {};
      for (const [email, password] of Object.entries(PASSWORDS)) tokens[email] = await signIn(t.url, email, password);
      expect((await t.storage.users.get('legacy@example.com'))?.passwordHash).toMatch(/^\$argon2id\$/);

      const [id, version] = [...scored][0]!;
      const socket = await desk(t, tokens['ada@example.com']);
      expect((await joinRoom(socket, id)).version).toBe(version);
      // mutationsSince answers from the carried log.
      const answer = waitFor(socket, 'mutationLog');
      socket.emit('mutationsSince', { tournamentId: id, sinceVersion: version - 2 });
      const log = await answer;
      expect(log).toMatchObject({ tournamentId: id, version });
      expect(log.entries.map((entry: { version: number }) => entry.version)).toEqual([version - 1, version]);
      expect(log.entries[1].methods[0].method).toBe('addParticipant');

      const ack = await sendBatch(socket, {
        tournamentIds: [id],
        methods: [addParticipantDirective(id, 'After the move')],
      });
      expect(ack).toMatchObject({ success: true, versions: { [id]: version + 1 } });
      // An ackId carried over still answers the first result instead of running again.
      const repeat = await sendBatch(socket, {
        tournamentIds: [id],
        ackId: `rt-${id}-3`,
        methods: [addParticipantDirective(id, 'Never added')],
      });
      expect(repeat).toMatchObject({ success: true, versions: { [id]: version } });
      expect(await t.storage.tournaments.getVersion(id)).toBe(version + 1);

      const fetched = await request(t.url)
        .post('/factory/fetch')
        .set('Authorization', `Bearer ${tokens['bob@example.com']}`)
        .send({ tournamentId: ids[19] });
      expect(fetched.body.tournamentRecords?.[ids[19]!]?.tournamentName).toBe('Round Trip 19');
    } finally {
      await t.close();
    }
  });

  it('refuses a second import into the now full store unless --merge, which skips everything', async () => {
    const refused = await cli(postgres.env, 'import', '--in', first);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /the postgres store already holds data \(providers: 2, users: 6, tournaments: 20\); add --merge/,
    );

    const merged = await cli(postgres.env, 'import', '--in', first, '--merge');
    expect(merged, merged.stderr).toMatchObject({ code: 0 });
    expect(merged.stdout).toMatch(/^tournaments\s+0\s+20\s+0$/m);
    expect(merged.stdout).toMatch(/^users\s+0\s+6\s+0$/m);
    expect(merged.stdout).toMatch(/skipped users \(already in the store\): ada@example\.com/);
    const storage = await openStorage(configOf(postgres.env));
    try {
      expect(await storage.tournaments.getVersion([...scored][0]![0])).toBe([...scored][0]![1] + 1);
    } finally {
      await storage.close();
    }
  });
});
