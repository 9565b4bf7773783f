import { connect as netConnect } from 'node:net';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app';
import { loadConfig } from '../../src/config/config';
import { BatchGate } from '../../src/lifecycle/batch-gate';
import { shutdown } from '../../src/lifecycle/shutdown';
import { Storage, type TournamentWrite } from '../../src/storage/storage.types';
import { BACKENDS } from '../support/app';
import { addParticipantDirective, participantNames } from '../support/records';
import { connect, record, sync, waitFor, type Socket } from '../support/sockets';
import { login, seedStore, type SeededStore } from './helpers';

interface Running {
  app: NestExpressApplication;
  url: string;
  port: number;
  token: string;
  tournamentId: string;
}

/** Any answer at all to a TCP connection attempt: true when the port accepted it. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = netConnect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function batch(tournamentId: string, ackId: string, name: string) {
  return {
    type: 'executionQueue',
    payload: { ackId, tournamentIds: [tournamentId], methods: [addParticipantDirective(tournamentId, name)] },
  };
}

describe.each(BACKENDS)('graceful shutdown in-process (%s)', (backend) => {
  let seeded: SeededStore | undefined;
  let running: Running | undefined;
  let stopped = false;
  const sockets: Socket[] = [];

  async function start(): Promise<Running> {
    seeded = await seedStore(backend, 1);
    const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', ...seeded.env });
    const app = await createApp(config);
    await app.listen(0, '127.0.0.1');
    const port = (app.getHttpServer().address() as { port: number }).port;
    const url = `http://127.0.0.1:${port}`;
    stopped = false;
    running = { app, url, port, token: await login(url, seeded), tournamentId: seeded.tournamentIds[0]! };
    return running;
  }

  /** A desk on the default transports (polling, then websocket), or on long-polling only. */
  async function desk(r: Running, transports?: string[]): Promise<Socket> {
    const socket = await connect({ url: r.url } as never, '/tmx', {
      token: r.token,
      ...(transports && { transports }),
    });
    sockets.push(socket);
    return socket;
  }

  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.disconnect();
    if (running && !stopped) await running.app.close();
    running = undefined;
    await seeded?.cleanup();
    seeded = undefined;
  });

  it('refuses batches once closing: ERR_SHUTTING_DOWN in the socket ack, HTTP 503 on REST, nothing stored', async () => {
    const r = await start();
    const socket = await desk(r);
    await r.app.get(BatchGate).close();

    const ack = waitFor(socket, 'ack');
    socket.emit('executionQueue', batch(r.tournamentId, 'late-1', 'Late Socket'));
    expect(await ack).toMatchObject({
      ackId: 'late-1',
      error: { code: 'ERR_SHUTTING_DOWN' },
      tournamentIds: [r.tournamentId],
    });

    const response = await fetch(`${r.url}/factory`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${r.token}` },
      body: JSON.stringify({
        tournamentIds: [r.tournamentId],
        methods: [addParticipantDirective(r.tournamentId, 'Late REST')],
      }),
    });
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ error: { code: 'ERR_SHUTTING_DOWN' } });

    expect(await r.app.get(Storage).tournaments.getVersion(r.tournamentId)).toBe(1);
  });

  it('waits for the batch being stored, acks it, refuses the one queued behind it, then closes socket, port and store', async () => {
    const r = await start();
    const socket = await desk(r);
    const events: string[] = [];
    socket.on('ack', (a: { ackId: string; success?: true; error?: { code: string } }) =>
      events.push(`ack ${a.ackId} ${a.success ? 'ok' : a.error?.code}`),
    );
    const disconnected = new Promise<string>((resolve) => socket.on('disconnect', resolve));

    // Hold the first commit until told: the batch is admitted and in the middle of being stored.
    const tournaments = r.app.get(Storage).tournaments;
    const commit = tournaments.commit.bind(tournaments);
    let inCommit!: () => void;
    const entered = new Promise<void>((resolve) => (inCommit = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    tournaments.commit = async (writes: TournamentWrite[]) => {
      inCommit();
      await released;
      return commit(writes);
    };

    socket.emit('executionQueue', batch(r.tournamentId, 'first', 'First Batch'));
    socket.emit('executionQueue', batch(r.tournamentId, 'second', 'Second Batch'));
    await entered;

    let done = false;
    const stopping = shutdown(r.app, 10_000).then(() => (done = true));
    stopped = true;
    await new Promise((resolve) => setTimeout(resolve, 100));
    // Still storing: not done, nothing acknowledged, and the port still answers (long-polling desks).
    expect(done).toBe(false);
    expect(events).toEqual([]);
    expect(await accepts(r.port)).toBe(true);

    release();
    await stopping;
    expect(await disconnected).toBe('transport close');
    // The admitted batch was acknowledged (after its commit), the queued one refused, in that order.
    expect(events).toEqual(['ack first ok', 'ack second ERR_SHUTTING_DOWN']);
    expect(await accepts(r.port)).toBe(false);

    // The store was closed (a LevelDB folder can be opened again only then) and holds the first batch only.
    const storage = await seeded!.open();
    try {
      const stored = await storage.tournaments.get(r.tournamentId);
      expect(stored?.version).toBe(2);
      const names = participantNames(stored!.record);
      expect(names.filter((n) => n === 'First Batch')).toHaveLength(1);
      expect(names).not.toContain('Second Batch');
      expect((await storage.log.findByAckId(r.tournamentId, 'first'))?.version).toBe(2);
    } finally {
      await storage.close();
    }
  });

  it('answers a request still arriving during the close, without its keep-alive connection holding the close', async () => {
    const r = await start();
    const client = netConnect(r.port, '127.0.0.1');
    // The server's close ends the connection; its answer is read by then (not necessarily when the close resolves).
    const closed = new Promise((resolve) => client.once('close', resolve));
    await new Promise((resolve) => client.once('connect', resolve));
    let response = '';
    client.on('data', (chunk: Buffer) => (response += chunk.toString()));
    const body = JSON.stringify({ email: 'nobody@example.com', password: 'not-the-password' });
    const head = `POST /auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`;
    // Half the body now: the request is in progress when the shutdown starts.
    client.write(head + body.slice(0, 10));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = Date.now();
    const stopping = shutdown(r.app, 10_000);
    stopped = true;
    await new Promise((resolve) => setTimeout(resolve, 200));
    client.write(body.slice(10));
    await stopping;
    await closed;
    expect(response).toMatch(/^HTTP\/1\.1 401 /);
    // Well under Node's 5 s keep-alive timeout, which would otherwise hold the HTTP server open.
    expect(Date.now() - started).toBeLessThan(4_000);
  });

  it.each([
    ['websocket', undefined],
    ['long-polling', ['polling']],
  ])('acks written just before the close reach a desk on %s, and broadcasts the others', async (_, transports) => {
    const r = await start();
    const [sender, watcher] = [await desk(r, transports), await desk(r)];
    for (const socket of [sender, watcher]) {
      const joined = waitFor(socket, 'tournamentJoined');
      socket.emit('joinTournament', { tournamentId: r.tournamentId });
      await joined;
    }
    const acks = record(sender, 'ack');
    const broadcasts = record(watcher, 'tournamentMutation');
    const COUNT = 30;
    for (let i = 0; i < COUNT; i++) sender.emit('executionQueue', batch(r.tournamentId, `b${i}`, `Burst ${i}`));
    // A round trip: the server has received every batch (they queue behind each other) before it stops.
    await sync(sender);
    await shutdown(r.app, 10_000);
    stopped = true;

    const ok = acks.filter((a: { success?: true }) => a.success);
    const refused = acks.filter((a: { error?: { code: string } }) => a.error?.code === 'ERR_SHUTTING_DOWN');
    // Every batch the server had received got an answer before the connection closed.
    expect(ok.length + refused.length).toBe(COUNT);
    expect(refused.length).toBeGreaterThan(0);
    // The other desk heard of every acknowledged batch, nothing else.
    expect(broadcasts.map((b: { versions: Record<string, number> }) => b.versions[r.tournamentId])).toEqual(
      ok.map((a: { versions: Record<string, number> }) => a.versions[r.tournamentId]),
    );
    const storage = await seeded!.open();
    try {
      expect(await storage.tournaments.getVersion(r.tournamentId)).toBe(1 + ok.length);
    } finally {
      await storage.close();
    }
  });
});
