import { io, type Socket, type ManagerOptions, type SocketOptions } from 'socket.io-client';
import type { TestApp } from './app';

export type { Socket } from 'socket.io-client';

/** A batch's `ack` as the tests read it (docs/protocol.md). */
export interface Ack {
  ackId: string;
  success?: true;
  versions?: Record<string, number>;
  error?: { code: string; message: string; retryable?: boolean };
}

/** How a desk presents its token: `auth.token` (newer TMX), a polling extra header (older), or not at all. */
export type TokenWay = 'auth' | 'header' | 'none';

const open = new Set<Socket>();
const handshakeTransports = new WeakMap<Socket, string>();

/**
 * Connects to a namespace of the running app with the default transports (polling, then the
 * upgrade to websocket) and resolves once connected. Every socket is tracked for `closeSockets`.
 */
export async function connect(
  t: Pick<TestApp, 'url'>,
  namespace: '/tmx' | '/public',
  options: { token?: string; way?: TokenWay } & Partial<ManagerOptions & SocketOptions> = {},
): Promise<Socket> {
  const { token, way = 'auth', ...rest } = options;
  const socket = io(`${t.url}${namespace}`, {
    reconnection: false,
    forceNew: true,
    ...(token && way === 'auth' ? { auth: { token } } : {}),
    ...(token && way === 'header' ? { extraHeaders: { authorization: `Bearer ${token}` } } : {}),
    ...rest,
  });
  open.add(socket);
  socket.io.once('open', () => handshakeTransports.set(socket, socket.io.engine.transport.name));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return socket;
}

export function desk(t: Pick<TestApp, 'url'>, token?: string, way: TokenWay = 'auth'): Promise<Socket> {
  return connect(t, '/tmx', { token, way });
}

/** Closes every socket opened by `connect` (call in afterAll). */
export function closeSockets(): void {
  for (const socket of open) socket.disconnect();
  open.clear();
}

/** The next `event` on `socket` whose payload satisfies `predicate`; rejects after `timeout` ms. */
export function waitFor<T = any>(
  socket: Socket,
  event: string,
  predicate: (payload: NoInfer<T>) => boolean = () => true,
  timeout = 5000,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off(event, listener);
      reject(new Error(`no "${event}" within ${timeout} ms`));
    }, timeout);
    const listener = (payload: T) => {
      if (!predicate(payload)) return;
      clearTimeout(timer);
      socket.off(event, listener);
      resolve(payload);
    };
    socket.on(event, listener);
  });
}

/** Every payload of `event` from now on, in arrival order. */
export function record<T = any>(socket: Socket, event: string): T[] {
  const seen: T[] = [];
  socket.on(event, (payload: T) => seen.push(payload));
  return seen;
}

/** Resolves once `list` holds at least `count` items (checked whenever `event` arrives). */
export function waitForCount(
  socket: Socket,
  event: string,
  list: unknown[],
  count: number,
  timeout = 10_000,
): Promise<void> {
  if (list.length >= count) return Promise.resolve();
  return waitFor(socket, event, () => list.length >= count, timeout).then(() => undefined);
}

/**
 * A round trip through the server: everything the server sent this socket before it answered
 * has arrived once this resolves (one socket's packets keep their order).
 */
export async function sync(socket: Socket): Promise<void> {
  const answer = waitFor(socket, 'timestamp');
  socket.emit('timestamp', {});
  await answer;
}

/** Joins a desk (or viewer) to a tournament and waits for the server to confirm. */
export async function join(socket: Socket, tournamentId: string): Promise<{ tournamentId: string; version?: number }> {
  const joined = waitFor(socket, 'tournamentJoined', (p: { tournamentId: string }) => p.tournamentId === tournamentId);
  socket.emit('joinTournament', { tournamentId });
  return joined;
}

/** Sends a batch the way TMX does and resolves with its `ack`. */
export async function sendBatch(
  socket: Socket,
  payload: { tournamentIds?: string[]; methods: unknown[]; ackId?: string; [key: string]: unknown },
): Promise<any> {
  const ackId = payload.ackId ?? `ack-${Math.random().toString(36).slice(2)}`;
  const ack = waitFor(socket, 'ack', (a: { ackId?: string }) => a.ackId === ackId);
  socket.emit('executionQueue', { type: 'executionQueue', payload: { ...payload, ackId } });
  return ack;
}

/** The transport the connection was opened with (before any upgrade). */
export function handshakeTransport(socket: Socket): string | undefined {
  return handshakeTransports.get(socket);
}

/** Resolves with the transport once the polling → websocket upgrade has happened. */
export async function upgraded(socket: Socket, timeout = 5000): Promise<string> {
  const engine = socket.io.engine;
  if (engine.transport.name !== 'websocket') {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no upgrade to websocket')), timeout);
      engine.once('upgrade', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
  return engine.transport.name;
}
