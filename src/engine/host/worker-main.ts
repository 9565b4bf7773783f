// Entry of an engine pool worker (bundled to build/engine/worker.cjs by scripts/build-engine-worker.mjs).
import { parentPort } from 'node:worker_threads';
import { installEngineState } from '../engine-state';
import { replayStats } from '../replay';
import { EngineCore } from './engine-core';
import type { EngineRequest } from './protocol';
import type { WorkerReply } from './engine-pool';

const port = parentPort!;
installEngineState();
const core = new EngineCore((message) => port.postMessage({ log: message } satisfies WorkerReply));

port.on('message', ({ id, request }: { id: number; request: EngineRequest }) => {
  const started = performance.now();
  const stats = () => ({
    replayEntries: replayStats.entries,
    replayForeignEngine: replayStats.foreignEngine,
    replayFailures: replayStats.failures,
  });
  const answer = (reply: Partial<WorkerReply>) =>
    port.postMessage({ id, busyMs: performance.now() - started, held: core.size, stats: stats(), ...reply });
  try {
    const value = core.handle(request);
    // A read waiting for its batch's settle answers later; its work is timed with the settle.
    if (value instanceof Promise) {
      const queuedAt = performance.now() - started;
      value.then(
        (result) => port.postMessage({ id, value: result, busyMs: queuedAt, held: core.size, stats: stats() }),
        (error: Error) => port.postMessage({ id, error: { name: error.name, message: error.message }, busyMs: 0 }),
      );
    } else answer({ value });
  } catch (error) {
    answer({ error: { name: (error as Error).name, message: (error as Error).message } });
  }
});
