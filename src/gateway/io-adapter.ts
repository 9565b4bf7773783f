import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import type { Server, ServerOptions } from 'socket.io';
import type { AppConfig } from '../config/config';

/**
 * The one Socket.IO server behind both namespaces (`/tmx`, `/public`), configured from AppConfig
 * rather than from decorator options. Cross-instance broadcast (the Redis adapter) plugs in at
 * `configureServer`.
 */
export class GatewayIoAdapter extends IoAdapter {
  constructor(
    app: INestApplicationContext,
    private readonly config: AppConfig,
  ) {
    super(app);
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

  /** Seam for the cross-instance adapter (`server.adapter(...)`) when Redis is configured. */
  protected configureServer(_server: Server): void {}
}
