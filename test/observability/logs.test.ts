import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it, vi, type MockInstance } from 'vitest';
import { Mailer } from '../../src/auth/mail/mailer';
import { RELAXED_LIMITS, account, login, post } from '../auth/helpers';
import { addParticipantDirective, mockTournament, testProvider } from '../support/records';
import { closeSockets, desk, join, sendBatch, waitFor } from '../support/sockets';
import { startCapturedApp, type CapturedApp } from './captured-app';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The real server at level trace, its log kept in memory. Production mode: the mail-to-log
 * fallback then writes no codes (outside production it prints them on purpose, see docs/auth.md).
 */
describe('JSON logs', () => {
  let t: CapturedApp;
  let mail: MockInstance<Mailer['send']>;
  const provider = testProvider();

  beforeAll(async () => {
    t = await startCapturedApp('leveldb', { NODE_ENV: 'production', LOG_LEVEL: 'trace', ...RELAXED_LIMITS });
    await t.storage.providers.create({ ...provider });
    mail = vi.spyOn(t.app.get(Mailer), 'send'); // still sends (logs) as usual
  });
  afterAll(async () => {
    closeSockets();
    await t?.close();
  });

  /** The log lines whose fields match `fields`. */
  function linesWith(fields: Record<string, unknown>): Array<Record<string, any>> {
    return t.records().filter((line) => Object.entries(fields).every(([key, value]) => equal(line[key], value)));
  }

  async function savedTournament(token: string): Promise<string> {
    const record = mockTournament(provider);
    const res = await post(t, '/factory/save', { tournamentRecord: record }, token);
    expect(res.body.success, JSON.stringify(res.body)).toBe(true);
    return record.tournamentId;
  }

  it('never writes passwords, tokens, password hashes, invite or reset codes, cookies or batch params', async () => {
    const secrets: string[] = [];
    // Sign-in with a password, then a bearer-token request (the invite) that returns a code.
    const admin = await account(t, {
      roles: ['admin'],
      providerId: provider.organisationId,
      password: 'admin-Zq81-pass',
    });
    secrets.push(admin.password, admin.token);
    const email = `desk-${randomUUID().slice(0, 8)}@example.com`;
    const invite = await post(t, '/auth/invite', { email, roles: ['client'] }, admin.token);
    expect(invite.status).toBe(200);
    const inviteCode = invite.body.inviteCode as string;
    secrets.push(inviteCode);
    const registered = await post(t, '/auth/register', { code: inviteCode, password: 'desk-Kx27-first' });
    expect(registered.body).toEqual({ success: true });
    secrets.push('desk-Kx27-first', await login(t, email, 'desk-Kx27-first'));

    // Forgot and reset: the code travels by mail only.
    await post(t, '/auth/forgot-password', { email });
    await vi.waitFor(() => expect(mail.mock.calls.some(([message]) => message.to === email)).toBe(true));
    const resetCode = /reset code: ([0-9A-Z]+)/.exec(mail.mock.calls.at(-1)![0].text)![1];
    secrets.push(resetCode);
    const reset = await post(t, '/auth/reset-password', { email, code: resetCode, password: 'desk-Wm55-second' });
    expect(reset.body).toEqual({ success: true });
    const token = await login(t, email, 'desk-Wm55-second');
    secrets.push('desk-Wm55-second', token);
    const stored = await t.storage.users.get(email);
    expect(stored?.passwordHash).toMatch(/^\$argon2/);
    secrets.push(stored!.passwordHash);

    // A cookie and a stale token on a public route, a forged token on a socket.
    await request(t.url).get('/auth/me').set('Authorization', `Bearer ${token}`).set('Cookie', 'sid=cookie-Hh19-value');
    await request(t.url)
      .post('/provider/calendar')
      .set('Authorization', 'Bearer stale-token-Pp40')
      .send({ providerAbbr: 'X' });
    secrets.push('cookie-Hh19-value', 'stale-token-Pp40', 'forged-token-Jj62');
    const forged = await desk(t, 'forged-token-Jj62');
    const refused = await sendBatch(forged, { tournamentIds: ['t'], methods: [] });
    expect(refused.error.code).toBe('ERR_UNAUTHORIZED');

    // Socket batches (token in auth.token and as a header), whose params must stay out of the log.
    const tournamentId = await savedTournament(token);
    for (const way of ['auth', 'header'] as const) {
      const socket = await desk(t, token, way);
      await join(socket, tournamentId);
      const marker = `Params-${way}-Vv${randomUUID().slice(0, 6)}`;
      secrets.push(marker);
      const ack = await sendBatch(socket, {
        tournamentIds: [tournamentId],
        methods: [addParticipantDirective(tournamentId, marker)],
      });
      expect(ack.success).toBe(true);
    }

    // The log did cover all of this (else the test below proves nothing).
    const text = t.lines.join('\n');
    for (const url of [
      '/auth/login',
      '/auth/invite',
      '/auth/register',
      '/auth/forgot-password',
      '/auth/reset-password',
    ]) {
      expect(
        t.records().some((line) => line.req?.url === url),
        url,
      ).toBe(true);
    }
    const me = t.records().find((line) => line.req?.url === '/auth/me')!;
    expect(me.req.headers).toMatchObject({ authorization: '[redacted]', cookie: '[redacted]' });
    expect(
      linesWith({ context: 'Mailer' })
        .map((line) => line.msg)
        .join(),
    ).toContain(email);
    expect(linesWith({ msg: 'batch ok' })).toHaveLength(2);
    expect(linesWith({ level: 20 }).length).toBeGreaterThan(0); // debug lines are written at trace

    for (const secret of secrets) expect(text, `log contains ${secret}`).not.toContain(secret);
    expect(text).not.toContain('$argon2');
    expect(text).not.toMatch(/"(password|body|params)"\s*:/);
  });

  it('gives every HTTP request an id, honouring a sane x-request-id and echoing it', async () => {
    const given = await request(t.url).get('/').set('x-request-id', 'lb-7f3a:42');
    expect(given.headers['x-request-id']).toBe('lb-7f3a:42');
    const fresh = await request(t.url).get('/');
    expect(fresh.headers['x-request-id']).toMatch(UUID);
    for (const insane of ['has space', 'x'.repeat(200), 'quote"d']) {
      const res = await request(t.url).get('/').set('x-request-id', insane);
      expect(res.headers['x-request-id']).toMatch(UUID);
    }
    for (const id of ['lb-7f3a:42', fresh.headers['x-request-id']]) {
      const [line] = t.records().filter((record) => record.req?.id === id);
      expect(line).toMatchObject({
        reqId: id,
        msg: 'request completed',
        req: { method: 'GET', url: '/' },
        res: { statusCode: 200 },
      });
      expect(line.level).toBe(30);
    }
    // Scrapes are logged below info.
    const health = await request(t.url).get('/health');
    const [line] = t.records().filter((record) => record.req?.id === health.headers['x-request-id']);
    expect(line.level).toBe(20);
  });

  it('logs each batch with its request id: the HTTP one for REST, a fresh one per socket batch', async () => {
    const user = await account(t, { roles: ['client'], providerId: provider.organisationId });
    const tournamentId = await savedTournament(user.token);

    const rest = await request(t.url)
      .post('/factory')
      .set('Authorization', `Bearer ${user.token}`)
      .set('x-request-id', 'rest-batch-0001')
      .send({ tournamentIds: [tournamentId], methods: [addParticipantDirective(tournamentId, 'Rest')] });
    expect(rest.body.success).toBe(true);
    expect(linesWith({ msg: 'batch ok', reqId: 'rest-batch-0001' })).toHaveLength(1);

    const socket = await desk(t, user.token);
    const batch = (name: string) => ({
      tournamentIds: [tournamentId],
      methods: [addParticipantDirective(tournamentId, name)],
    });
    await sendBatch(socket, batch('One'));
    await sendBatch(socket, { ...batch('Two'), methods: [...batch('Two').methods, ...batch('Three').methods] });
    const missing = await sendBatch(socket, {
      tournamentIds: ['no-such-tournament'],
      methods: [batch('Four').methods[0]],
    });
    expect(missing.error.code).toBe('ERR_MISSING_TOURNAMENT');

    const lines = t.records().filter((line) => line.context === 'Batch' && line.socketId === socket.id);
    expect(lines.map((line) => [line.msg, line.outcome, line.methods, line.tournamentIds])).toEqual([
      ['batch ok', 'ok', 1, [tournamentId]],
      ['batch ok', 'ok', 2, [tournamentId]],
      ['batch ERR_MISSING_TOURNAMENT', 'ERR_MISSING_TOURNAMENT', 1, ['no-such-tournament']],
    ]);
    for (const line of lines) {
      expect(line.reqId).toMatch(UUID);
      expect(line.methodNames).toEqual(['addParticipant']);
      expect(line.ms.total).toBeGreaterThanOrEqual(line.ms.engine);
    }
    expect(new Set(lines.map((line) => line.reqId)).size).toBe(3);
  });

  it("routes Nest's own logger through pino, start-up lines included", async () => {
    expect(linesWith({ context: 'NestApplication', msg: 'Nest application successfully started' })).toHaveLength(1);
    expect(linesWith({ context: 'RouterExplorer' }).length).toBeGreaterThan(10);
    // A socket refusal logged by a gateway, as JSON.
    const socket = await desk(t);
    const exception = waitFor(socket, 'exception');
    socket.emit('joinTournament', { tournamentId: 'x' });
    await exception;
    await vi.waitFor(() => expect(linesWith({ context: 'TmxGateway', level: 20 }).length).toBeGreaterThan(0));
  });
});

function equal(actual: unknown, expected: unknown): boolean {
  return JSON.stringify(actual) === JSON.stringify(expected);
}
