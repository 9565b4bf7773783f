import { io, type Socket } from 'socket.io-client';
import type { Directive } from '../src/storage/storage.types';

/** One batch as the desk saw it: sent, then acknowledged (or not). */
export interface BatchResult {
  ackId: string;
  tournamentId: string;
  methods: Directive[];
  /** Emit to `ack`, milliseconds. */
  ms: number;
  ok: boolean;
  version?: number;
  /** The `baseVersions` entry sent with it, if any. */
  base?: number;
  error?: { code?: string; message?: string };
}

type Ack = {
  ackId?: string;
  success?: boolean;
  versions?: Record<string, number>;
  error?: { code?: string; message?: string };
};

const ACK_TIMEOUT_MS = 60_000;

/**
 * A desk on `/tmx`, as TMX connects: token in the handshake, polling then websocket. It sends
 * `executionQueue` batches with an `ackId` each and times them to their `ack`, and keeps the
 * versions of the `tournamentMutation` broadcasts it receives (other desks' batches).
 */
export class Desk {
  /** Versions of broadcasts received, per tournament. */
  readonly broadcasts = new Map<string, number[]>();
  private readonly pending = new Map<string, (ack: Ack) => void>();
  private sent = 0;

  private constructor(
    private readonly socket: Socket,
    private readonly name: string,
  ) {
    socket.on('ack', (ack: Ack) => {
      if (typeof ack?.ackId === 'string') this.pending.get(ack.ackId)?.(ack);
    });
    socket.on('tournamentMutation', (event: { versions?: Record<string, number> }) => {
      for (const [id, version] of Object.entries(event?.versions ?? {})) {
        const seen = this.broadcasts.get(id) ?? [];
        seen.push(version);
        this.broadcasts.set(id, seen);
      }
    });
    socket.on('disconnect', (reason) => {
      for (const settle of this.pending.values()) settle({ error: { code: 'DISCONNECTED', message: reason } });
    });
  }

  static async open(baseUrl: string, token: string, name: string): Promise<Desk> {
    const socket = io(`${baseUrl}/tmx`, { auth: { token }, reconnection: false, forceNew: true });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', (error) => reject(new Error(`desk ${name} could not connect: ${error.message}`)));
    });
    // Measure over the transport desks end up on; the upgrade normally follows at once.
    const engine = socket.io.engine;
    if (engine.transport.name !== 'websocket') {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 3000);
        engine.once('upgrade', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return new Desk(socket, name);
  }

  get transport(): string {
    return this.socket.io.engine.transport.name;
  }

  async join(tournamentId: string): Promise<number | undefined> {
    const joined = this.once<{ tournamentId: string; version?: number }>(
      'tournamentJoined',
      (p) => p?.tournamentId === tournamentId,
    );
    this.socket.emit('joinTournament', { tournamentId });
    return (await joined).version;
  }

  /**
   * Sends one batch and resolves at its ack (never rejects: failures are in the result). `base`:
   * sent as `baseVersions[tournamentId]`, the version the desk's copy held when it made the batch.
   * `timeoutMs`: how long to wait for the ack (a batch sent behind hundreds of others waits for them).
   */
  send(tournamentId: string, methods: Directive[], base?: number, timeoutMs = ACK_TIMEOUT_MS): Promise<BatchResult> {
    const ackId = `${this.name}-${++this.sent}`;
    return new Promise((resolve) => {
      const started = performance.now();
      const settle = (ack: Ack) => {
        clearTimeout(timer);
        this.pending.delete(ackId);
        const ms = performance.now() - started;
        const version = ack.versions?.[tournamentId];
        const ok = ack.success === true && version !== undefined;
        resolve({ ackId, tournamentId, methods, ms, ok, version, base, error: ack.error });
      };
      const timer = setTimeout(() => settle({ error: { code: 'TIMEOUT', message: 'no ack' } }), timeoutMs);
      this.pending.set(ackId, settle);
      this.socket.emit('executionQueue', {
        type: 'executionQueue',
        payload: {
          ...{ methods, tournamentIds: [tournamentId], rollbackOnError: true, ackId },
          ...(base === undefined ? {} : { baseVersions: { [tournamentId]: base } }),
        },
      });
    });
  }

  /** A round trip: every broadcast sent to this desk before the server answered has arrived. */
  async sync(): Promise<void> {
    const answer = this.once('timestamp');
    this.socket.emit('timestamp', {});
    await answer;
  }

  close(): void {
    this.socket.disconnect();
  }

  private once<T>(event: string, predicate: (payload: T) => boolean = () => true, timeout = 10_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.socket.off(event, listener);
        reject(new Error(`desk ${this.name}: no "${event}" within ${timeout} ms`));
      }, timeout);
      const listener = (payload: T) => {
        if (!predicate(payload)) return;
        clearTimeout(timer);
        this.socket.off(event, listener);
        resolve(payload);
      };
      this.socket.on(event, listener);
    });
  }
}
