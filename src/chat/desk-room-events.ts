import { Injectable, Logger } from '@nestjs/common';
import type { Socket } from 'socket.io';

export type DeskRoomListener = (socket: Socket, tournamentIds: string[]) => void | Promise<void>;

/**
 * What the desk gateway tells the chat about its rooms: a desk joined a tournament (after the
 * join succeeded and `tournamentJoined` went out) or left some. The chat answers with history
 * and presence; the gateway does not wait for it.
 */
@Injectable()
export class DeskRoomEvents {
  private readonly logger = new Logger('DeskRoomEvents');
  private readonly listeners = { joined: new Set<DeskRoomListener>(), left: new Set<DeskRoomListener>() };

  on(event: 'joined' | 'left', listener: DeskRoomListener): () => void {
    this.listeners[event].add(listener);
    return () => this.listeners[event].delete(listener);
  }

  joined(socket: Socket, tournamentId: string): void {
    this.emit('joined', socket, [tournamentId]);
  }

  left(socket: Socket, tournamentIds: string[]): void {
    if (tournamentIds.length) this.emit('left', socket, tournamentIds);
  }

  private emit(event: 'joined' | 'left', socket: Socket, tournamentIds: string[]): void {
    for (const listener of this.listeners[event]) {
      Promise.resolve()
        .then(() => listener(socket, tournamentIds))
        .catch((error: Error) => this.logger.error(`${event} listener failed: ${error.message}`));
    }
  }
}
