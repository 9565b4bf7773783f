import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BATCH_OVERHEAD_BYTES, DeskQueue, jsonSizeEstimate } from '../../src/gateway/desk-queue';
import type { Directive } from '../../src/storage/storage.types';
import { TournamentEvents } from '../../src/tournaments/tournament-events';
import { seedAccount, type TestAccount } from '../support/accounts';
import { BACKENDS, startTestApp, type TestApp } from '../support/app';
import { addParticipantDirective, mockTournament, testProvider } from '../support/records';
import { closeSockets, desk, join, record, sync, waitForCount, type Ack } from '../support/sockets';
import { batches, flush, saveTournament } from './flush';

interface Broadcast {
  methods: Directive[];
  versions: Record<string, number>;
}

const KiB = 1024;
const MiB = 1024 * KiB;

function range(from: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => from + i);
}

describe('DeskQueue', () => {
  const quiet = () => {};

  it('estimates the JSON size of directives without serialising them', () => {
    const methods = [
      addParticipantDirective('t-1', 'Anna Östlund'),
      {
        method: 'setMatchUpStatus',
        params: { drawId: 'd', matchUpId: 'm', outcome: { score: [6, 4], winningSide: 1 } },
      },
      {
        method: 'addDrawDefinition',
        params: { drawDefinition: mockTournament().events, flag: true, none: null, e: [] },
      },
    ];
    const actual = Buffer.byteLength(JSON.stringify(methods));
    const estimate = jsonSizeEstimate(methods);
    expect(Math.abs(estimate - actual) / actual).toBeLessThan(0.05);
    expect(jsonSizeEstimate('x'.repeat(MiB))).toBe(MiB + 2);
  });

  it('runs in order, refuses past the byte bound, and refuses everything after until the first refused is resent', async () => {
    const each = 100 + BATCH_OVERHEAD_BYTES;
    const queue = new DeskQueue(3 * each, quiet);
    const ran: string[] = [];
    const gates = new Map<string, () => void>();
    const job = (ackId: string) => () =>
      new Promise<void>((resolve) => gates.set(ackId, () => (ran.push(ackId), resolve())));
    const offer = (ackId: string) => queue.offer({ ackId, methods: 'x'.repeat(98) }, job(ackId));

    expect([offer('a'), offer('b'), offer('c')]).toEqual([undefined, undefined, undefined]);
    expect(queue.bytes).toBe(3 * each);
    expect(offer('d')).toMatchObject({ code: 'ERR_QUEUE_FULL' });
    // Room again, but 'e' would overtake the refused 'd': refused too.
    await new Promise((resolve) => setImmediate(resolve));
    gates.get('a')!();
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(queue.size).toBe(2);
    expect(offer('e')).toMatchObject({ code: 'ERR_QUEUE_FULL', message: expect.stringContaining('from ackId d') });
    expect(offer('d')).toBeUndefined(); // the resend of the first refused one fits: the refusals end
    expect(offer('e')).toMatchObject({ code: 'ERR_QUEUE_FULL', message: expect.stringContaining('from ackId e') });
    // 'b' waited behind 'a' (a backlog batch): it starts after the quiet spell that follows a live one.
    while (!gates.has('b')) await new Promise((resolve) => setTimeout(resolve, 1));
    gates.get('b')!();
    while (queue.size > 2) await new Promise((resolve) => setImmediate(resolve));
    expect(offer('e')).toBeUndefined();
    for (const id of ['c', 'd', 'e']) {
      while (!gates.has(id)) await new Promise((resolve) => setImmediate(resolve));
      gates.get(id)!();
    }
    while (queue.size) await new Promise((resolve) => setImmediate(resolve));
    expect(ran).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(queue.bytes).toBe(0);
  });

  it('starts the next batch when the one before lets it (its commit on its way), and settles once both end', async () => {
    const queue = new DeskQueue(1 << 20, quiet);
    const started: string[] = [];
    const ends = new Map<string, () => void>();
    let advanceFirst!: () => void;
    const job = (ackId: string) => (advance: () => void) => {
      started.push(ackId);
      if (ackId === 'a') advanceFirst = advance;
      return new Promise<void>((resolve) => ends.set(ackId, resolve));
    };
    queue.offer({ ackId: 'a', methods: [] }, job('a'));
    queue.offer({ ackId: 'b', methods: [] }, job('b'));
    let settled = false;
    void queue.settled.then(() => (settled = true));
    while (!started.includes('a')) await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setTimeout(resolve, 150)); // past the backlog's longest wait
    expect(started).toEqual(['a']);
    // 'a' lets go of its lock: 'b' starts although 'a' has not ended.
    advanceFirst();
    while (!started.includes('b')) await new Promise((resolve) => setTimeout(resolve, 1));
    expect(queue.size).toBe(2);
    ends.get('b')!();
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(settled).toBe(false);
    ends.get('a')!();
    while (!settled) await new Promise((resolve) => setImmediate(resolve));
    expect(queue.size).toBe(0);
  });

  it('takes a batch larger than the whole bound when nothing else waits', async () => {
    const queue = new DeskQueue(10, quiet);
    let ran = 0;
    expect(queue.offer({ ackId: 'big', methods: 'x'.repeat(5000) }, async () => void ran++)).toBeUndefined();
    expect(queue.offer({ ackId: 'next', methods: [] }, async () => void ran++)).toMatchObject({
      code: 'ERR_QUEUE_FULL',
    });
    while (queue.size) await new Promise((resolve) => setImmediate(resolve));
    expect(queue.offer({ ackId: 'next', methods: [] }, async () => void ran++)).toBeUndefined();
    while (queue.size) await new Promise((resolve) => setImmediate(resolve));
    expect(ran).toBe(2);
  });
});

