import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { eventually, TcpProxy } from '../cache/tcp-proxy';
import { reservedPort } from '../support/ports';
import { deleteRedisPrefix, testRedisPrefix, TEST_REDIS_URL } from '../support/redis';
import { addParticipantDirective } from '../support/records';
import { startServer, type ServerProcess } from '../support/server-process';
import { closeSockets, desk, join, sync, waitForCount } from '../support/sockets';
import { health, listen, seedSharedStore, send, type SharedStore } from './helpers';

const REDIS_DOWN = 'broadcasts no longer reach the other instances';
const REDIS_BACK = 'cross-instance broadcast resumed';

/**
 * PostgreSQL and Redis going away under running server processes. The shared servers are never
 * stopped: each outage is a TCP proxy between one server process and the real service, cut and
 * restored by the test.
 */
describe('faults under real server processes', () => {
  const servers: ServerProcess[] = [];
  const proxies: TcpProxy[] = [];
  const stores: SharedStore[] = [];
  const prefix = testRedisPrefix('faults');

  afterEach(async ({ task }) => {
    // A failure here says little without the server processes' own account of it.
    if (task.result?.state === 'fail') {
      for (const server of servers) {
        const { exitCode, signalCode } = server.child;
        const output = (server.output.stderr + server.output.stdout).slice(-20_000);
        console.error(`server ${server.url} (exit ${exitCode ?? signalCode ?? 'none'}):\n${output}`);
      }
    }
    closeSockets();
    await Promise.all(servers.splice(0).map((server) => server.stop()));
    await Promise.all(proxies.splice(0).map((proxy) => proxy.cut()));
    await Promise.all(stores.splice(0).map((store) => store.cleanup()));
  });
  afterAll(() => deleteRedisPrefix(prefix));

  async function seeded(): Promise<SharedStore> {
    const store = await seedSharedStore();
    stores.push(store);
    return store;
  }

  async function proxyTo(port: number): Promise<TcpProxy> {
    const proxy = new TcpProxy('127.0.0.1', port);
    await proxy.start();
    proxies.push(proxy);
    return proxy;
  }

  async function start(env: Record<string, string>): Promise<ServerProcess> {
    const server = await startServer({ LOG_LEVEL: 'warn', ...env });
    servers.push(server);
    return server;
  }

  const logged = (server: ServerProcess, text: string) =>
    (server.output.stdout + server.output.stderr).split(text).length - 1;

  it('PostgreSQL unreachable: batches fail with ERR_STORAGE_UNAVAILABLE, the server keeps running and recovers', async () => {
    const store = await seeded();
    const pg = await proxyTo(5432);
    const url = new URL(store.databaseUrl);
    url.port = String(pg.port);
    const server = await start({ ...store.env, DATABASE_URL: url.toString() });
    const id = store.tournamentId;
    const socket = await desk(server, store.token);
    await join(socket, id);
    expect(await send(socket, id, 'before', [addParticipantDirective(id, 'Before')])).toMatchObject({
      success: true,
      versions: { [id]: 2 },
    });

    await pg.cut();
    const during = [addParticipantDirective(id, 'During')];
    const refused = await send(socket, id, 'during', during);
    expect(refused).toMatchObject({ ackId: 'during', error: { code: 'ERR_STORAGE_UNAVAILABLE' } });
    expect(refused.error!.message).toMatch(/storage unavailable.*nothing was changed/i);
    const down = await health(server.url);
    expect(down).toMatchObject({ status: 503, body: { status: 'error', storage: { status: 'down' } } });
    expect((await fetch(`${server.url}/`)).status).toBe(200);
    expect(server.child.exitCode).toBeNull();

    await pg.start(); // same port
    await eventually(async () => (await health(server.url)).status === 200, 15_000);
    // The desk resends the refused batch with its ackId: it runs now, once.
    expect(await send(socket, id, 'during', during)).toMatchObject({ success: true, versions: { [id]: 3 } });
    const storage = await store.open();
    try {
      expect((await storage.log.since(id, 0)).map((entry) => entry.version)).toEqual([1, 2, 3]);
    } finally {
      await storage.close();
    }
  }, 90_000);

  it('Redis unreachable: mutations and same-instance broadcasts go on, /health says so, the other instance catches up after', async () => {
    const store = await seeded();
    const redis = await proxyTo(6379);
    const env = { ...store.env, REDIS_KEY_PREFIX: prefix };
    const [a, b] = await Promise.all([
      // Reaches Redis through the proxy; at info level, so the recovery line shows too.
      start({ ...env, REDIS_URL: redis.url, LOG_LEVEL: 'info' }),
      start({ ...env, REDIS_URL: TEST_REDIS_URL }),
    ]);
    const id = store.tournamentId;
    const writer = await desk(a, store.token);
    const neighbour = await desk(a, store.token);
    const remote = await desk(b, store.token);
    for (const socket of [writer, neighbour, remote]) await join(socket, id);
    const [near, far] = [listen(neighbour, id), listen(remote, id)];

    expect(await send(writer, id, 'r1', [addParticipantDirective(id, 'R1')])).toMatchObject({ success: true });
    await waitForCount(remote, 'tournamentMutation', far.broadcasts, 1);

    await redis.cut();
    await eventually(async () => (await health(a.url)).body.broadcast?.status === 'down');
    expect(await health(a.url)).toMatchObject({
      status: 200,
      body: { status: 'ok', cache: { status: 'down' }, broadcast: { provider: 'redis', status: 'down' } },
    });
    for (let i = 2; i <= 4; i++) {
      expect(await send(writer, id, `r${i}`, [addParticipantDirective(id, `R${i}`)])).toMatchObject({
        success: true,
        versions: { [id]: i + 1 },
      });
    }
    await waitForCount(neighbour, 'tournamentMutation', near.broadcasts, 4);
    expect(near.stream).toEqual([2, 3, 4, 5]);
    await sync(remote);
    expect(far.stream).toEqual([2]); // the other instance's desks miss what happens meanwhile
    expect(logged(a, REDIS_DOWN)).toBe(1);

    await redis.start();
    await eventually(async () => (await health(a.url)).body.broadcast?.status === 'up', 15_000);
    expect(logged(a, REDIS_DOWN)).toBe(1);
    expect(logged(a, REDIS_BACK)).toBe(1);
    expect(await send(writer, id, 'r5', [addParticipantDirective(id, 'R5')])).toMatchObject({
      versions: { [id]: 6 },
    });
    // B holds version 6 a moment for the versions it never got, then sends it: the desk sees the gap...
    await waitForCount(remote, 'tournamentMutation', far.broadcasts, 2, 10_000);
    expect(far.stream).toEqual([2, 6]);
    // ...and catches up from the log.
    const caughtUp = new Promise<{ entries: Array<{ version: number }> }>((resolve) =>
      remote.once('mutationLog', resolve),
    );
    remote.emit('mutationsSince', { tournamentId: id, sinceVersion: 2 });
    expect((await caughtUp).entries.map((entry) => entry.version)).toEqual([3, 4, 5, 6]);
  }, 120_000);

  it('Redis unreachable at start: the server starts, runs batches and broadcasts locally, and stops cleanly', async () => {
    const store = await seeded();
    const port = await reservedPort();
    const server = await start({ ...store.env, REDIS_URL: `redis://127.0.0.1:${port}`, REDIS_KEY_PREFIX: prefix });
    expect(await health(server.url)).toMatchObject({
      status: 200,
      body: {
        status: 'ok',
        cache: { provider: 'redis', status: 'down' },
        broadcast: { provider: 'redis', status: 'down' },
      },
    });
    const id = store.tournamentId;
    const [writer, reader] = [await desk(server, store.token), await desk(server, store.token)];
    for (const socket of [writer, reader]) await join(socket, id);
    const seen = listen(reader, id);
    expect(await send(writer, id, 'alone', [addParticipantDirective(id, 'Alone')])).toMatchObject({
      success: true,
      versions: { [id]: 2 },
    });
    await waitForCount(reader, 'tournamentMutation', seen.broadcasts, 1);
    await new Promise((resolve) => setTimeout(resolve, 1000)); // a few reconnect attempts
    expect(logged(server, REDIS_DOWN)).toBe(1);

    closeSockets();
    servers.splice(servers.indexOf(server), 1);
    expect(await server.stop('SIGTERM')).toMatchObject({ code: 0 });
  }, 90_000);
});
