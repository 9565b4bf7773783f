import type { Namespace } from 'socket.io';
import { emitToInstances } from '../../src/gateway/broadcast-link';
import { describe, expect, it } from 'vitest';
import { deskEmissions } from '../../src/gateway/desk-broadcast';
import { parseBatch } from '../../src/gateway/messages';
import { RateLimiter } from '../../src/gateway/rate-limiter';
import { deskAllRoom, deskRoom } from '../../src/gateway/rooms';
import type { CommittedEvent } from '../../src/tournaments/tournament-events';

function committed(overrides: Partial<CommittedEvent>): CommittedEvent {
  return {
    kind: 'mutation',
    tournamentIds: ['t1'],
    versions: { t1: 5 },
    methods: [{ method: 'addParticipant', params: { tournamentId: 't1' } }],
    userId: 'desk@example.com',
    timestamp: 1,
    origin: { socketId: 'sender' },
    changes: {},
    providerIds: { t1: 'p' },
    ...overrides,
  };
}

describe('deskEmissions', () => {
  it('sends one emission to the owner’s rooms and the superadmin rooms of every tournament', () => {
    const event = committed({
      tournamentIds: ['t1', 't2'],
      versions: { t1: 5, t2: 9 },
      providerIds: { t1: 'p', t2: 'p' },
    });
    expect(deskEmissions(event)).toEqual([
      {
        event: 'tournamentMutation',
        rooms: [deskRoom('t1', 'p'), deskAllRoom('t1'), deskRoom('t2', 'p'), deskAllRoom('t2')],
        payload: {
          methods: event.methods,
          tournamentIds: ['t1', 't2'],
          userId: event.userId,
          timestamp: 1,
          versions: { t1: 5, t2: 9 },
        },
      },
    ]);
  });

  it('splits a batch spanning providers so that each provider sees only its own tournaments', () => {
    const methods = [
      { method: 'addParticipant', params: { tournamentId: 't1' } },
      { method: 'addParticipant', params: { tournamentId: 't2' } },
      { method: 'addParticipant', params: {} },
    ];
    const event = committed({
      tournamentIds: ['t1', 't2'],
      versions: { t1: 5, t2: 9 },
      methods,
      providerIds: { t1: 'p', t2: 'q' },
    });
    const [all, p, q] = deskEmissions(event);
    expect(all).toMatchObject({
      rooms: [deskAllRoom('t1'), deskAllRoom('t2')],
      payload: { methods, versions: { t1: 5, t2: 9 } },
    });
    expect(p).toMatchObject({
      rooms: [deskRoom('t1', 'p')],
      payload: { methods: [methods[0]], tournamentIds: ['t1'], versions: { t1: 5 } },
    });
    expect(q).toMatchObject({
      rooms: [deskRoom('t2', 'q')],
      payload: { methods: [methods[1]], tournamentIds: ['t2'], versions: { t2: 9 } },
    });
  });

  it('sends an unowned tournament to superadmin rooms only', () => {
    expect(deskEmissions(committed({ providerIds: { t1: undefined } }))[0].rooms).toEqual([deskAllRoom('t1')]);
  });

  it('names saves and removals for what they are, without directives', () => {
    expect(deskEmissions(committed({ kind: 'save', methods: [] }))[0]).toMatchObject({
      event: 'tournamentSaved',
      payload: { tournamentIds: ['t1'], versions: { t1: 5 } },
    });
    const removal = deskEmissions(committed({ kind: 'remove', methods: [], versions: {} }))[0];
    expect(removal.event).toBe('tournamentRemoved');
    expect(removal.payload).toEqual({ tournamentIds: ['t1'], userId: 'desk@example.com', timestamp: 1 });
  });
});

describe('RateLimiter', () => {
  it('allows a burst of the whole allowance, then refills at the average rate', () => {
    const limiter = new RateLimiter(10, 10_000, 0);
    expect(Array.from({ length: 11 }, () => limiter.take(0)).filter(Boolean)).toHaveLength(10);
    expect(limiter.take(500)).toBe(false);
    expect(limiter.take(1000)).toBe(true);
    expect(limiter.take(1000)).toBe(false);
    expect(Array.from({ length: 20 }, () => limiter.take(60_000)).filter(Boolean)).toHaveLength(10);
  });
});

describe('parseBatch', () => {
  const limits = { maxMethods: 3, maxTournaments: 2 };
  const methods = [{ method: 'addParticipant', params: {} }];

  it('takes the TMX envelope or a bare payload, and drops client claims', () => {
    const payload = { tournamentIds: ['t1'], methods, ackId: 'a', userId: 'forged@x', rollbackOnError: true };
    const expected = {
      value: {
        ...{ tournamentIds: ['t1'], tournamentId: undefined, methods, ackId: 'a', rollbackOnError: true },
        returnResults: false,
      },
    };
    expect(parseBatch({ type: 'executionQueue', payload }, limits)).toEqual(expected);
    expect(parseBatch(payload, limits)).toEqual(expected);
  });

  it('passes the conflict fields on to the executor, which checks them', () => {
    const payload = { tournamentIds: ['t1'], methods, baseVersions: { t1: 4 }, conflictPolicy: 'overwrite' };
    expect(parseBatch({ ...payload, returnResults: true }, limits)).toMatchObject({
      value: {
        ...payload,
        returnResults: true,
      },
    });
    expect(parseBatch({ ...payload, returnResults: 'yes' }, limits).error?.code).toBe('ERR_INVALID_INPUT');
  });

  it.each([
    [null, 'ERR_INVALID_INPUT'],
    [{ type: 'executionQueue' }, 'ERR_INVALID_INPUT'],
    [{ methods: [] }, 'ERR_INVALID_INPUT'],
    [{ methods: [{ method: 'a' }, { method: 'b' }, { method: 'c' }, { method: 'd' }] }, 'ERR_BATCH_TOO_LARGE'],
    [{ methods, tournamentIds: ['a', 'b', 'c'] }, 'ERR_BATCH_TOO_LARGE'],
    [{ methods, tournamentIds: ['x'.repeat(201)] }, 'ERR_INVALID_INPUT'],
    [{ methods, ackId: { nested: true } }, 'ERR_INVALID_INPUT'],
    [{ methods: [{ method: 'a', params: JSON.parse('{"constructor":{"prototype":{}}}') }] }, 'ERR_INVALID_INPUT'],
  ])('refuses %j with %s', (input, code) => {
    expect(parseBatch(input, limits).error?.code).toBe(code);
  });
});

describe('emitToInstances', () => {
  it('hands a failing adapter call (Redis gone mid-call) to onError instead of an unhandled rejection', async () => {
    const errors: string[] = [];
    const failing = (how: 'reject' | 'throw') =>
      ({
        adapter: {
          serverSideEmit: () => {
            if (how === 'throw') throw new Error('thrown');
            return Promise.reject(new Error("Stream isn't writeable"));
          },
        },
      }) as unknown as Namespace;
    emitToInstances(failing('reject'), ['event', 1], (error) => errors.push(error.message));
    emitToInstances(failing('throw'), ['event', 1], (error) => errors.push(error.message));
    await new Promise((resolve) => setImmediate(resolve));
    expect(errors.sort()).toEqual(["Stream isn't writeable", 'thrown']);
  });
});
