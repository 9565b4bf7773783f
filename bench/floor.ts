import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker, type MessagePort } from 'node:worker_threads';
import { tournamentEngine } from 'tods-competition-factory';
import { runInEngineContext } from '../src/engine/engine-state';
import type { Directive, TournamentRecord } from '../src/storage/storage.types';
import { round } from './stats';

/** A tournament's starting JSON and the batches the server applied to it, in version order. */
export interface Replay {
  json: string;
  batches: Directive[][];
  /** Batches the server ran before the timed ones (a warm-up): applied first, untimed. */
  before?: Directive[][];
}

/**
 * The floor: the engine's own time for the same batches on a record already in memory, with
 * nothing around it (no socket, lock, storage, serialisation, notices). Each replay starts from the
 * record the server started from and applies the batches in the order the server committed them.
 * The first `warmup` batches of the first replay run once untimed on a spare copy, so the JIT is
 * as warm as the server's. Runs in this process, after the server scenario (never alongside it).
 */
export function engineFloor(replays: Replay[], limit: number, warmup = 10): number[] {
  const timings: number[] = [];
  if (!replays.length) return timings;
  warmOnSpare(replays[0], warmup);
  // Spread the limit over the replays; each is a prefix, so it stays a valid sequence.
  const share = Math.max(1, Math.ceil(limit / replays.length));
  for (const replay of replays) {
    const record = startingRecord(replay);
    for (const methods of replay.batches.slice(0, share)) {
      if (timings.length >= limit) return timings;
      timings.push(apply(record, methods));
    }
  }
  return timings;
}

/** The record the timed batches start from: the server's starting record after the untimed `before`. */
function startingRecord(replay: Replay): TournamentRecord {
  const record = JSON.parse(replay.json) as TournamentRecord;
  for (const methods of replay.before ?? []) apply(record, methods);
  return record;
}

/** The first `warmup` batches of a replay, once, untimed, on a spare copy: the JIT as warm as the server's. */
function warmOnSpare(replay: Replay, warmup: number): void {
  const spare = JSON.parse(replay.json) as TournamentRecord;
  for (const methods of [...(replay.before ?? []), ...replay.batches].slice(0, warmup)) apply(spare, methods);
}

function apply(record: TournamentRecord, methods: Directive[]): number {
  // The engine keeps what it is given: a fresh copy, made outside the timing (as the server does).
  const directives = structuredClone(methods);
  const started = performance.now();
  const result = runInEngineContext({ [record.tournamentId]: record }, () =>
    tournamentEngine.executionQueue(directives, false),
  ) as { success?: boolean; error?: unknown };
  const ms = performance.now() - started;
  if (!result?.success)
    throw new Error(`the floor replay failed where the server succeeded: ${JSON.stringify(result?.error)}`);
  return ms;
}

/** What the machine's cores can do with the engine alone: see `parallelFloor`. */
export interface ParallelFloor {
  threads: number;
  batches: number;
  /** Batches per second of all threads together, from the first start to the last finish. */
  throughputPerS: number;
}

/**
 * The ceiling of an engine pool on this machine: the same replays dealt out to one thread per core
 * (`threads`) of this process, which replay their share at the same moment with nothing else
 * running (no server, socket, storage, nor anyone else's garbage collection). Threads on one
 * machine share memory bandwidth and caches, so this is less than `threads` times one thread's
 * rate; a server's pool cannot beat it.
 */
export async function parallelFloor(
  replays: Replay[],
  limit: number,
  warmup = 10,
  threads = availableParallelism(),
): Promise<ParallelFloor> {
  // As many batches of each replay as the one-thread floor takes.
  const perReplay = Math.max(1, Math.ceil(limit / replays.length));
  const shares = Array.from({ length: threads }, (_, i) => replays.filter((_, index) => index % threads === i));
  const workers = shares
    .filter((share) => share.length)
    .map(
      (share) => new Worker(join(__dirname, 'floor-thread.mjs'), { workerData: { replays: share, perReplay, warmup } }),
    );
  const message = <T>(worker: Worker) =>
    new Promise<T>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
  try {
    // Each warms up on a spare copy and parses its records, then all start together.
    await Promise.all(workers.map((worker) => message<'ready'>(worker)));
    const done = workers.map((worker) => message<{ batches: number; startedAt: number; endedAt: number }>(worker));
    for (const worker of workers) worker.postMessage('go');
    const results = await Promise.all(done);
    const batches = results.reduce((sum, result) => sum + result.batches, 0);
    const wallMs = Math.max(...results.map((r) => r.endedAt)) - Math.min(...results.map((r) => r.startedAt));
    return { threads: workers.length, batches, throughputPerS: round((batches / wallMs) * 1000) };
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}

/** The body of one parallel-floor thread (bench/floor-thread.mjs). */
export function floorThread(port: MessagePort, data: { replays: Replay[]; perReplay: number; warmup: number }): void {
  const { replays, perReplay, warmup } = data;
  warmOnSpare(replays[0], warmup);
  const records = replays.map(startingRecord);
  port.postMessage('ready');
  port.once('message', () => {
    const startedAt = performance.timeOrigin + performance.now();
    let batches = 0;
    for (const [index, replay] of replays.entries()) {
      for (const methods of replay.batches.slice(0, perReplay)) {
        apply(records[index], methods);
        batches++;
      }
    }
    port.postMessage({ batches, startedAt, endedAt: performance.timeOrigin + performance.now() });
  });
}
