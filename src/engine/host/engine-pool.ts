import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { Logger } from '@nestjs/common';
import { ReplayError, replayStats } from '../replay';
import { EngineCore, HostMissError } from './engine-core';
import type { EngineRequest, HostStats } from './protocol';
import type { WarmUpReport } from './warm-up';

/** The bundle `scripts/build-engine-worker.mjs` writes (`pnpm build`, `pnpm start`, the test setup). */
export const WORKER_FILE = join(__dirname, '..', '..', '..', 'build', 'engine', 'worker.cjs');

/** What a worker posts: an answer to request `id`, or a log line. */
export interface WorkerReply {
  id?: number;
  value?: unknown;
  error?: { name: string; message: string };
  busyMs?: number;
  held?: number;
  stats?: HostStats;
  log?: string;
  /** The worker finished warming up (see warm-up.ts). */
  warmedUp?: WarmUpReport;
}

/** The worker running a request died (and was replaced): nothing of that request happened. */
export class EngineRestartedError extends Error {
  override name = 'EngineRestartedError';
}

export interface WorkerStatus {
  worker: number;
  /** Worker thread id; 0 for the in-process host. */
  threadId: number;
  /** Requests sent and not yet answered. */
  queued: number;
  busyMs: number;
  requests: number;
  restarts: number;
  /** Tournaments the host holds. */
  held: number;
  /** Batches the worker ran on a tournament of its own at start, and how long that took. */
  warmUp?: WarmUpReport;
}

export interface EnginePoolOptions {
  /** Batches each worker runs on a generated tournament when idle after it starts (0: none). */
  warmUpBatches?: number;
}

interface Waiting {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

interface Slot {
  index: number;
  worker?: Worker;
  /** Bumped whenever the worker is replaced: what the executor knew of the old one is void. */
  generation: number;
  waiting: Map<number, Waiting>;
  busyMs: number;
  requests: number;
  restarts: number;
  held: number;
  stats: HostStats;
  warmUp?: WarmUpReport;
}

/**
 * The engine hosts: `ENGINE_WORKERS` worker threads, each the home of the tournaments that hash to
 * it, or one host on the main thread when ENGINE_WORKERS=0. Requests to one host are handled in the
 * order sent. A worker is started on first use; one that dies is replaced on the next request, and
 * whatever was waiting on it fails with `EngineRestartedError`. See docs/mutations.md, Engine pool.
 */
export class EnginePool {
  private readonly logger = new Logger('EnginePool');
  private readonly slots: Slot[];
  private readonly core?: EngineCore;
  private readonly restartListeners: Array<(slot: number) => void> = [];
  private nextId = 1;
  private closing = false;

  constructor(
    workers: number,
    private readonly options: EnginePoolOptions = {},
  ) {
    const count = Math.max(1, workers);
    this.slots = Array.from({ length: count }, (_, index) => ({
      ...{ index, generation: 0, waiting: new Map<number, Waiting>(), busyMs: 0, requests: 0, restarts: 0 },
      ...{ held: 0, stats: { entries: 0, foreignEngine: 0, failures: 0 } },
    }));
    if (workers === 0) this.core = new EngineCore((message) => this.logger.warn(message));
    else if (!existsSync(WORKER_FILE)) {
      throw new Error(`engine worker bundle missing at ${WORKER_FILE}: run \`pnpm build\` (or set ENGINE_WORKERS=0)`);
    }
  }

  get size(): number {
    return this.slots.length;
  }

  get inProcess(): boolean {
    return this.core !== undefined;
  }

  /** The host a tournament belongs to: a stable hash of its id (FNV-1a), so always the same one. */
  slotOf(tournamentId: string): number {
    if (this.slots.length === 1) return 0;
    let hash = 0x811c9dc5;
    for (let i = 0; i < tournamentId.length; i++) {
      hash ^= tournamentId.charCodeAt(i);
      hash = Math.imul(hash, 0x01000193);
    }
    return (hash >>> 0) % this.slots.length;
  }

  generation(slot: number): number {
    return this.slots[slot].generation;
  }

  /** Hears of a replaced worker (its tournaments must be loaded again). */
  onRestart(listener: (slot: number) => void): void {
    this.restartListeners.push(listener);
  }

