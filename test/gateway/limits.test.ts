import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TournamentRecord } from '../../src/storage/storage.types';
import { MutationExecutor } from '../../src/tournaments/executor.service';
import { seedAccount, type TestAccount } from '../support/accounts';
import { startTestApp, type TestApp } from '../support/app';
import { addParticipantDirective, mockTournament, testProvider, testUser } from '../support/records';
import {
  closeSockets,
  connect,
  desk,
  join,
  record,
  sendBatch,
  sync,
  upgraded,
  waitFor,
  waitForCount,
  type Socket,
} from '../support/sockets';

const MiB = 1024 * 1024;
const EVENTS_PER_10S = 40;

describe('/tmx limits: message size and event rate', () => {
  let t: TestApp;
  const provider = testProvider();
  let account: TestAccount;

  beforeAll(async () => {
    t = await startTestApp('leveldb', {
      MAX_BODY_BYTES: String(8 * MiB),
      SOCKET_EVENTS_PER_10S: String(EVENTS_PER_10S),
    });
    account = await seedAccount(t, { provider });
  });
  afterAll(async () => {
    closeSockets();
    await t?.close();
  });

  async function save(tournament: TournamentRecord) {
    await t.app.get(MutationExecutor).save({ records: [structuredClone(tournament)], user: testUser(provider) });
    return tournament.tournamentId;
  }

  it('accepts a 5 MiB addDrawDefinition batch and passes it on to the other desks', async () => {
    // A real draw from the engine, taken out of its tournament and padded to 5 MiB.
    const tournament = mockTournament(provider, 32);
    const event = (tournament.events as Array<{ eventId: string; drawDefinitions: Array<Record<string, any>> }>)[0];
    const drawDefinition = event.drawDefinitions.pop()!;
    drawDefinition.extensions = [...(drawDefinition.extensions ?? []), { name: 'padding', value: 'x'.repeat(5 * MiB) }];
    const id = await save(tournament);
    const sender = await desk(t, account.token);
    const other = await desk(t, account.token);
    await join(other, id);
    const seen = record(other, 'tournamentMutation');

    const payload = {
      tournamentIds: [id],
      methods: [{ method: 'addDrawDefinition', params: { tournamentId: id, eventId: event.eventId, drawDefinition } }],
    };
    expect(Buffer.byteLength(JSON.stringify(payload))).toBeGreaterThan(5 * MiB);
    const ack = await sendBatch(sender, payload);
    expect(ack).toMatchObject({ success: true, versions: { [id]: 2 } });
    await waitForCount(other, 'tournamentMutation', seen, 1);
    expect(seen[0].methods[0].params.drawDefinition.drawId).toBe(drawDefinition.drawId);
    const storedRecord = (await t.storage.tournaments.get(id))!.record as typeof tournament;
    const storedEvent = (storedRecord.events as Array<{ drawDefinitions: Array<{ drawId: string }> }>)[0];
    expect(storedEvent.drawDefinitions.map((d) => d.drawId)).toContain(drawDefinition.drawId);
  });

  it.each([
    ['after the websocket upgrade', {}],
    ['over polling only', { transports: ['polling'] }],
  ])(
    'drops a desk whose message is above the limit %s; the server and other desks carry on',
    async (_label, options) => {
      const id = await save(mockTournament(provider));
      const bystander = await desk(t, account.token);
      await join(bystander, id);
      const seen = record(bystander, 'tournamentMutation');
      const big = await connect(t, '/tmx', { token: account.token, ...options });
      if (!('transports' in options)) await upgraded(big);
      const gone = waitFor(big, 'disconnect', () => true, 10_000);
      const oversized = addParticipantDirective(id, 'y'.repeat(9 * MiB));
      big.emit('executionQueue', {
        type: 'executionQueue',
        payload: { tournamentIds: [id], ackId: 'big', methods: [oversized] },
      });
      expect(await gone).toMatch(/transport (close|error)/);

      await sync(bystander);
      expect(seen).toEqual([]);
      expect(await t.storage.tournaments.getVersion(id)).toBe(1);
      await request(t.url).get('/').expect(200);
      const again = await desk(t, account.token);
      const ack = await sendBatch(again, { tournamentIds: [id], methods: [addParticipantDirective(id, 'Normal')] });
      expect(ack.success).toBe(true);
      await waitForCount(bystander, 'tournamentMutation', seen, 1);
    },
  );

  describe('per-socket rate limit', () => {
    async function burst(socket: Socket, count: number) {
      const answers = record(socket, 'timestamp');
      const refusals = record(socket, 'exception');
      for (let i = 0; i < count; i++) socket.emit('timestamp', {});
      return { answers, refusals };
    }

    it('refuses events beyond the allowance with ERR_RATE_LIMITED; batches are not counted (bytes waiting bound them)', async () => {
      const id = await save(mockTournament(provider));
      const socket = await desk(t, account.token);
      const { answers, refusals } = await burst(socket, EVENTS_PER_10S + 5);
      // A desk's offline queue comes at once: more batches than the allowance, after it is used up.
      const acks = record(socket, 'ack');
      for (let i = 0; i < EVENTS_PER_10S + 5; i++) {
        socket.emit('executionQueue', {
          type: 'executionQueue',
          payload: { tournamentIds: [id], ackId: `fast-${i}`, methods: [addParticipantDirective(id, `Fast ${i}`)] },
        });
      }
      await waitForCount(socket, 'ack', acks, EVENTS_PER_10S + 5);
      expect(acks.every((a) => a.success)).toBe(true);
      expect(acks.map((a) => a.ackId)).toEqual(Array.from({ length: EVENTS_PER_10S + 5 }, (_, i) => `fast-${i}`));
      expect(refusals.length).toBeGreaterThanOrEqual(5);
      expect(refusals.every((r) => r.code === 'ERR_RATE_LIMITED' && r.event === 'timestamp')).toBe(true);
      expect(answers.length).toBeLessThanOrEqual(EVENTS_PER_10S + 1);
      expect(await t.storage.tournaments.getVersion(id)).toBe(EVENTS_PER_10S + 6);

      // Another socket of the same user has its own allowance.
      const fresh = await desk(t, account.token);
      await sync(fresh);
    });

    it('limits viewers in /public the same way', async () => {
      const viewer = await connect(t, '/public');
      const refusals = record(viewer, 'exception');
      for (let i = 0; i < EVENTS_PER_10S + 3; i++) viewer.emit('joinTournament', { tournamentId: `t-${i}` });
      await waitForCount(viewer, 'exception', refusals, 3);
      expect(refusals[0]).toMatchObject({ code: 'ERR_RATE_LIMITED', event: 'joinTournament' });
    });
  });
});
