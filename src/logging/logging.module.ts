import { Module, type DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { AppConfig } from '../config/config';
import { TournamentsModule } from '../tournaments/tournaments.module';
import { BatchLog } from './batch-log';
import { logOptions } from './log-options';

/**
 * JSON logs through pino: one line per HTTP request (with its request id) and per batch, and
 * every Nest `Logger` call (app.ts routes Nest's logger here). Lines go to standard output, or to
 * `destination` (tests read the log from there).
 *
 * nestjs-pino keeps one pino-http instance per process, built by the first app: a second app in
 * the same process logs with the first one's settings. The server runs one app per process.
 */
@Module({})
export class LoggingModule {
  static forRoot(destination?: DestinationStream): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRootAsync({
          inject: [AppConfig],
          useFactory: (config: AppConfig) => ({
            pinoHttp: destination ? [logOptions(config), destination] : logOptions(config),
          }),
        }),
        TournamentsModule,
      ],
      providers: [BatchLog],
    };
  }
}
