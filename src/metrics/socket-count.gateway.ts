import { WebSocketGateway, type OnGatewayInit } from '@nestjs/websockets';
import type { Namespace } from 'socket.io';
import { session } from '../gateway/socket-session';
import { MetricsService } from './metrics.service';

/** The namespaces counted in `cfs_sockets_connected`. */
export const COUNTED_NAMESPACES = ['/tmx', '/public'];

/**
 * Handles no event: it joins the Socket.IO server beside the real gateways only to get hold of
 * it, so that a scrape can count the sockets of each namespace (and the `/tmx` desks whose
 * engine differs from the server's) without the gateways knowing.
 */
@WebSocketGateway({ namespace: '/tmx' })
export class SocketCountGateway implements OnGatewayInit<Namespace> {
  constructor(private readonly metrics: MetricsService) {}

  afterInit(namespace: Namespace): void {
    const server = namespace.server;
    this.metrics.countSocketsWith(() =>
      Object.fromEntries(COUNTED_NAMESPACES.map((name) => [name, server.of(name).sockets.size])),
    );
    this.metrics.countEngineSkewWith(() => {
      const counts = { minor: 0, patch: 0 };
      for (const socket of namespace.sockets.values()) {
        const skew = session(socket).engine?.skew;
        if (skew) counts[skew] += 1;
      }
      return counts;
    });
  }
}
