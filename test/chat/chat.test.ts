import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatService } from '../../src/chat/chat.service';
import { MutationExecutor } from '../../src/tournaments/executor.service';
import { seedAccount, type TestAccount } from '../support/accounts';
import { BACKENDS, startTestApp, type TestApp } from '../support/app';
import { mockTournament, testProvider, testUser, type TestProvider } from '../support/records';
import { closeSockets, desk, join, record, sync, waitFor, type Socket } from '../support/sockets';
import { chatAccepted, chatRejected, joinWithHistory, tmxChat, type ChatHistory, type ChatWire } from './helpers';

const HOUR = 3_600_000;

describe.each(BACKENDS)('chat on /tmx with %s', (backend) => {
  let t: TestApp;
  const provider = testProvider();
  const other = testProvider();
  let deskUser: TestAccount;
  let otherUser: TestAccount;
  let superUser: TestAccount;

  beforeAll(async () => {
    t = await startTestApp(backend);
    deskUser = await seedAccount(t, { provider });
    otherUser = await seedAccount(t, { provider: other });
    superUser = await seedAccount(t, { roles: ['superadmin'] });
  });
  afterAll(async () => {
    closeSockets();
    await t?.close();
  });

  async function saved(owner: TestProvider = provider, tournamentId?: string): Promise<string> {
    const tournament = mockTournament(owner);
    if (tournamentId) tournament.tournamentId = tournamentId;
    const result = await t.app
      .get(MutationExecutor)
      .save({ records: [structuredClone(tournament)], user: testUser(owner) });
    expect(result).toMatchObject({ success: true });
    return tournament.tournamentId;
  }

  const stored = (tournamentId: string) =>
    t.storage.chat.list({ tournamentId, since: 0, limit: 10_000, take: 'oldest' });

  it('accepts a message: chatAccepted to the sender, chatMessage once to the other desks of the provider and to superadmins, nothing to another provider', async () => {
    const id = await saved();
    const otherId = await saved(other);
    const a = await desk(t, deskUser.token, 'auth');
    const b = await desk(t, deskUser.token, 'header');
    const admin = await desk(t, superUser.token);
    const stranger = await desk(t, otherUser.token);
    await join(a, id);
    await join(b, id);
    await join(admin, id);
    await join(stranger, otherId);
    const refused = waitFor(stranger, 'exception');
    stranger.emit('joinTournament', { tournamentId: id });
    expect(await refused).toMatchObject({ code: 'ERR_FORBIDDEN', event: 'joinTournament' });
    const seen = {
      a: record<ChatWire>(a, 'chatMessage'),
      b: record<ChatWire>(b, 'chatMessage'),
      admin: record<ChatWire>(admin, 'chatMessage'),
      stranger: record<ChatWire>(stranger, 'chatMessage'),
    };

    const accepted = waitFor(a, 'chatAccepted');
    const { clientMsgId } = tmxChat(a, deskUser, id, 'Court 3 is free', provider);
    const ack = await accepted;
    // TMX's receiveAccepted reads clientMsgId, seq and timestamp.
    expect(ack).toEqual({
      tournamentId: id,
      clientMsgId,
      seq: expect.any(Number),
      timestamp: expect.any(Number),
      stored: expect.objectContaining({ seq: ack.seq, message: 'Court 3 is free' }),
    });
    expect(Math.abs(ack.timestamp - Date.now())).toBeLessThan(10_000);

    await Promise.all([sync(a), sync(b), sync(admin), sync(stranger)]);
    const expected: ChatWire = {
      seq: ack.seq,
      tournamentId: id,
      userName: deskUser.user.email,
      message: 'Court 3 is free',
      timestamp: ack.timestamp,
      isAdmin: false,
      clientMsgId,
    };
    expect(seen.b).toEqual([expected]);
    expect(seen.admin).toEqual([expected]);
    expect(seen.a).toEqual([]);
    expect(seen.stranger).toEqual([]);
    expect(await stored(id)).toEqual([
      expect.objectContaining({ seq: ack.seq, providerId: provider.organisationId, message: 'Court 3 is free' }),
    ]);
  });

  it('takes the sender from the token, not from the userName it sends', async () => {
    const id = await saved();
    const a = await desk(t, deskUser.token);
    const b = await desk(t, deskUser.token);
    await join(a, id);
    await join(b, id);
    const got = waitFor<ChatWire>(b, 'chatMessage');
    a.emit('chatMessage', { tournamentId: id, userName: 'someone-else@example.com', message: 'hi', clientMsgId: 'c1' });
    expect(await got).toMatchObject({ userName: deskUser.user.email, message: 'hi' });
  });

  describe('refusals: chatRejected with the clientMsgId and a reason, and nothing stored', () => {
    it('without a token (and an exception, as for every desk event)', async () => {
      const id = await saved();
      const anonymous = await desk(t);
      const exception = waitFor(anonymous, 'exception');
      const clientMsgId = randomUUID();
      expect(await chatRejected(anonymous, { tournamentId: id, userName: 'x', message: 'hello', clientMsgId })).toEqual(
        {
          clientMsgId,
          tournamentId: id,
          code: 'ERR_UNAUTHORIZED',
          error: 'sign in required: no token',
        },
      );
      expect(await exception).toMatchObject({ code: 'ERR_UNAUTHORIZED', event: 'chatMessage' });
      expect(await stored(id)).toEqual([]);
    });

    it('before the desk joined the tournament', async () => {
      const id = await saved();
      const a = await desk(t, deskUser.token);
      const answer = await chatRejected(a, { tournamentId: id, userName: deskUser.user.email, message: 'hello' });
      expect(answer).toMatchObject({ tournamentId: id, code: 'ERR_FORBIDDEN' });
      expect(answer.error).toBe(`join tournament ${id} before chatting in it`);
      expect(await stored(id)).toEqual([]);
    });

    it('for a tournament of another provider, even one joined before it was saved there, and one the server does not hold', async () => {
      const id = randomUUID();
      const stranger = await desk(t, otherUser.token);
      await join(stranger, id); // unknown to the server: a desk may join it (TMX opens local tournaments)
      const unknown = await chatRejected(stranger, { tournamentId: id, userName: 'x', message: 'hello' });
      expect(unknown).toMatchObject({ tournamentId: id, code: 'ERR_NOT_FOUND' });
      expect(unknown.error).toContain('does not hold');

      await saved(provider, id); // now it belongs to `provider`
      const a = await desk(t, deskUser.token);
      await join(a, id);
      const seen = record(a, 'chatMessage');
      const answer = await chatRejected(stranger, { tournamentId: id, userName: 'x', message: 'hello' });
      expect(answer).toMatchObject({ tournamentId: id, code: 'ERR_FORBIDDEN' });
      expect(answer.error).toBe(`not allowed to chat in tournament ${id}`);
      await sync(a);
      expect(seen).toEqual([]);
      expect(await stored(id)).toEqual([]);
    });

    it('for bad input: too long, empty, wrong types, a long userName or clientMsgId', async () => {
      const id = await saved();
      const cases: Array<[Record<string, unknown>, string]> = [
        [{ message: 'x'.repeat(2001) }, 'message is longer than 2000 characters'],
        [{ message: '   ' }, 'message is empty'],
        [{ message: 42 }, 'message must be text'],
        [{ message: 'a\u0000b' }, 'message must not contain the NUL character'],
        [{ message: 'ok', userName: 'u'.repeat(201) }, 'userName is longer than 200 characters'],
        [{ message: 'ok', tournamentId: 7 }, 'tournamentId must be an id'],
        [{ message: 'ok', clientMsgId: 'c'.repeat(101) }, 'clientMsgId must be text of at most 100 characters'],
      ];
      for (const [change, reason] of cases) {
        const a = await desk(t, deskUser.token); // a fresh socket each: the rate limit stays out of it
        await join(a, id);
        const answer = await chatRejected(a, { tournamentId: id, userName: deskUser.user.email, ...change });
        expect(answer).toMatchObject({ code: 'ERR_INVALID_INPUT', error: reason });
        a.disconnect();
      }
      // Exactly 2000 characters is accepted (and trimmed text is what is stored).
      const a = await desk(t, deskUser.token);
      await join(a, id);
      const long = `  ${'y'.repeat(2000)}  `;
      const ack = await chatAccepted(a, deskUser, id, long);
      expect(ack.stored.message).toBe('y'.repeat(2000));
      expect((await stored(id)).map((m) => m.seq)).toEqual([ack.seq]);
    });

    it('past 10 messages in 10 seconds from one socket', async () => {
      const id = await saved();
      const a = await desk(t, deskUser.token);
      await join(a, id);
      for (let i = 0; i < 10; i++) await chatAccepted(a, deskUser, id, `message ${i}`);
      const answer = await chatRejected(a, { tournamentId: id, userName: deskUser.user.email, message: 'one more' });
      expect(answer).toMatchObject({
        code: 'ERR_RATE_LIMITED',
        error: 'too many chat messages: at most 10 in 10 seconds',
      });
      expect(await stored(id)).toHaveLength(10);
      // Another desk of the same user has its own allowance.
      const b = await desk(t, deskUser.token);
      await join(b, id);
      await chatAccepted(b, deskUser, id, 'from b');
    });
  });

  it('sends the last 24 hours of the current owner on join, in seq order, and prunes older messages', async () => {
    const id = await saved();
    const now = Date.now();
    const base = { tournamentId: id, userName: 'old@example.com', isAdmin: false };
    const old = await t.storage.chat.append({
      ...base,
      providerId: provider.organisationId,
      message: 'yesterday',
      timestamp: now - 25 * HOUR,
    });
    // Sent while another provider owned the tournament: never shown to this one.
    await t.storage.chat.append({
      ...base,
      providerId: other.organisationId,
      message: 'former owner',
      timestamp: now - HOUR,
    });
    const a = await desk(t, deskUser.token);
    await join(a, id);
    const first = await chatAccepted(a, deskUser, id, 'first');
    const second = await chatAccepted(a, deskUser, id, 'second');

    const b = await desk(t, deskUser.token);
    const history = await joinWithHistory(b, id);
    expect(history).toEqual({
      tournamentId: id,
      messages: [
        { ...first.stored, clientMsgId: first.clientMsgId },
        { ...second.stored, clientMsgId: second.clientMsgId },
      ],
    });
    expect(history.messages[0]).toEqual({
      seq: first.seq,
      tournamentId: id,
      userName: deskUser.user.email,
      message: 'first',
      timestamp: first.timestamp,
      isAdmin: false,
      clientMsgId: first.clientMsgId,
    });
    expect(history.messages.map((m) => m.seq)).toEqual([first.seq, second.seq].sort((x, y) => x - y));

    // A tournament without chat still answers, so TMX's panel leaves its loading state.
    const quiet = await saved();
    expect(await joinWithHistory(b, quiet)).toEqual({ tournamentId: quiet, messages: [] });

    expect(await t.app.get(ChatService).prune()).toBeGreaterThanOrEqual(1);
    expect((await stored(id)).map((m) => m.seq)).not.toContain(old.seq);
  });

  it('fills a gap with chatSince { tournamentId, afterSeq }: chatHistory with gap: true', async () => {
    const id = await saved();
    const a = await desk(t, deskUser.token);
    await join(a, id);
    const sent = [];
    for (const text of ['one', 'two', 'three']) sent.push(await chatAccepted(a, deskUser, id, text));

    const b = await desk(t, deskUser.token);
    await joinWithHistory(b, id);
    const gap = waitFor<ChatHistory>(b, 'chatHistory', (p) => p.gap === true);
    b.emit('chatSince', { tournamentId: id, afterSeq: sent[0]!.seq });
    expect(await gap).toEqual({
      tournamentId: id,
      gap: true,
      messages: sent.slice(1).map((s) => ({ ...s.stored, clientMsgId: s.clientMsgId })),
    });

    const bad = waitFor(b, 'exception');
    b.emit('chatSince', { tournamentId: id, afterSeq: -1 });
    expect(await bad).toMatchObject({ code: 'ERR_INVALID_INPUT', event: 'chatSince' });

    const outsider = await desk(t, deskUser.token);
    const refused = waitFor(outsider, 'exception');
    outsider.emit('chatSince', { tournamentId: id, afterSeq: 0 });
    expect(await refused).toMatchObject({ code: 'ERR_FORBIDDEN', event: 'chatSince', tournamentId: id });
  });

  it('sends roomPresence { tournamentId, count } to the room on joins, leaves and disconnects, only to its provider', async () => {
    const id = await saved();
    const otherId = await saved(other);
    const count = (socket: Socket, n: number) =>
      waitFor(
        socket,
        'roomPresence',
        (p: { tournamentId: string; count: number }) => p.tournamentId === id && p.count === n,
      );
    const stranger = await desk(t, otherUser.token);
    await join(stranger, otherId);
    const strangerSaw = record(stranger, 'roomPresence');

    const a = await desk(t, deskUser.token);
    const one = count(a, 1);
    await join(a, id);
    expect(await one).toEqual({ tournamentId: id, count: 1 });

    const b = await desk(t, deskUser.token);
    const twoA = count(a, 2);
    const twoB = count(b, 2);
    await join(b, id);
    await Promise.all([twoA, twoB]);

    const backToOne = count(a, 1);
    b.emit('leaveTournament', { tournamentId: id });
    await backToOne;

    const c = await desk(t, deskUser.token);
    const two = count(a, 2);
    await join(c, id);
    await two;
    const afterDisconnect = count(a, 1);
    c.disconnect();
    await afterDisconnect;

    await sync(stranger);
    expect(strangerSaw.filter((p: { tournamentId: string }) => p.tournamentId === id)).toEqual([]);
  });

  describe('superadmin monitor', () => {
    it('joinChatMonitor answers adminChatHistory of every tournament; adminChatFeed follows; adminChatReply reaches the room', async () => {
      const id = await saved();
      const otherId = await saved(other);
      const a = await desk(t, deskUser.token);
      const s = await desk(t, otherUser.token);
      await join(a, id);
      await join(s, otherId);
      const mine = await chatAccepted(a, deskUser, id, 'from provider');
      const theirs = await chatAccepted(s, otherUser, otherId, 'from other');

      const monitor = await desk(t, superUser.token);
      const history = waitFor(monitor, 'adminChatHistory');
      // TMX's monitor: socketEmit('joinChatMonitor', {}).
      monitor.emit('joinChatMonitor', {});
      const { messages, older } = await history;
      expect(older).toBe(false);
      expect(messages).toEqual(
        expect.arrayContaining([
          {
            ...mine.stored,
            clientMsgId: mine.clientMsgId,
            providerId: provider.organisationId,
            providerAbbr: provider.organisationAbbreviation,
            tournamentName: 'Test Open',
          },
          expect.objectContaining({ seq: theirs.seq, tournamentId: otherId, providerId: other.organisationId }),
        ]),
      );
      const seqs = messages.map((m: ChatWire) => m.seq);
      expect(seqs).toEqual([...seqs].sort((x, y) => x - y));

      const feed = waitFor(monitor, 'adminChatFeed', (p: ChatWire) => p.message === 'live');
      const live = await chatAccepted(a, deskUser, id, 'live');
      expect(await feed).toEqual({
        ...live.stored,
        clientMsgId: live.clientMsgId,
        providerId: provider.organisationId,
        providerAbbr: provider.organisationAbbreviation,
        tournamentName: 'Test Open',
      });

      // The reply as TMX's sendAdminReply sends it: the reply target plus the trimmed message.
      const atDesk = waitFor<ChatWire>(a, 'chatMessage', (p) => p.message === 'Admin here');
      const echoed = waitFor(monitor, 'adminChatFeed', (p: ChatWire) => p.message === 'Admin here');
      const strangerSaw = record(s, 'chatMessage');
      monitor.emit('adminChatReply', {
        tournamentId: id,
        providerId: provider.organisationId,
        providerAbbr: provider.organisationAbbreviation,
        tournamentName: 'Test Open',
        message: 'Admin here',
      });
      const reply = await atDesk;
      expect(reply).toEqual({
        seq: expect.any(Number),
        tournamentId: id,
        userName: superUser.user.email,
        message: 'Admin here',
        timestamp: expect.any(Number),
        isAdmin: true,
      });
      expect(await echoed).toMatchObject({ seq: reply.seq, isAdmin: true, tournamentId: id });
      await sync(s);
      expect(strangerSaw).toEqual([]);
      // It is part of the tournament's history from now on.
      const later = await desk(t, deskUser.token);
      expect((await joinWithHistory(later, id)).messages.map((m) => m.seq)).toContain(reply.seq);

      // leaveChatMonitor: no more feed.
      monitor.emit('leaveChatMonitor', {});
      await sync(monitor);
      const after = record(monitor, 'adminChatFeed');
      await chatAccepted(a, deskUser, id, 'after leaving');
      await sync(monitor);
      expect(after).toEqual([]);
    });

    it('refuses the monitor and replies to a non-superadmin, and stores nothing', async () => {
      const id = await saved();
      const a = await desk(t, deskUser.token);
      await join(a, id);
      const feed = record(a, 'adminChatFeed');
      const histories = record(a, 'adminChatHistory');
      const refused = waitFor(a, 'exception', (e: { event?: string }) => e.event === 'joinChatMonitor');
      a.emit('joinChatMonitor', {});
      expect(await refused).toMatchObject({ code: 'ERR_FORBIDDEN', event: 'joinChatMonitor' });
      const replyRefused = waitFor(a, 'exception', (e: { event?: string }) => e.event === 'adminChatReply');
      a.emit('adminChatReply', { tournamentId: id, message: 'pretending' });
      expect(await replyRefused).toMatchObject({ code: 'ERR_FORBIDDEN', event: 'adminChatReply' });
      const anonymous = await desk(t);
      const noToken = waitFor(anonymous, 'exception');
      anonymous.emit('joinChatMonitor', {});
      expect(await noToken).toMatchObject({ code: 'ERR_UNAUTHORIZED', event: 'joinChatMonitor' });

      await chatAccepted(a, deskUser, id, 'ordinary');
      await sync(a);
      expect(feed).toEqual([]);
      expect(histories).toEqual([]);
      expect((await stored(id)).map((m) => m.message)).toEqual(['ordinary']);
    });
  });
});
