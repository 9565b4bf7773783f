import type { Server as HttpServer } from 'node:http';
import { Logger, type INestApplication } from '@nestjs/common';
import { MutationExecutor } from '../tournaments/executor.service';
import { BatchGate } from './batch-gate';
import { SocketConnections } from './socket-connections';

/** Longest wait for connections to write out what was sent to them before they are cut. */
const SOCKET_GRACE_MAX_MS = 2_000;
/** How often connections that went idle during the close are cut. */
const IDLE_SWEEP_MS = 50;

/**
 * Stops the app gracefully (docs/lifecycle.md): new batches are refused with `ERR_SHUTTING_DOWN`
 * at once while admitted ones finish and are acknowledged; then the sockets are closed once their
 * acks are written out; then the port; then Nest closes the gateways, HTTP, storage and the cache
 * (their shutdown hooks).
 *
 * The port stays open until the sockets are closed on purpose: a desk on HTTP long-polling opens
 * a new connection for each poll, and would never collect the acks of its last batches.
 */
export async function shutdown(app: INestApplication, timeoutMs: number): Promise<void> {
  await app.get(BatchGate).close();
  // Every batch is in the log already; caught-up snapshots spare the next start the replay.
  const snapshots = app.get(MutationExecutor).flushSnapshots();
  // Batches still queued behind a desk's running one are refused (and answered) before the close.
  await app.get(SocketConnections).closeAll(Math.min(SOCKET_GRACE_MAX_MS, timeoutMs / 4));
  const http = app.getHttpServer() as HttpServer;
  // No new connections. A keep-alive connection would hold the HTTP server open until its idle
  // timeout (5 s), so each one is closed as soon as its request in progress is answered.
  http.close();
  await snapshots;
  const sweep = setInterval(() => http.closeIdleConnections(), IDLE_SWEEP_MS).unref();
  try {
    await app.close();
  } finally {
    clearInterval(sweep);
  }
}

export interface SignalOptions {
  /** The whole shutdown; resolves when everything is closed. */
  run: () => Promise<void>;
  timeoutMs: number;
  /** Injected for tests; the real process otherwise. */
  signals?: Pick<NodeJS.Process, 'on'>;
  exit?: (code: number) => void;
  logger?: Pick<Logger, 'log' | 'warn' | 'error'>;
}

/**
 * SIGTERM / SIGINT run `run` once and exit 0 when it is done. A shutdown still going after
 * `timeoutMs` exits 1 with one line; a second signal exits 1 at once.
 */
export function handleShutdownSignals(options: SignalOptions): void {
  const { run, timeoutMs, signals = process, exit = (code: number) => process.exit(code) } = options;
  const logger = options.logger ?? new Logger('Shutdown');
  let started = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (started) {
      logger.warn(`${signal} again: exiting without finishing the shutdown`);
      return exit(1);
    }
    started = true;
    logger.log(`${signal}: shutting down (admitted batches finish, new ones are refused)`);
    // Not unref'd: it must fire even if the shutdown leaves nothing else for the event loop to do.
    const timer = setTimeout(() => {
      logger.error(`shutdown not finished within SHUTDOWN_TIMEOUT_MS (${timeoutMs} ms): exiting`);
      exit(1);
    }, timeoutMs);
    run().then(
      () => {
        clearTimeout(timer);
        logger.log('stopped');
        exit(0);
      },
      (error: unknown) => {
        clearTimeout(timer);
        logger.error(`shutdown failed: ${error instanceof Error ? error.message : String(error)}`);
        exit(1);
      },
    );
  };
  signals.on('SIGTERM', onSignal);
  signals.on('SIGINT', onSignal);
}
