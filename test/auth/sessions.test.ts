import { JwtService } from '@nestjs/jwt';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Mailer, type MailMessage } from '../../src/auth/mail/mailer';
import { GENERATION_TTL_MS, SessionGenerations } from '../../src/auth/session-generations';
import { resetPassword, setRoles } from '../../src/cli/admin-commands';
import type { Provider } from '../../src/storage/storage.types';
import { MutationExecutor } from '../../src/tournaments/executor.service';
import { UsersService } from '../../src/users/users.service';
import { BACKENDS, type TestApp } from '../support/app';
import { addParticipantDirective, mockTournament, testUser } from '../support/records';
import { closeSockets, desk, join, record, sendBatch, sync, type Socket } from '../support/sockets';
import { account, addProvider, get, login, post, startAccountsApp, type Account } from './helpers';

/** Resolves with how long (ms) until the server disconnected the socket; rejects after `timeout`. */
function disconnected(socket: Socket, timeout = 5000): Promise<number> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    if (socket.disconnected) return resolve(0);
    const timer = setTimeout(() => reject(new Error(`still connected after ${timeout} ms`)), timeout);
    socket.once('disconnect', () => {
      clearTimeout(timer);
      resolve(Date.now() - started);
    });
  });
}

describe.each(BACKENDS)('session generations (%s)', (backend) => {
  let t: TestApp;
  let provider: Provider;
  let admin: Account;
  let sent: MailMessage[];

  beforeAll(async () => {
    t = await startAccountsApp(backend);
    provider = await addProvider(t);
    admin = await account(t, { roles: ['admin'], providerId: provider.organisationId });
    sent = [];
    vi.spyOn(t.app.get(Mailer), 'send').mockImplementation(async (message) => {
      sent.push(message);
    });
  });
  afterAll(async () => {
    closeSockets();
    await t?.close();
  });

  const client = () => account(t, { roles: ['client'], providerId: provider.organisationId });

  async function saved(): Promise<string> {
    const tournament = mockTournament(provider);
    const result = await t.app
      .get(MutationExecutor)
      .save({ records: [structuredClone(tournament)], user: testUser(provider) });
    expect(result).toMatchObject({ success: true });
    return tournament.tournamentId;
  }

  const fetch = (id: string, token: string) => post(t, '/factory/fetch', { tournamentId: id }, token);
  const mutate = (id: string, token: string, name = 'Someone') =>
    post(t, '/factory', { tournamentIds: [id], methods: [addParticipantDirective(id, name)] }, token);
  const version = async (id: string) => (await t.storage.tournaments.get(id))?.version;

  function expectRevoked(res: request.Response): void {
    expect(res.status, JSON.stringify(res.body)).toBe(401);
    expect(res.body.message).toBe('Token revoked');
  }

  it('tokens carry the generation as sv, and a token from before generations (no sv) still works at generation 0', async () => {
    const user = await client();
    const payload = JSON.parse(Buffer.from(user.token.split('.')[1]!, 'base64url').toString()) as { sv?: number };
    expect(payload.sv).toBe(0);
    const { sv: _sv, iat: _iat, exp: _exp, jti: _jti, iss: _iss, ...rest } = payload as Record<string, unknown>;
    const legacy = t.app.get(JwtService).sign(rest);
    expect((await get(t, '/auth/me', legacy)).status).toBe(200);
  });

  it('a removal: the old token gets 401 on /factory/fetch, its open desk is refused then closed, nothing it sends is stored or broadcast', async () => {
    const id = await saved();
    const doomed = await client();
    const watcher = await client();
    expect((await fetch(id, doomed.token)).status).toBe(200);

    const socket = await desk(t, doomed.token);
    await join(socket, id);
    const watching = await desk(t, watcher.token);
    await join(watching, id);
    const broadcasts = record(watching, 'tournamentMutation');
    const exceptions = record<{ code: string }>(socket, 'exception');
    const closed = disconnected(socket);

    const removedAt = Date.now();
    expect((await post(t, '/auth/remove', { email: doomed.email }, admin.token)).body).toEqual({ success: true });
    expect(await closed).toBeLessThan(1000);
    expect(Date.now() - removedAt).toBeLessThan(1000);
    expect(exceptions).toContainEqual(expect.objectContaining({ code: 'ERR_TOKEN_REVOKED' }));

    expectRevoked(await fetch(id, doomed.token));
    expectRevoked(await mutate(id, doomed.token));
    expectRevoked(await get(t, '/auth/me', doomed.token));

    // The desk comes back with its old token: every desk event is refused.
    const again = await desk(t, doomed.token);
    const refusals = record<{ code: string; event: string }>(again, 'exception');
    const ack = await sendBatch(again, { tournamentIds: [id], methods: [addParticipantDirective(id, 'Ghost')] });
    expect(ack.error).toMatchObject({ code: 'ERR_TOKEN_REVOKED' });
    again.emit('joinTournament', { tournamentId: id });
    again.emit('mutationsSince', { tournamentId: id, sinceVersion: 0 });
    again.emit('chatMessage', { tournamentId: id, message: 'hello', clientMsgId: 'c-1' });
    await sync(again);
    expect(refusals.map((r) => [r.event, r.code])).toEqual(
      expect.arrayContaining([
        ['executionQueue', 'ERR_TOKEN_REVOKED'],
        ['joinTournament', 'ERR_TOKEN_REVOKED'],
        ['mutationsSince', 'ERR_TOKEN_REVOKED'],
        ['chatMessage', 'ERR_TOKEN_REVOKED'],
      ]),
    );
    await sync(watching);
    expect(broadcasts).toEqual([]);
    expect(await version(id)).toBe(1);

    // Everyone else carries on.
    expect((await fetch(id, watcher.token)).status).toBe(200);
    expect((await mutate(id, watcher.token)).body).toMatchObject({ success: true });
  });

  it('a public route answers a revoked token as it answers anonymous callers', async () => {
    const id = await saved();
    const doomed = await client();
    await post(t, '/auth/remove', { email: doomed.email }, admin.token).expect(200);
    const path = `/provider/by-tournament/${id}/branding`;
    const anonymous = await get(t, path);
    const revoked = await get(t, path, doomed.token);
    expect(anonymous.status).toBe(200);
    expect(revoked.status).toBe(200);
    expect(revoked.body).toEqual(anonymous.body);
  });

  it('a demotion from client to score: the old token can no longer POST /factory; a fresh sign-in scores', async () => {
    const id = await saved();
    const user = await client();
    expect((await mutate(id, user.token)).body).toMatchObject({ success: true });
    const socket = await desk(t, user.token);
    const closed = disconnected(socket);

    // Changing only the name ends nothing.
    await post(t, '/auth/modify', { email: user.email, firstName: 'Renamed' }, admin.token).expect(200);
    await post(t, '/auth/modify', { email: user.email, roles: ['client'] }, admin.token).expect(200);
    expect((await get(t, '/auth/me', user.token)).status).toBe(200);
    expect(socket.connected).toBe(true);

    const modified = await post(t, '/auth/modify', { email: user.email, roles: ['score'] }, admin.token);
    expect(modified.body).toEqual({ success: true });
    expect(await closed).toBeLessThan(1000);
    expectRevoked(await mutate(id, user.token));

    const fresh = await login(t, user.email, user.password);
    expect((await get(t, '/auth/me', fresh)).status).toBe(200);
    expect((await mutate(id, fresh)).status).toBe(403);
    const matchUps = (await post(t, '/factory/matchups', { tournamentId: id }, fresh).expect(200)).body.matchUps;
    const ready = matchUps.find((m: { readyToScore?: boolean }) => m.readyToScore);
    const scored = await post(
      t,
      '/factory/score',
      { tournamentId: id, matchUpId: ready.matchUpId, outcome: { winningSide: 1 } },
      fresh,
    );
    expect(scored.body).toMatchObject({ success: true });
  });

  it('a password reset: old tokens 401 (and their desks closed), the new sign-in works', async () => {
    const user = await client();
    const second = await login(t, user.email, user.password);
    const socket = await desk(t, second);
    const closed = disconnected(socket);
    await post(t, '/auth/forgot-password', { email: user.email }).expect(200);
    await vi.waitFor(() => expect(sent.some((m) => m.to === user.email)).toBe(true));
    const code = /reset code: ([0-9A-Z]+)/.exec(sent.filter((m) => m.to === user.email).at(-1)!.text)![1];
    const reset = await post(t, '/auth/reset-password', { email: user.email, code, password: 'a brand new password' });
    expect(reset.body).toEqual({ success: true });
    expect(await closed).toBeLessThan(1000);
    expectRevoked(await get(t, '/auth/me', user.token));
    expectRevoked(await get(t, '/auth/me', second));
    const fresh = await login(t, user.email, 'a brand new password');
    expect((await get(t, '/auth/me', fresh)).status).toBe(200);
  });

  it('POST /auth/signout: everywhere ends every token of the caller; without it nothing ends', async () => {
    const user = await client();
    const other = await login(t, user.email, user.password);
    expect((await post(t, '/auth/signout', {}, user.token)).body).toEqual({ success: true });
    expect((await post(t, '/auth/signout', { everywhere: false }, user.token)).body).toEqual({ success: true });
    expect((await get(t, '/auth/me', user.token)).status).toBe(200);
    expect((await post(t, '/auth/signout', { everywhere: true })).status).toBe(401);

    const socket = await desk(t, other);
    const closed = disconnected(socket);
    expect((await post(t, '/auth/signout', { everywhere: true }, user.token)).body).toEqual({ success: true });
    expect(await closed).toBeLessThan(1000);
    expectRevoked(await get(t, '/auth/me', user.token));
    expectRevoked(await get(t, '/auth/me', other));
    const fresh = await login(t, user.email, user.password);
    expect((await get(t, '/auth/me', fresh)).status).toBe(200);
    const socketAfter = await desk(t, fresh);
    const id = await saved();
    expect(await join(socketAfter, id)).toMatchObject({ tournamentId: id });
  });

  it('a removed account created again under the same email: the old token stays refused, the new one works', async () => {
    const user = await client();
    await post(t, '/auth/remove', { email: user.email }, admin.token).expect(200);
    await t.app.get(UsersService).create({
      email: user.email,
      password: user.password,
      roles: ['client'],
      providerId: provider.organisationId,
    });
    expectRevoked(await get(t, '/auth/me', user.token));
    const fresh = await login(t, user.email, user.password);
    expect((await get(t, '/auth/me', fresh)).status).toBe(200);
  });

  it('the CLI (no server of its own) ends sessions within the cache time-to-live; a new sign-in works at once', async () => {
    const cli = { users: new UsersService(t.storage), storage: t.storage };
    const demoted = await client();
    const reset = await client();
    // Both in the running server's cache now.
    expect((await get(t, '/auth/me', demoted.token)).status).toBe(200);
    expect((await get(t, '/auth/me', reset.token)).status).toBe(200);
    const changedAt = Date.now();
    await setRoles(cli, { email: demoted.email, roles: 'score' });
    await resetPassword(cli, { email: reset.email, password: 'cli chosen password' });
    expect((await get(t, '/auth/me', await login(t, demoted.email, demoted.password))).status).toBe(200);
    expect((await get(t, '/auth/me', await login(t, reset.email, 'cli chosen password'))).status).toBe(200);
    await vi.waitFor(
      async () => {
        expectRevoked(await get(t, '/auth/me', demoted.token));
        expectRevoked(await get(t, '/auth/me', reset.token));
      },
      { timeout: GENERATION_TTL_MS + 2000, interval: 100 },
    );
    expect(Date.now() - changedAt).toBeLessThan(GENERATION_TTL_MS + 1000);
  });

  it('after one read the cache answers synchronously (no storage round trip on the hot path)', async () => {
    const user = await client();
    const { sub } = JSON.parse(Buffer.from(user.token.split('.')[1]!, 'base64url').toString()) as { sub: string };
    const sessions = t.app.get(SessionGenerations);
    expect((await get(t, '/auth/me', user.token)).status).toBe(200);
    expect(sessions.revokedNow({ userId: sub, email: user.email, sv: 0 })).toBe(false);
    expect(sessions.isRevoked({ userId: sub, email: user.email, sv: 0 })).toBe(false);
    await post(t, '/auth/signout', { everywhere: true }, user.token).expect(200);
    expect(sessions.revokedNow({ userId: sub, email: user.email, sv: 0 })).toBe(true);
    expect(sessions.revokedNow({ userId: sub, email: user.email, sv: 1 })).toBe(false);
  });
});