  request<T>(slotIndex: number, request: EngineRequest): Promise<T> {
    const slot = this.slots[slotIndex];
    slot.requests++;
    if (this.core) {
      // Handled at once, so requests keep their order exactly as a worker's queue would.
      const started = performance.now();
      try {
        return Promise.resolve(this.core.handle(request) as T);
      } catch (error) {
        return Promise.reject(error as Error);
      } finally {
        slot.busyMs += performance.now() - started;
        slot.held = this.core.size;
      }
    }
    if (this.closing) return Promise.reject(new EngineRestartedError('the engine pool is closed'));
    const worker = slot.worker ?? this.spawn(slot);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      slot.waiting.set(id, { resolve: resolve as (value: unknown) => void, reject });
      worker.postMessage({ id, request });
    });
  }

  /** Batches each worker runs to warm up when it starts (0 in process: the main thread never does). */
  get warmUpBatches(): number {
    return this.core ? 0 : (this.options.warmUpBatches ?? 0);
  }

  /** Starts every worker now, so the first requests do not wait for a thread to load the engine. */
  start(): void {
    if (this.core || this.closing) return;
    for (const slot of this.slots) if (!slot.worker) this.spawn(slot);
  }

  /** Ends a worker as a crash would (tests, and an operator's last resort): it is replaced on next use. */
  async kill(slotIndex: number): Promise<void> {
    await this.slots[slotIndex].worker?.terminate();
  }

  status(): WorkerStatus[] {
    return this.slots.map((slot) => ({
      worker: slot.index,
      threadId: this.core ? 0 : (slot.worker?.threadId ?? -1),
      queued: slot.waiting.size,
      busyMs: Math.round(slot.busyMs),
      requests: slot.requests,
      restarts: slot.restarts,
      held: slot.held,
      ...(slot.warmUp ? { warmUp: slot.warmUp } : {}),
    }));
  }

  /** Replay counters summed over the hosts (the main thread's own when in process). */
  replayStats(): HostStats {
    if (this.core) return { ...replayStats };
    const sum = { entries: 0, foreignEngine: 0, failures: 0 };
    for (const { stats } of this.slots) {
      sum.entries += stats.entries;
      sum.foreignEngine += stats.foreignEngine;
      sum.failures += stats.failures;
    }
    return sum;
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.slots.map((slot) => slot.worker?.terminate()));
  }

  private spawn(slot: Slot): Worker {
    slot.warmUp = undefined;
    const workerData = { warmUpBatches: this.warmUpBatches };
    const worker = new Worker(WORKER_FILE, { env: process.env, workerData });
    // A pool never keeps the process alive by itself: servers close it, scripts just exit.
    worker.unref();
    slot.worker = worker;
    worker.on('message', (reply: WorkerReply) => this.answered(slot, reply));
    worker.on('error', (error) =>
      this.logger.error(`engine worker ${slot.index} failed: ${error.stack ?? error.message}`),
    );
    worker.on('exit', (code) => this.exited(slot, worker, code));
    return worker;
  }

  private answered(slot: Slot, reply: WorkerReply): void {
    if (reply.log !== undefined) return void this.logger.warn(reply.log);
    if (reply.warmedUp) {
      slot.warmUp = reply.warmedUp;
      const { batches, ms } = reply.warmedUp;
      return void this.logger.log(`engine worker ${slot.index} warmed up: ${batches} batches in ${ms} ms`);
    }
    const waiting = reply.id === undefined ? undefined : slot.waiting.get(reply.id);
    if (!waiting) return;
    slot.waiting.delete(reply.id!);
    slot.busyMs += reply.busyMs ?? 0;
    if (reply.held !== undefined) slot.held = reply.held;
    if (reply.stats) slot.stats = reply.stats;
    if (reply.error) waiting.reject(revive(reply.error));
    else waiting.resolve(reply.value);
  }

  private exited(slot: Slot, worker: Worker, code: number): void {
    if (slot.worker !== worker) return;
    slot.worker = undefined;
    slot.generation++;
    slot.held = 0;
    const waiting = [...slot.waiting.values()];
    slot.waiting.clear();
    if (!this.closing) {
      slot.restarts++;
      this.logger.error(
        `engine worker ${slot.index} exited (code ${code}) with ${waiting.length} request(s) in flight; a new one starts on next use`,
      );
    }
    const error = new EngineRestartedError(`engine worker ${slot.index} stopped; nothing of this request was kept`);
    for (const { reject } of waiting) reject(error);
    if (!this.closing) for (const listener of this.restartListeners) listener(slot.index);
  }
}

/** An error as the worker named it: the classes the executor acts on keep their class. */
function revive(error: { name: string; message: string }): Error {
  if (error.name === 'HostMissError') return new HostMissError(error.message);
  if (error.name === 'ReplayError') return new ReplayError(error.message);
  const revived = new Error(error.message);
  revived.name = error.name;
  return revived;
}
