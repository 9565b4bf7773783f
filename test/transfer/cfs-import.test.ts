import bcrypt from 'bcryptjs';
import { Client } from 'pg';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listenApp, testEnv } from '../support/app';
import { createTestDatabase, type TestDatabase } from '../support/postgres';
import { mockTournament } from '../support/records';
import { cli, configOf, signIn, type Run } from './helpers';

/** The CourtHive Competition Factory Server's tables, as its first migration makes them. */
const CFS_SCHEMA = `
  CREATE TABLE tournaments (tournament_id text PRIMARY KEY, provider_id text, tournament_name text,
    start_date date, end_date date, data jsonb NOT NULL, created_at timestamptz DEFAULT now(), updated_at timestamptz DEFAULT now());
  CREATE TABLE users (email text PRIMARY KEY, password text NOT NULL, provider_id text, roles jsonb DEFAULT '[]',
    permissions jsonb DEFAULT '[]', data jsonb DEFAULT '{}', created_at timestamptz DEFAULT now(), updated_at timestamptz DEFAULT now());
  CREATE TABLE providers (provider_id text PRIMARY KEY, organisation_abbreviation text NOT NULL, organisation_name text,
    data jsonb DEFAULT '{}', created_at timestamptz DEFAULT now(), updated_at timestamptz DEFAULT now());
  CREATE TABLE calendars (provider_abbr text PRIMARY KEY, provider jsonb, tournaments jsonb DEFAULT '[]', updated_at timestamptz DEFAULT now());
  CREATE TABLE reset_codes (code text PRIMARY KEY, email text NOT NULL, created_at timestamptz DEFAULT now());
  CREATE TABLE access_codes (code text PRIMARY KEY, email text NOT NULL, created_at timestamptz DEFAULT now());
`;

const A = {
  organisationId: 'a0a0a0a0-0000-4000-8000-00000000000a',
  organisationAbbreviation: 'CFSA',
  organisationName: 'Club A',
};
const B = {
  organisationId: 'b0b0b0b0-0000-4000-8000-00000000000b',
  organisationAbbreviation: 'CFSB',
  organisationName: 'Club B',
};

const USERS = [
  { email: 'Admin@CFS.org', password: 'admin password', provider: undefined, roles: ['superadmin'] },
  { email: 'desk-a@cfs.org', password: 'desk a password', provider: A, roles: ['client'], firstName: 'Anna' },
  { email: 'desk-b@cfs.org', password: 'desk b password', provider: B, roles: ['client', 'score'] },
];

