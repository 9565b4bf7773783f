// Entry of an engine pool worker (bundled to build/engine/worker.cjs by scripts/build-engine-worker.mjs).
import { parentPort, receiveMessageOnPort } from 'node:worker_threads';
import { installEngineState } from '../engine-state';
import { replayStats } from '../replay';
import { EngineCore } from './engine-core';
import { HostQueue } from './host-queue';
import type { EngineRequest } from './protocol';
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

port.on('message', (message: Message) => {
  queue.push(message, performance.now());
  drain();
  schedule();
});

/** Everything already waiting on the port, so its batches can pass the reads queued before them. */
function drain(): void {
  for (let next = receiveMessageOnPort(port); next; next = receiveMessageOnPort(port)) {
    queue.push(next.message as Message, performance.now());
  }
}

function schedule(): void {
  if (scheduled || !queue.size) return;
  scheduled = true;
  setImmediate(pump);
}

function pump(): void {
  scheduled = false;
  drain();
  const message = queue.next(performance.now());
  if (message) handle(message);
  schedule();
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