describe.each(BACKENDS)('/tmx a desk flushing its offline queue on %s', (backend) => {
  let t: TestApp;
  const provider = testProvider();
  let account: TestAccount;

  beforeAll(async () => {
    t = await startTestApp(backend);
    account = await seedAccount(t, { provider });
  });
  afterAll(async () => {
    closeSockets();
    await t?.close();
  });

  it('500 batches emitted at once: all acked in emit order, stored once, broadcast in ack order', async () => {
    const COUNT = 500;
    const id = await saveTournament(t, provider);
    const sender = await desk(t, account.token);
    const watcher = await desk(t, account.token, 'header');
    await join(watcher, id);
    let continued = 0;
    const stop = t.app.get(TournamentEvents).onBatch((report) => void (continued += report.continued ? 1 : 0));
    const acks = record<Ack>(sender, 'ack');
    const seen = record<Broadcast>(watcher, 'tournamentMutation');
    const sent = batches(id, COUNT, 'Queued');

    flush(sender, id, sent); // more than SOCKET_EVENTS_PER_10S (300) and than the old 32-batch cap
    await waitForCount(sender, 'ack', acks, COUNT, 120_000);
    await waitForCount(watcher, 'tournamentMutation', seen, COUNT, 30_000);

    expect(acks.filter((a) => !a.success)).toEqual([]);
    expect(acks.map((a) => a.ackId)).toEqual(sent.map((b) => b.ackId));
    expect(acks.map((a) => a.versions?.[id])).toEqual(range(2, COUNT));
    // The other desk replays them in the same order, each once.
    expect(seen.map((b) => b.versions[id])).toEqual(range(2, COUNT));
    expect(seen.map((b) => b.methods)).toEqual(sent.map((b) => b.methods));

    const log = await t.storage.log.since(id, 1);
    expect(log.map((e) => e.version)).toEqual(range(2, COUNT));
    expect(log.map((e) => e.ackId)).toEqual(sent.map((b) => b.ackId));
    expect(await t.storage.tournaments.getVersion(id)).toBe(COUNT + 1);
    // Most ran on the record the batch before left while its commit was on its way (Pipelining).
    stop();
    expect(continued).toBeGreaterThan(COUNT / 2);
    // The flush took nothing from the desk's event allowance.
    await sync(sender);
  });

  it("keeps a desk's order across tournaments: a queued batch on another tournament commits after the one before", async () => {
    const [a, b] = [await saveTournament(t, provider), await saveTournament(t, provider)];
    const sender = await desk(t, account.token);
    const acks = record<Ack>(sender, 'ack');
    const landed: string[] = [];
    const { tournaments } = t.storage;
    const commit = tournaments.commit;
    tournaments.commit = async (writes) => {
      // The commits on A take long: the batch on B is ready well before the one before it has landed.
      if (writes[0].tournamentId === a) await new Promise((resolve) => setTimeout(resolve, 200));
      await commit.call(tournaments, writes);
      landed.push(String(writes[0].log.ackId));
    };
    try {
      const sent = [...batches(a, 2, 'On A'), ...batches(b, 1, 'On B')];
      for (const batch of sent) {
        const id = batch.ackId.startsWith('On A') ? a : b;
        sender.emit('executionQueue', { type: 'executionQueue', payload: { ...batch, tournamentIds: [id] } });
      }
      await waitForCount(sender, 'ack', acks, 3, 30_000);
      expect(acks.map((ack) => ack.ackId)).toEqual(sent.map((batch) => batch.ackId));
      expect(landed).toEqual(sent.map((batch) => batch.ackId));
    } finally {
      tournaments.commit = commit;
    }
  });
});

