import { tournamentEngine } from 'tods-competition-factory';
import { runInEngineContext } from '../src/engine/engine-state';
import type { Directive, TournamentRecord } from '../src/storage/storage.types';

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
  const spare = JSON.parse(replays[0].json) as TournamentRecord;
  for (const methods of [...(replays[0].before ?? []), ...replays[0].batches].slice(0, warmup)) apply(spare, methods);
  // Spread the limit over the replays; each is a prefix, so it stays a valid sequence.
  const share = Math.max(1, Math.ceil(limit / replays.length));
  for (const replay of replays) {
    const record = JSON.parse(replay.json) as TournamentRecord;
    for (const methods of replay.before ?? []) apply(record, methods);
    for (const methods of replay.batches.slice(0, share)) {
      if (timings.length >= limit) return timings;
      timings.push(apply(record, methods));
    }
  }
  return timings;
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
