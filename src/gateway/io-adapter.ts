import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import type { Server, ServerOptions } from 'socket.io';
import type { AppConfig } from '../config/config';
import { BroadcastLink } from './broadcast-link';

/**
 * The one Socket.IO server behind both namespaces (`/tmx`, `/public`), configured from AppConfig
 * rather than from decorator options. With REDIS_URL, the Redis streams adapter connects it to
 * the other instances (`configureServer`).
 */
export class GatewayIoAdapter extends IoAdapter {
  constructor(
    private readonly context: INestApplicationContext,
    private readonly config: AppConfig,
  ) {
    super(context);
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const server = super.createIOServer(port, { ...options, ...this.serverOptions() }) as Server;
    this.configureServer(server);
    return server;
  }

  serverOptions(): Partial<ServerOptions> {
    const { corsOrigins, maxBodyBytes } = this.config;
    return {
      path: '/socket.io',
      serveClient: false,
      // Polling first, then the upgrade: some desks sit behind proxies that refuse websockets.
      transports: ['polling', 'websocket'],
      // Whole draw definitions travel; above this socket.io drops the connection, not the server.
      maxHttpBufferSize: maxBodyBytes,
      cors: {
        origin: corsOrigins.includes('*') ? '*' : corsOrigins,
        methods: ['GET', 'POST'],
        allowedHeaders: ['Content-Type', 'Authorization'],
      },
    };
  }

  /** The adapter is per server, so both namespaces share it. Its connections close with the app. */
  protected configureServer(server: Server): void {
    const adapter = this.context.get(BroadcastLink, { strict: false }).adapter();
    if (adapter) server.adapter(adapter);
  }
}
