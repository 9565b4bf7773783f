import { Module, type DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { AppConfig } from '../config/config';
import { TournamentsModule } from '../tournaments/tournaments.module';
import { BatchLog } from './batch-log';
import { logOptions } from './log-options';
import { prettyStream, wantsPrettyLogs } from './pretty';

/**
 * Logs through pino, JSON lines (readable ones on a terminal outside production): one line per HTTP
 * request (with its request id) and per batch, and
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
          useFactory: (config: AppConfig) => {
            // A person watching a terminal (`pnpm watch`) reads pretty lines; production and pipes get JSON.
            const out = destination ?? (wantsPrettyLogs(config.nodeEnv) ? prettyStream(1) : undefined);
            return { pinoHttp: out ? [logOptions(config), out] : logOptions(config) };
          },
        }),
        TournamentsModule,
      ],
      providers: [BatchLog],
    };
  }
}
