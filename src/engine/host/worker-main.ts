// Entry of an engine pool worker (bundled to build/engine/worker.cjs by scripts/build-engine-worker.mjs).
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { installEngineState } from '../engine-state';
import { replayStats } from '../replay';
import { EngineCore } from './engine-core';
import { HostQueue } from './host-queue';
import type { EngineRequest } from './protocol';
import { warmUp } from './warm-up';
import type { WorkerReply } from './engine-pool';

interface Message {
  id: number;
  request: EngineRequest;
}

const port = parentPort!;
installEngineState();
const core = new EngineCore((message) => port.postMessage({ log: message } satisfies WorkerReply));

const queue = new HostQueue<Message>();
let scheduled = false;
/** One step of the start-up warm-up at a time, only while no request waits. */
let warming: ReturnType<typeof warmUp> | undefined = warmUp(
  core,
  (workerData as { warmUpBatches?: number })?.warmUpBatches ?? 0,
);

port.on('message', (message: Message) => {
  queue.push(message, performance.now());
  drain();
  schedule();
});
schedule();

/** Everything already waiting on the port, so its batches can pass the reads queued before them. */
function drain(): void {
  for (let next = receiveMessageOnPort(port); next; next = receiveMessageOnPort(port)) {
    queue.push(next.message as Message, performance.now());
  }
}

function schedule(): void {
  if (scheduled || (!queue.size && !warming)) return;
  scheduled = true;
  setImmediate(pump);
}

function pump(): void {
  scheduled = false;
  drain();
  const message = queue.next(performance.now());
  if (message) handle(message);
  else if (warming) warmStep(warming);
  schedule();
}

function warmStep(steps: NonNullable<typeof warming>): void {
  try {
    const step = steps.next();
    if (!step.done) return;
    warming = undefined;
    if (step.value.batches) port.postMessage({ warmedUp: step.value } satisfies WorkerReply);
  } catch (error) {
    // Only an optimisation: a worker that cannot warm up serves requests all the same.
    warming = undefined;
    port.postMessage({ log: `engine warm-up failed: ${(error as Error).message}` } satisfies WorkerReply);
  }
}

function stats() {
  return { ...replayStats };
}

function handle({ id, request }: Message): void {
  const started = performance.now();
  const answer = (reply: Partial<WorkerReply>, busyMs = performance.now() - started) =>
    port.postMessage({ id, busyMs, held: core.size, stats: stats(), ...reply });
  try {
    const value = core.handle(request);
    // A read waiting for its batch's settle answers later; its work is timed with the settle.
    if (value instanceof Promise) {
      const queuedMs = performance.now() - started;
      value.then(
        (result) => answer({ value: result }, queuedMs),
        (error: Error) => answer({ error: { name: error.name, message: error.message } }, 0),
      );
    } else answer({ value });
  } catch (error) {
    answer({ error: { name: (error as Error).name, message: (error as Error).message } });
  }
}
