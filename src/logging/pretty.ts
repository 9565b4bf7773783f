import { pino, type DestinationStream, type Logger } from 'pino';
import pretty from 'pino-pretty';

/** Readable, coloured lines for a person at a terminal; the same fields as the JSON lines. */
export function prettyStream(destination: 1 | 2 = 1): DestinationStream {
  return pretty({
    colorize: true,
    destination,
    sync: true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname',
  });
}

/** The server prints pretty lines only to a terminal outside production; everywhere else JSON lines. */
export function wantsPrettyLogs(nodeEnv: string, stream: { isTTY?: boolean } = process.stdout): boolean {
  return stream.isTTY === true && nodeEnv !== 'production';
}

/** The admin CLI's log, on standard error (standard output carries results): pretty on a terminal. */
export function cliLogger(level = 'info'): Logger {
  return process.stderr.isTTY ? pino({ level }, prettyStream(2)) : pino({ level }, pino.destination(2));
}
