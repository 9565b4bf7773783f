import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { AppModule } from './app.module';
import { HttpExceptionFilter } from './common/http-exception.filter';
import { PostOkInterceptor } from './common/post-ok.interceptor';
import type { AppConfig } from './config/config';
import { GatewayIoAdapter } from './gateway/io-adapter';
import { setupOpenApi } from './openapi/setup-openapi';
import { openStorage } from './storage/create-storage';
import type { Storage } from './storage/storage.types';

export interface AppOptions {
  /** Where JSON logs go instead of standard output (tests read them from here). */
  logDestination?: DestinationStream;
}

/**
 * Builds the whole server (not yet listening). The store is opened first so that a locked or
 * unreachable store fails with one plain message before Nest starts. Tests call this directly.
 */
export async function createApp(
  config: AppConfig,
  storage?: Storage,
  options: AppOptions = {},
): Promise<NestExpressApplication> {
  const store = storage ?? (await openStorage(config));
  try {
    const app = await NestFactory.create<NestExpressApplication>(
      AppModule.forRoot(config, store, options.logDestination),
      {
        abortOnError: false,
        bodyParser: false,
        logger: config.logLevel === 'silent' ? false : undefined,
        // Held until pino takes over below, so start-up lines are JSON too.
        bufferLogs: true,
      },
    );
    app.useLogger(app.get(Logger));
    // Behind a reverse proxy every client would otherwise share the proxy's address (and its sign-in limit).
    app.set('trust proxy', config.trustProxy);
    app.useBodyParser('json', { limit: config.maxBodyBytes });
    app.enableCors({
      origin: config.corsOrigins.includes('*') ? '*' : config.corsOrigins,
      methods: ['GET', 'POST', 'PATCH'],
      // Public sites revalidate cached answers (If-None-Match) and read their ETag.
      allowedHeaders: ['Content-Type', 'Authorization', 'If-None-Match', 'X-Request-Id'],
      exposedHeaders: ['ETag', 'X-Request-Id'],
    });
    app.useWebSocketAdapter(new GatewayIoAdapter(app, config));
    app.useGlobalFilters(new HttpExceptionFilter());
    app.useGlobalInterceptors(new PostOkInterceptor());
    setupOpenApi(app);
    // No enableShutdownHooks(): main.ts handles SIGTERM/SIGINT itself (drain, then exit 0).
    return app;
  } catch (error) {
    if (!storage) await store.close();
    throw error;
  }
}
