import { JwtService } from '@nestjs/jwt';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildClaims } from '../../src/auth/claims';
import { MutationExecutor } from '../../src/tournaments/executor.service';
import { seedAccount, type TestAccount } from '../support/accounts';
import { startTestApp, type TestApp } from '../support/app';
import { addParticipantDirective, mockTournament, testProvider, testUser, type TestProvider } from '../support/records';
import { closeSockets, connect, desk, join, record, sendBatch, sync, waitFor, type Socket } from '../support/sockets';

describe('/tmx refusals, validation and catch-up', () => {
  let t: TestApp;
  const provider = testProvider();
  const other = testProvider();
  let deskUser: TestAccount;
  let otherUser: TestAccount;
  let watcher: Socket;

  beforeAll(async () => {
    t = await startTestApp('leveldb', { MAX_BATCH_METHODS: '50' });
    deskUser = await seedAccount(t, { provider });
    otherUser = await seedAccount(t, { provider: other });
    watcher = await desk(t, deskUser.token);
  });
  afterAll(async () => {
    closeSockets();
    await t?.close();
  });

  async function saved(owner: TestProvider = provider) {
    const tournament = mockTournament(owner);
    await t.app.get(MutationExecutor).save({ records: [structuredClone(tournament)], user: testUser(owner) });
    return tournament.tournamentId;
  }

  const version = (id: string) => t.storage.tournaments.getVersion(id);

  /** Emits a message and resolves with the `exception` and `ack` it provoked (ack only for batches). */
  async function refusal(socket: Socket, event: string, data: unknown) {
    const exception = waitFor(socket, 'exception', (e: { event?: string }) => e.event === event);
    const ack = event === 'executionQueue' ? waitFor(socket, 'ack') : undefined;
    socket.emit(event, data);
    return { exception: await exception, ack: await ack };
  }

  describe('connections without a usable token are accepted and every event needing one is refused', () => {
    const forged = () =>
      new JwtService({
        secret: 'not-the-server-secret-not-the-server-secret',
        signOptions: { issuer: t.config.jwt.issuer },
      }).sign(buildClaims(deskUser.user, provider));
    it.each([
      ['no token', () => undefined, /no token/],
      ['a forged token', forged, /invalid token/],
      ['garbage', () => 'not.a.jwt', /invalid token/],
    ])('%s', async (_label, token, reason) => {
      const id = await saved();
      await join(watcher, id);
      const seen = record(watcher, 'tournamentMutation');
      const socket = await desk(t, token());
      expect(socket.connected).toBe(true);

      const batch = {
        type: 'executionQueue',
        payload: { tournamentIds: [id], ackId: 'anon-1', methods: [addParticipantDirective(id, 'Anon')] },
      };
      const { exception, ack } = await refusal(socket, 'executionQueue', batch);
      expect(exception).toMatchObject({ code: 'ERR_UNAUTHORIZED', message: expect.stringMatching(reason) });
      expect(ack).toEqual({
        ackId: 'anon-1',
        error: { code: 'ERR_UNAUTHORIZED', message: exception.message },
        tournamentIds: [id],
      });
      expect((await refusal(socket, 'joinTournament', { tournamentId: id })).exception.code).toBe('ERR_UNAUTHORIZED');
      expect((await refusal(socket, 'mutationsSince', { tournamentId: id, sinceVersion: 0 })).exception.code).toBe(
        'ERR_UNAUTHORIZED',
      );

      // Events that need no token still work.
      const before = Date.now();
      const stamp = waitFor(socket, 'timestamp');
      socket.emit('timestamp', {});
      expect((await stamp).timestamp).toBeGreaterThanOrEqual(before);

      await sync(watcher);
      expect(seen).toEqual([]);
      expect(await version(id)).toBe(1);
    });

    it('refuses a user without the client role', async () => {
      const scorer = await seedAccount(t, { provider, roles: ['score'] });
      const id = await saved();
      const socket = await desk(t, scorer.token);
      const batch = {
        type: 'executionQueue',
        payload: { tournamentIds: [id], ackId: 's-1', methods: [addParticipantDirective(id, 'S')] },
      };
      const { exception, ack } = await refusal(socket, 'executionQueue', batch);
      expect(exception.code).toBe('ERR_FORBIDDEN');
      expect(ack.error.code).toBe('ERR_FORBIDDEN');
      expect((await refusal(socket, 'joinTournament', { tournamentId: id })).exception.code).toBe('ERR_FORBIDDEN');
      expect(await version(id)).toBe(1);
    });

    it('stops a token at its expiry: the desk leaves its rooms and its batches are refused', async () => {
      const id = await saved();
      const jwt = t.app.get(JwtService);
      const token = jwt.sign({ ...buildClaims(deskUser.user, provider) }, { expiresIn: 2 });
      const socket = await desk(t, token);
      await join(socket, id);
      const seen = record(socket, 'tournamentMutation');
      const expired = await waitFor(socket, 'exception', (e: { code: string }) => e.code === 'ERR_UNAUTHORIZED', 4000);
      expect(expired.message).toMatch(/expired/);

      await request(t.url)
        .post('/factory')
        .set(deskUser.auth)
        .send({ tournamentIds: [id], methods: [addParticipantDirective(id, 'After expiry')] })
        .expect(200);
      await sync(socket);
      expect(seen).toEqual([]);
      const batch = {
        type: 'executionQueue',
        payload: { tournamentIds: [id], ackId: 'late', methods: [addParticipantDirective(id, 'Late')] },
      };
      expect((await refusal(socket, 'executionQueue', batch)).ack.error.message).toMatch(/expired/);
      expect(await version(id)).toBe(2);
    });
  });

  describe('batch validation happens before the executor', () => {
    let socket: Socket;
    let id: string;
    beforeAll(async () => {
      socket = await desk(t, deskUser.token);
      id = await saved();
      await join(watcher, id);
    });

    const tooMany = () => Array.from({ length: 51 }, (_, i) => addParticipantDirective(id, `Many ${i}`));
    it.each([
      ['a string', () => 'nonsense', 'ERR_INVALID_INPUT'],
      [
        'an unknown envelope type',
        () => ({ type: 'other', payload: { tournamentIds: [id], methods: [addParticipantDirective(id, 'x')] } }),
        'ERR_INVALID_INPUT',
      ],
      [
        'methods not an array',
        () => ({ type: 'executionQueue', payload: { tournamentIds: [id], methods: 'addParticipant' } }),
        'ERR_INVALID_INPUT',
      ],
      [
        'a directive without a method name',
        () => ({ type: 'executionQueue', payload: { tournamentIds: [id], methods: [{ params: {} }] } }),
        'ERR_INVALID_INPUT',
      ],
      [
        'tournamentIds of numbers',
        () => ({
          type: 'executionQueue',
          payload: { tournamentIds: [42], methods: [addParticipantDirective(id, 'x')] },
        }),
        'ERR_INVALID_INPUT',
      ],
      [
        'more methods than allowed',
        () => ({ type: 'executionQueue', payload: { tournamentIds: [id], methods: tooMany() } }),
        'ERR_BATCH_TOO_LARGE',
      ],
      [
        'a __proto__ key',
        () =>
          JSON.parse(
            `{"type":"executionQueue","payload":{"tournamentIds":["${id}"],"methods":[{"method":"addParticipant","params":{"__proto__":{"polluted":true}}}]}}`,
          ),
        'ERR_INVALID_INPUT',
        /forbidden key in payload: methods\[0\]\.params\.__proto__/,
      ],
    ])(
      'refuses %s with an exception and an error ack, storing nothing',
      async (_label, message, code, reason?: RegExp) => {
        const seen = record(watcher, 'tournamentMutation');
        const { exception, ack } = await refusal(socket, 'executionQueue', message());
        expect(exception).toMatchObject({ code, event: 'executionQueue' });
        if (reason) expect(exception.message).toMatch(reason);
        expect(ack.error).toEqual({ code, message: exception.message });
        await sync(watcher);
        expect(seen).toEqual([]);
        expect(await version(id)).toBe(1);
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      },
    );

    it('answers executor refusals in the ack only, codes unchanged (ERR_MISSING_TOURNAMENT, method not allowed)', async () => {
      const exceptions = record(socket, 'exception');
      const missing = 'not-on-this-server';
      const ack = await sendBatch(socket, {
        tournamentIds: [missing],
        methods: [addParticipantDirective(missing, 'x')],
      });
      expect(ack).toMatchObject({ error: { code: 'ERR_MISSING_TOURNAMENT' }, tournamentIds: [missing] });
      const notAllowed = await sendBatch(socket, { tournamentIds: [id], methods: [{ method: 'reset', params: {} }] });
      expect(notAllowed.error.code).toBe('ERR_METHOD_NOT_ALLOWED');
      await sync(socket);
      expect(exceptions).toEqual([]);
    });

    it('accepts the bare payload of older clients and ignores a client-claimed userId', async () => {
      const seen = record(watcher, 'tournamentMutation');
      const ack = waitFor(socket, 'ack', (a: { ackId: string }) => a.ackId === 'bare-1');
      socket.emit('executionQueue', {
        tournamentIds: [id],
        ackId: 'bare-1',
        userId: 'someone@else',
        methods: [addParticipantDirective(id, 'Bare')],
      });
      expect(await ack).toMatchObject({ success: true });
      await sync(watcher);
      expect(seen.map((m) => m.userId)).toEqual([deskUser.user.email]);
    });

    it('runs a repeated ackId once: same answer, one broadcast', async () => {
      const target = await saved();
      await join(watcher, target);
      const seen = record(watcher, 'tournamentMutation');
      const payload = { tournamentIds: [target], ackId: 'twice', methods: [addParticipantDirective(target, 'Once')] };
      const first = await sendBatch(socket, payload);
      const second = await sendBatch(socket, payload);
      expect(second).toEqual(first);
      expect(first.versions).toEqual({ [target]: 2 });
      await sync(watcher);
      expect(seen).toHaveLength(1);
      expect(await version(target)).toBe(2);
    });

    it('accepts tmx messages without effect', async () => {
      const answers = [record(socket, 'exception'), record(socket, 'ack')];
      socket.emit('tmx', { anything: true });
      socket.emit('tmx');
      await sync(socket);
      expect(answers).toEqual([[], []]);
    });
  });

  describe('rooms', () => {
    it('refuses to join a tournament of another provider and a malformed join', async () => {
      const id = await saved(other);
      const socket = await desk(t, deskUser.token);
      expect((await refusal(socket, 'joinTournament', { tournamentId: id })).exception).toMatchObject({
        code: 'ERR_FORBIDDEN',
        tournamentId: id,
      });
      expect((await refusal(socket, 'joinTournament', { tournamentId: 7 })).exception.code).toBe('ERR_INVALID_INPUT');
      const stranger = await desk(t, otherUser.token);
      expect(await join(stranger, id)).toEqual({ tournamentId: id, version: 1 });
    });

    it('stops broadcasts after leaveTournament', async () => {
      const id = await saved();
      const socket = await desk(t, deskUser.token);
      await join(socket, id);
      const seen = record(socket, 'tournamentMutation');
      socket.emit('leaveTournament', { tournamentId: id });
      await sync(socket);
      await request(t.url)
        .post('/factory')
        .set(deskUser.auth)
        .send({ tournamentIds: [id], methods: [addParticipantDirective(id, 'x')] });
      await sync(socket);
      expect(seen).toEqual([]);
    });
  });

  describe('mutationsSince', () => {
    async function since(socket: Socket, tournamentId: string, sinceVersion: unknown) {
      const answer = Promise.race([
        waitFor(socket, 'mutationLog', (l: { tournamentId: string }) => l.tournamentId === tournamentId),
        waitFor(socket, 'exception', (e: { event: string }) => e.event === 'mutationsSince').then((e) => ({
          exception: e,
        })),
      ]);
      socket.emit('mutationsSince', { tournamentId, sinceVersion });
      return answer;
    }

    async function mutate(id: string, count: number) {
      for (let i = 0; i < count; i++) {
        await request(t.url)
          .post('/factory')
          .set(deskUser.auth)
          .send({ tournamentIds: [id], methods: [addParticipantDirective(id, `M${i}`)] });
      }
    }

    it('returns the missed batches in order, or nothing when up to date', async () => {
      const id = await saved();
      await mutate(id, 3);
      const socket = await desk(t, deskUser.token);
      const log = await since(socket, id, 2);
      expect(log).toEqual({
        tournamentId: id,
        version: 4,
        entries: [3, 4].map((v) => ({
          version: v,
          methods: [expect.objectContaining({ method: 'addParticipant' })],
          userId: deskUser.user.email,
          timestamp: expect.any(Number),
          seed: expect.any(Number),
          at: expect.any(String),
        })),
      });
      expect(await since(socket, id, 4)).toEqual({ tournamentId: id, version: 4, entries: [] });
    });

    it('answers reset when a save lies in the range, when the log was pruned, or when the desk is ahead', async () => {
      const id = await saved();
      await mutate(id, 4); // versions 2..5
      const socket = await desk(t, deskUser.token);
      expect(await since(socket, id, 0)).toEqual({ tournamentId: id, reset: true, version: 5 }); // version 1 is the save
      expect(await since(socket, id, 9)).toEqual({ tournamentId: id, reset: true, version: 5 });
      await t.app.get(MutationExecutor).snapshots.write(id); // the store prunes nothing after its snapshot
      await t.storage.log.prune(id, 4);
      expect(await since(socket, id, 2)).toEqual({ tournamentId: id, reset: true, version: 5 });
      expect(await since(socket, id, 3)).toMatchObject({ version: 5, entries: [{ version: 4 }, { version: 5 }] });
    });

    it('answers reset when a batch in the range is one the server stores whole (replay could differ)', async () => {
      const id = await saved();
      await mutate(id, 1); // version 2
      const record = (await t.storage.tournaments.get(id))!.record as unknown as {
        events: Array<{ eventId: string; entries: Array<{ participantId: string }> }>;
      };
      const [{ eventId, entries }] = record.events;
      const entryPositions = [{ participantId: entries[0].participantId, entryPosition: 1 }];
      await request(t.url)
        .post('/factory')
        .set(deskUser.auth)
        .send({
          tournamentIds: [id],
          methods: [{ method: 'setEntryPositions', params: { tournamentId: id, eventId, entryPositions } }],
        })
        .expect(200); // version 3
      const socket = await desk(t, deskUser.token);
      expect(await since(socket, id, 1)).toEqual({ tournamentId: id, reset: true, version: 3 });
      expect(await since(socket, id, 3)).toEqual({ tournamentId: id, version: 3, entries: [] });
    });

    it('refuses another provider’s tournament, an unknown one and a bad version', async () => {
      const id = await saved(other);
      const socket = await desk(t, deskUser.token);
      expect(await since(socket, id, 0)).toMatchObject({ exception: { code: 'ERR_FORBIDDEN', tournamentId: id } });
      expect(await since(socket, 'unknown-id', 0)).toMatchObject({ exception: { code: 'ERR_MISSING_TOURNAMENT' } });
      expect(await since(socket, id, -1)).toMatchObject({ exception: { code: 'ERR_INVALID_INPUT' } });
      expect(await since(socket, id, 'one')).toMatchObject({ exception: { code: 'ERR_INVALID_INPUT' } });
    });
  });

  it('answers timestamp with the server time', async () => {
    const socket = await connect(t, '/tmx');
    const before = Date.now();
    const answer = waitFor(socket, 'timestamp');
    socket.emit('timestamp', 'anything');
    const { timestamp } = await answer;
    expect(timestamp).toBeGreaterThanOrEqual(before);
    expect(timestamp).toBeLessThanOrEqual(Date.now());
  });
});
