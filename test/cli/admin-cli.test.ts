import { execFile } from 'node:child_process';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app';
import { loadConfig } from '../../src/config/config';
import { openStorage } from '../../src/storage/create-storage';
import { BACKENDS, TEST_JWT_SECRET, testEnv } from '../support/app';
import { RELAXED_LIMITS } from '../auth/helpers';
import { cli, type Run } from '../support/cli';

const ROOT = join(__dirname, '..', '..');

describe.each(BACKENDS)('admin CLI (%s)', (backend) => {
  let env: Record<string, string>;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    const store = await testEnv(backend);
    env = store.env;
    cleanup = store.cleanup;
  });
  afterAll(() => cleanup?.());

  /** Starts the server on the same store, runs `work`, stops it (LevelDB allows one process at a time). */
  async function withServer(work: (url: string) => Promise<void>): Promise<void> {
    const app = await createApp(
      loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', JWT_SECRET: TEST_JWT_SECRET, ...RELAXED_LIMITS, ...env }),
    );
    try {
      await app.listen(0, '127.0.0.1');
      await work(`http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`);
    } finally {
      await app.close();
    }
  }

  it('creates a superadmin who can sign in to the server', async () => {
    const run = await cli(env, 'create', '--email', 'Root@Example.com', '--password', 'root password 1');
    expect(run, run.stderr).toMatchObject({ code: 0 });
    expect(run.stdout).toContain('created root@example.com (roles: superadmin)');

    await withServer(async (url) => {
      const res = await request(url)
        .post('/auth/login')
        .send({ email: 'root@example.com', password: 'root password 1' });
      expect(res.status).toBe(200);
      const claims = JSON.parse(Buffer.from(res.body.token.split('.')[1], 'base64url').toString());
      expect(claims.roles).toEqual(['superadmin']);
      const users = await request(url).post('/auth/allusers').set('Authorization', `Bearer ${res.body.token}`).send({});
      expect(users.status).toBe(200);
    });
  });

  it('creates a user with --roles and --provider-id, and lists users', async () => {
    const storage = await openStorage(loadConfig({ NODE_ENV: 'test', JWT_SECRET: TEST_JWT_SECRET, ...env }));
    const providerId = 'b1d7c6a2-0000-4000-8000-000000000001';
    await storage.providers.create({
      organisationId: providerId,
      organisationAbbreviation: 'CLI',
      organisationName: 'Cli',
    });
    await storage.close();

    const run = await cli(
      env,
      'create',
      '--email',
      'desk@example.com',
      '--password',
      'desk password',
      '--roles',
      'client,score',
      '--provider-id',
      providerId,
    );
    expect(run, run.stderr).toMatchObject({ code: 0 });

    const list = await cli(env, 'list');
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^EMAIL\s+ROLES\s+PROVIDER\s+NAME$/m);
    expect(list.stdout).toMatch(new RegExp(`^desk@example\\.com\\s+client,score\\s+${providerId}`, 'm'));
    expect(list.stdout).toMatch(/^root@example\.com\s+superadmin\s+-/m);
    expect(list.stdout).not.toMatch(/argon2/);
  });

  it('resets a password and sets roles', async () => {
    expect(
      (await cli(env, 'reset-password', '--email', 'desk@example.com', '--password', 'changed password')).code,
    ).toBe(0);
    const roles = await cli(env, 'set-roles', '--email', 'DESK@example.com', '--roles', 'admin,client');
    expect(roles.stdout).toContain('roles of desk@example.com: admin, client');

    await withServer(async (url) => {
      expect(
        (await request(url).post('/auth/login').send({ email: 'desk@example.com', password: 'desk password' })).status,
      ).toBe(401);
      const res = await request(url)
        .post('/auth/login')
        .send({ email: 'desk@example.com', password: 'changed password' });
      expect(res.status).toBe(200);
      expect(JSON.parse(Buffer.from(res.body.token.split('.')[1], 'base64url').toString()).roles).toEqual([
        'admin',
        'client',
      ]);
    });
  });

  it('says plainly what is wrong, with a non-zero exit and nothing changed', async () => {
    const cases: [string[], RegExp][] = [
      [
        ['create', '--email', 'root@example.com', '--password', 'another password'],
        /a user with email root@example\.com already exists/,
      ],
      [
        ['create', '--email', 'x@example.com', '--password', 'some password', '--roles', 'client,wizard'],
        /unknown role wizard; roles are: superadmin, admin/,
      ],
      [['create', '--email', 'x@example.com', '--password', 'short'], /--password: must be at least 8 characters/],
      [['create', '--email', 'not-an-email', '--password', 'some password'], /--email: not an email address/],
      [['create', '--password', 'some password'], /--email is required/],
      [
        ['create', '--email', 'x@example.com', '--password', 'some password', '--provider-id', 'nope'],
        /no provider with id nope/,
      ],
      [
        ['reset-password', '--email', 'ghost@example.com', '--password', 'some password'],
        /no user with email ghost@example\.com/,
      ],
      [['set-roles', '--email', 'ghost@example.com', '--roles', 'client'], /no user with email ghost@example\.com/],
      [['set-roles', '--email', 'root@example.com', '--roles', 'emperor'], /unknown role emperor/],
    ];
    for (const [args, message] of cases) {
      const run = await cli(env, ...args);
      expect(run.code, args.join(' ')).toBe(1);
      expect(run.stderr).toMatch(message);
      expect(run.stderr).not.toMatch(/at .*\.ts:\d+/); // a message, not a stack trace
    }
    const usage = await cli(env, 'frobnicate');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('pnpm admin:create --email <email> --password <password>');
    expect((await cli(env, 'list', '--colour')).code).toBe(2);

    const list = await cli(env, 'list');
    expect(list.stdout).not.toContain('x@example.com');
    expect(list.stdout).toMatch(/^root@example\.com\s+superadmin\s/m);
    // A dozen CLI processes, one after another: 10–16 s alone, more beside the other suites.
  }, 90_000);

  if (backend === 'leveldb') {
    it('says the store is locked while a server holds it', async () => {
      await withServer(async () => {
        const run = await cli(env, 'list');
        expect(run.code).toBe(1);
        expect(run.stderr).toMatch(/locked by another process/);
        expect(run.stderr).toMatch(/Stop the server first/);
      });
    });
  }
});

describe('admin CLI through pnpm', () => {
  it('runs as `pnpm admin:list` from the project root', async () => {
    const store = await testEnv('leveldb');
    try {
      const run = await new Promise<Run>((resolve) => {
        execFile(
          'pnpm',
          ['--silent', 'admin:list'],
          {
            cwd: ROOT,
            env: { ...process.env, NODE_ENV: 'test', JWT_SECRET: TEST_JWT_SECRET, ...store.env },
            timeout: 60_000,
          },
          (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
        );
      });
      expect(run, run.stderr).toMatchObject({ code: 0, stdout: 'no users\n' });
    } finally {
      await store.cleanup();
    }
  });
});
