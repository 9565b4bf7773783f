import { Injectable } from '@nestjs/common';
import type { Server } from 'socket.io';

/** The part of an engine.io connection used here (the engine's client map is not in its typings). */
interface EngineConnection {
  readyState: string;
  close(discard?: boolean): void;
  once(event: 'close', listener: () => void): unknown;
}

/**
 * Closes the Socket.IO connections at shutdown without losing what was already sent to them.
 * Socket.IO's own `close()` discards packets still buffered in a connection (an ack emitted a
 * moment ago could be lost); a plain engine close first writes them out. Clients see a
 * `transport close` and reconnect on their own (to another instance, or to this one restarted).
 */
@Injectable()
export class SocketConnections {
  private server?: Server;
  private readonly drains: Array<() => Promise<unknown>> = [];

  /** Called by the gateway once the Socket.IO server exists. */
  attach(server: Server): void {
    this.server = server;
  }

  /**
   * Work to finish before the connections close: the gateway's queued batches, which the closed
   * batch gate refuses at once, so that their refusals reach the desks.
   */
  drainBeforeClose(drain: () => Promise<unknown>): void {
    this.drains.push(drain);
  }

  /** Open connections right now. */
  get count(): number {
    return this.server?.engine.clientsCount ?? 0;
  }

  /** Closes every connection after its buffered packets; gives up waiting after `graceMs`. */
  async closeAll(graceMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
    try {
      await Promise.race([Promise.all(this.drains.map((drain) => drain())), gaveUp]);
      const engine = this.server?.engine as unknown as { clients?: Record<string, EngineConnection> } | undefined;
      const connections = Object.values(engine?.clients ?? {});
      if (connections.length) await Promise.race([Promise.all(connections.map(closeGracefully)), gaveUp]);
    } finally {
      clearTimeout(timer);
    }
  }
}

function closeGracefully(connection: EngineConnection): Promise<void> {
  if (connection.readyState === 'closed') return Promise.resolve();
  return new Promise((resolve) => {
    connection.once('close', resolve);
    connection.close();
  });
}