describe.each(BACKENDS)('/tmx desk queue past SOCKET_QUEUE_MAX_BYTES on %s', (backend) => {
  let t: TestApp;
  const provider = testProvider();
  let account: TestAccount;

  beforeAll(async () => {
    t = await startTestApp(backend, { SOCKET_QUEUE_MAX_BYTES: String(64 * KiB) });
    account = await seedAccount(t, { provider });
  });
  afterAll(async () => {
    closeSockets();
    await t?.close();
  });

  it('refuses what does not fit with ERR_QUEUE_FULL, stores none of it, and takes it when resent after the acks', async () => {
    const COUNT = 40;
    const id = await saveTournament(t, provider);
    const sender = await desk(t, account.token);
    const acks = record<Ack>(sender, 'ack');
    const exceptions = record<{ code: string; event?: string }>(sender, 'exception');
    // About 5 KiB each: a dozen fit in 64 KiB.
    const sent = batches(id, COUNT, 'Full', 4 * KiB);

    flush(sender, id, sent);
    await waitForCount(sender, 'ack', acks, COUNT, 60_000);
    await sync(sender);

    const accepted = acks.filter((a) => a.success);
    const refused = acks.filter((a) => !a.success);
    expect(refused.length).toBeGreaterThan(0);
    expect(accepted.length).toBeGreaterThan(0);
    for (const a of refused) expect(a.error).toEqual({ code: 'ERR_QUEUE_FULL', message: expect.any(String) });
    expect(exceptions).toHaveLength(refused.length);
    expect(exceptions.every((e) => e.code === 'ERR_QUEUE_FULL' && e.event === 'executionQueue')).toBe(true);
    // What ran is a prefix of what was sent, in order; the rest is refused, so a resend keeps the order.
    const k = accepted.length;
    expect(accepted.map((a) => a.ackId)).toEqual(sent.slice(0, k).map((b) => b.ackId));
    expect(accepted.map((a) => a.versions?.[id])).toEqual(range(2, k));
    expect(refused.map((a) => a.ackId).sort()).toEqual(
      sent
        .slice(k)
        .map((b) => b.ackId)
        .sort(),
    );
    // Nothing of the refused ones was stored.
    const before = await t.storage.log.since(id, 1);
    expect(before.map((e) => e.ackId)).toEqual(sent.slice(0, k).map((b) => b.ackId));
    expect(await t.storage.tournaments.getVersion(id)).toBe(k + 1);

    // The desk resends the rest with the same ackIds, each time after the acks of what it sent.
    let rest = sent.slice(k);
    for (let attempt = 0; rest.length && attempt < 20; attempt++) {
      const answers = record<Ack>(sender, 'ack');
      flush(sender, id, rest);
      await waitForCount(sender, 'ack', answers, rest.length, 60_000);
      sender.removeAllListeners('ack');
      const ok = new Set(answers.filter((a) => a.success).map((a) => a.ackId));
      expect(ok.size).toBeGreaterThan(0);
      expect(answers.filter((a) => !a.success).every((a) => a.error?.code === 'ERR_QUEUE_FULL')).toBe(true);
      rest = rest.filter((b) => !ok.has(b.ackId));
    }
    expect(rest).toEqual([]);

    const log = await t.storage.log.since(id, 1);
    expect(log.map((e) => e.ackId)).toEqual(sent.map((b) => b.ackId));
    expect(log.map((e) => e.version)).toEqual(range(2, COUNT));
  });
});
