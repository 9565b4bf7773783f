import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MutationExecutor } from '../../src/tournaments/executor.service';
import { startCapturedApp, type CapturedApp } from '../observability/captured-app';
import { seedAccount, type TestAccount } from '../support/accounts';
import { mockTournament, testProvider, testUser } from '../support/records';
import { closeSockets, desk, join, waitFor } from '../support/sockets';
import { chatAccepted, chatRejected } from './helpers';

describe('chat message text in the logs', () => {
  let t: CapturedApp;
  let deskUser: TestAccount;
  let superUser: TestAccount;
  const provider = testProvider();

  beforeAll(async () => {
    t = await startCapturedApp('leveldb', { NODE_ENV: 'test', LOG_LEVEL: 'debug' });
    deskUser = await seedAccount(t, { provider });
    superUser = await seedAccount(t, { roles: ['superadmin'] });
  });
  afterAll(async () => {
    closeSockets();
    await t?.close();
  });

  it('never appears, at debug level, whether the message is accepted, refused or an admin reply', async () => {
    const tournament = mockTournament(provider);
    await t.app.get(MutationExecutor).save({ records: [structuredClone(tournament)], user: testUser(provider) });
    const id = tournament.tournamentId;
    const a = await desk(t, deskUser.token);
    await join(a, id);
    const secret = 'the-secret-chat-text-7f3a';
    await chatAccepted(a, deskUser, id, `accepted ${secret}`);
    await chatRejected(a, {
      tournamentId: id,
      userName: deskUser.user.email,
      message: `${secret} ${'x'.repeat(2000)}`,
    });
    const outsider = await desk(t, deskUser.token);
    await chatRejected(outsider, { tournamentId: id, userName: deskUser.user.email, message: `not joined ${secret}` });
    const monitor = await desk(t, superUser.token);
    const fed = waitFor(monitor, 'adminChatFeed');
    monitor.emit('joinChatMonitor', {});
    monitor.emit('adminChatReply', { tournamentId: id, message: `reply ${secret}` });
    await fed;

    expect(t.lines.some((line) => line.includes('chatMessage refused'))).toBe(true); // debug lines were written
    expect(t.lines.filter((line) => line.includes(secret))).toEqual([]);
  });
});