describe('import from a CourtHive server database (--from-cfs-postgres)', () => {
  let source: TestDatabase;
  let target: Awaited<ReturnType<typeof testEnv>>;
  let run: Run;
  const ids = { a1: 'cfs-a-owned-in-record', a2: 'cfs-a-owned-by-column', b1: 'cfs-b-owned-in-record' };

  beforeAll(async () => {
    source = await createTestDatabase('cfs_source');
    target = await testEnv('leveldb');
    const db = new Client({ connectionString: source.url });
    await db.connect();
    try {
      await db.query(CFS_SCHEMA);
      for (const p of [A, B]) {
        await db.query(
          'INSERT INTO providers (provider_id, organisation_abbreviation, organisation_name, data) VALUES ($1, $2, $3, $4)',
          [
            p.organisationId,
            p.organisationAbbreviation,
            p.organisationName,
            { ...p, onlineResources: [{ name: 'site', identifier: `https://${p.organisationAbbreviation}.example` }] },
          ],
        );
      }
      for (const u of USERS) {
        await db.query(
          'INSERT INTO users (email, password, provider_id, roles, permissions, data) VALUES ($1, $2, $3, $4, $5, $6)',
          [
            u.email,
            bcrypt.hashSync(u.password, 4),
            u.provider?.organisationId ?? null,
            JSON.stringify(u.roles),
            JSON.stringify([]),
            { firstName: u.firstName, lastName: 'Source', services: [] },
          ],
        );
      }
      // Two accounts that are one once trimmed and lower-cased: reported, never merged.
      for (const email of ['Twin@cfs.org', ' twin@cfs.org']) {
        await db.query('INSERT INTO users (email, password, roles) VALUES ($1, $2, $3)', [
          email,
          bcrypt.hashSync('twin password', 4),
          '["client"]',
        ]);
      }
      const records = [
        [ids.a1, A, true],
        [ids.a2, A, false],
        [ids.b1, B, true],
      ] as const;
      for (const [id, provider, inRecord] of records) {
        const record = mockTournament(inRecord ? provider : undefined, 8, { tournamentName: `CFS ${id}` });
        record.tournamentId = id;
        await db.query(
          `INSERT INTO tournaments (tournament_id, provider_id, tournament_name, start_date, end_date, data, updated_at)
           VALUES ($1, $2, $3, '2026-12-01', '2026-12-07', $4, '2026-11-30T10:00:00.123Z')`,
          [id, provider.organisationId, record.tournamentName, record],
        );
      }
      // A stale calendar: calendars are rebuilt from the records, never copied.
      await db.query("INSERT INTO calendars (provider_abbr, provider, tournaments) VALUES ('CFSA', $1, $2)", [
        A,
        JSON.stringify([{ tournamentId: 'ghost', tournament: { tournamentId: 'ghost' } }]),
      ]);
      await db.query("INSERT INTO reset_codes (code, email) VALUES ('R1', 'desk-a@cfs.org')");
      await db.query("INSERT INTO access_codes (code, email) VALUES ('A1', 'desk-b@cfs.org')");
    } finally {
      await db.end();
    }
    run = await cli(target.env, 'import', '--from-cfs-postgres', source.url);
  }, 60_000);

  afterAll(async () => {
    await target?.cleanup();
    await source?.drop();
  });

  it('imports providers, users and records, and reports the colliding emails and what it left behind', () => {
    expect(run.stdout).toMatch(/^providers\s+2\s+0\s+0$/m);
    expect(run.stdout).toMatch(/^users\s+3\s+0\s+1$/m);
    expect(run.stdout).toMatch(/^tournaments\s+3\s+0\s+0$/m);
    expect(run.stdout).toMatch(/^log entries\s+3\s+0\s+0$/m);
    expect(run.stdout).toMatch(/^calendar entries\s+3\s+0\s+0$/m);
    const refusal = run.stdout.split('\n').find((line) => line.startsWith('refused user: '));
    expect(refusal).toMatch(/ are one email \(twin@cfs\.org\) once trimmed and lower-cased; none imported/);
    expect(refusal).toContain('Twin@cfs.org');
    expect(refusal).toContain(' twin@cfs.org,');
    expect(run.stdout).toContain('not carried over: 1 pending reset codes');
    expect(run.stdout).toContain('not carried over: 1 pending access codes');
    expect(run.stdout + run.stderr).not.toMatch(/\$2[aby]\$/);
    // Something was refused: the operator must look.
    expect(run.code).toBe(1);
  });

  it('lets every user sign in with the old password; each provider reads its tournaments and calendar', async () => {
    const t = await listenApp(configOf(target.env));
    try {
      const tokens = new Map<string, string>();
      for (const u of USERS) tokens.set(u.email, await signIn(t.url, u.email.toLowerCase(), u.password));
      expect((await t.storage.users.get('desk-a@cfs.org'))?.passwordHash).toMatch(/^\$argon2id\$/);
      expect(await t.storage.users.get('twin@cfs.org')).toBeUndefined();

      const fetch = (email: string, tournamentId: string) =>
        request(t.url)
          .post('/factory/fetch')
          .set('Authorization', `Bearer ${tokens.get(email)}`)
          .send({ tournamentId });
      for (const id of [ids.a1, ids.a2]) {
        const res = await fetch('desk-a@cfs.org', id);
        expect(res.body.tournamentRecords?.[id]?.tournamentName, JSON.stringify(res.body)).toBe(`CFS ${id}`);
        expect(res.body.versions).toEqual({ [id]: 1 });
      }
      expect((await fetch('desk-b@cfs.org', ids.b1)).body.tournamentRecords?.[ids.b1]).toBeDefined();
      expect((await fetch('desk-b@cfs.org', ids.a1)).body.tournamentRecords?.[ids.a1]).toBeUndefined();
      expect((await fetch('desk-a@cfs.org', ids.b1)).body.tournamentRecords?.[ids.b1]).toBeUndefined();
      // The record owned only by its column now names its provider, as this server reads owners.
      expect((await t.storage.tournaments.get(ids.a2))?.record.parentOrganisation).toMatchObject(A);

      const calendar = async (providerAbbr: string) =>
        (await request(t.url).post('/provider/calendar').send({ providerAbbr })).body.calendar;
      const calendarA = await calendar('CFSA');
      expect(calendarA.provider).toMatchObject(A);
      expect(calendarA.tournaments.map((entry: { tournamentId: string }) => entry.tournamentId).sort()).toEqual(
        [ids.a1, ids.a2].sort(),
      );
      expect((await calendar('CFSB')).tournaments.map((entry: { tournamentId: string }) => entry.tournamentId)).toEqual(
        [ids.b1],
      );

      const history = await request(t.url)
        .post('/factory/history')
        .set('Authorization', `Bearer ${tokens.get('desk-a@cfs.org')}`)
        .send({ tournamentId: ids.a1 });
      expect(history.body.entries).toMatchObject([{ version: 1, methods: [], at: '2026-11-30T10:00:00.123Z' }]);
    } finally {
      await t.close();
    }
  });

  it('is rerunnable with --merge (everything already there is skipped), and says plainly what is wrong with a source', async () => {
    const again = await cli(target.env, 'import', '--from-cfs-postgres', source.url);
    expect(again.stderr).toMatch(/already holds data .*add --merge/);
    const merged = await cli(target.env, 'import', '--from-cfs-postgres', source.url, '--merge');
    expect(merged.stdout).toMatch(/^tournaments\s+0\s+3\s+0$/m);
    expect(merged.stdout).toMatch(/^users\s+0\s+3\s+1$/m);

    const fresh = await testEnv('leveldb');
    const empty = await createTestDatabase('cfs_empty');
    try {
      const refused = await cli(
        fresh.env,
        'import',
        '--from-cfs-postgres',
        'postgres://postgres:hunter2@127.0.0.1:1/cfs',
      );
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(
        'Cannot read the CourtHive database: PostgreSQL at 127.0.0.1:1 refused the connection',
      );
      expect(refused.stderr).not.toContain('hunter2');
      const notCfs = await cli(fresh.env, 'import', '--from-cfs-postgres', empty.url);
      expect(notCfs.stderr).toMatch(/has no table tournaments, users, providers in its public schema/);
      const both = await cli(fresh.env, 'import', '--in', 'x.jsonl', '--from-cfs-postgres', empty.url);
      expect(both.stderr).toContain('name one source: --in <file> or --from-cfs-postgres <url>');
      const stray = await cli(fresh.env, 'export', '--in', 'backup.jsonl');
      expect(stray.code).toBe(2);
      expect(stray.stderr).toContain('export takes no --in');
    } finally {
      await fresh.cleanup();
      await empty.drop();
    }
  }, 60_000);
});
