import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/common/errors';
import { BACKENDS } from '../support/app';
import { startServer, type ServerProcess } from '../support/server-process';
import {
  allSent,
  busyDesk,
  checkStore,
  expectAtMostOneAck,
  login,
  refusedWith,
  seedStore,
  succeeded,
  untilAcked,
  type DeskRun,
  type SeededStore,
} from './helpers';

const SHUTDOWN_TIMEOUT_MS = 10_000;

describe.each(BACKENDS)('SIGTERM on a real server process (%s)', (backend) => {
  let seeded: SeededStore | undefined;
  let server: ServerProcess | undefined;
  let desks: DeskRun[] = [];

  afterEach(async () => {
    for (const desk of desks) desk.socket.disconnect();
    desks = [];
    await server?.stop('SIGKILL');
    server = undefined;
    await seeded?.cleanup();
    seeded = undefined;
  });

  it('during a burst of batches: exits 0 in time, every acknowledged batch is stored once, refused ones are not', async () => {
    seeded = await seedStore(backend);
    server = await startServer({ ...seeded.env, SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS) });
    const token = await login(server.url, seeded);
    const [first, second] = seeded.tournamentIds as [string, string];
    // Four desks on two tournaments; one stays on HTTP long-polling, as desks behind some proxies do.
    for (let d = 0; d < 4; d++) {
      const options = { tournamentId: d % 2 ? second : first, label: `d${d}` };
      desks.push(await busyDesk(server.url, token, d === 3 ? { ...options, transports: ['polling'] } : options));
    }
    await untilAcked(desks, 20);

    const signalled = Date.now();
    server.child.kill('SIGTERM');
    const exit = await server.exited;
    const took = Date.now() - signalled;
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(exit.stderr).toBe('');
    expect(took).toBeLessThan(SHUTDOWN_TIMEOUT_MS);
    await Promise.all(desks.map((desk) => desk.disconnected));

    // Mid-burst: batches were still coming, and those not admitted were refused, not dropped.
    expect(succeeded(desks).length).toBeGreaterThanOrEqual(20);
    expect(refusedWith(desks, ErrorCode.SHUTTING_DOWN).length).toBeGreaterThan(0);
    expectAtMostOneAck(desks);
    // Closed by the server after their acks went out (long-polling too), so they reconnect on their own.
    for (const desk of desks) expect(desk.disconnectReason).toBe('transport close');
    // Every answered batch was answered for real: success or a shutdown refusal, nothing else.
    for (const batch of allSent(desks)) {
      for (const ack of batch.acks)
        expect(String(ack.success ?? ack.error?.code)).toMatch(/^(true|ERR_SHUTTING_DOWN)$/);
    }

    await checkStore(seeded, desks, ErrorCode.SHUTTING_DOWN);
  }, 90_000);

  it('an idle server stops on SIGINT with exit 0', async () => {
    seeded = await seedStore(backend, 0);
    server = await startServer(seeded.env);
    server.child.kill('SIGINT');
    const exit = await server.exited;
    expect(exit).toMatchObject({ code: 0, signal: null, stderr: '' });
  }, 60_000);
});
