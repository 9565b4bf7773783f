import { setImmediate as nextTurn } from 'node:timers/promises';
import { ErrorCode, type ErrorBody } from '../common/errors';

/**
 * Events that are not counted by the per-socket event bucket (`SOCKET_EVENTS_PER_10S`): a desk
 * back online flushes its whole offline queue at once, hundreds of batches. Their bound is the
 * bytes waiting in the desk's queue instead (`SOCKET_QUEUE_MAX_BYTES`), and only signed-in desks
 * get to queue anything; refusals cost no more than the bucket's own refusals did.
 */
export const QUEUE_BOUNDED_EVENTS: ReadonlySet<string> = new Set(['executionQueue']);

/**
 * What a waiting batch costs beyond the JSON size of its directives: its parsed envelope, the
 * closure and promise that queue it. Also caps how many tiny batches one socket can park.
 */
export const BATCH_OVERHEAD_BYTES = 1024;

interface QueuedBatch {
  methods: unknown;
  ackId?: string | number;
}

/**
 * One desk's batches, started one after another in the order they arrived, bounded by the bytes
 * they hold while waiting (the running batch included) rather than by their number.
 *
 * - The next batch starts when the one before has ended, or earlier when that one says it may
 *   (`advance`: the executor let go of its tournament's lock with its commit on its way, and commits
 *   and acks the next one only after it: docs/mutations.md, Pipelining).
 *
 * - Past the bound a batch is refused with the retryable `ERR_QUEUE_FULL` and nothing of it runs.
 *   A batch larger than the whole bound is still taken when nothing else waits, so a resend always
 *   gets through eventually.
 * - Emit order survives a refusal: once a batch is refused, every later batch of the desk is
 *   refused too, until the desk resends that first refused batch (same `ackId`) and it fits. So
 *   what runs is always a prefix of what the desk sent, and resending the refused ones in order
 *   continues it. (A batch without an `ackId` cannot be recognised: then the queue draining ends
 *   the refusals.) A new connection starts with an empty queue.
 * - Fairness: a batch that arrives at an empty queue (a desk working live, waiting for each ack)
 *   starts at once. A batch that waited behind its desk's earlier ones (a backlog being flushed)
 *   first lets such live batches of every desk finish (see `BacklogGate`), and between two
 *   batches the queue yields to the event loop, so a long queue never holds the process.
 */
export class DeskQueue {
  private tail: Promise<void> = Promise.resolve();
  /** Batches started and not yet answered (with pipelining, more than one). */
  private readonly unfinished = new Set<Promise<void>>();
  private waitingBytes = 0;
  private waitingCount = 0;
  /** Set while refusing: the first refused batch, which the desk must resend before anything later. */
  private cut?: { ackId?: string | number };

  constructor(
    private readonly maxBytes: number,
    private readonly onError: (error: Error) => void,
    /** Shared by every desk queue of the gateway. */
    private readonly gate = new BacklogGate(),
  ) {}

  /** Bytes held by batches received and not yet answered. */
  get bytes(): number {
    return this.waitingBytes;
  }

  /** Batches received and not yet answered. */
  get size(): number {
    return this.waitingCount;
  }

  /** Resolves once every batch queued so far has run and been answered (shutdown waits for it). */
  get settled(): Promise<void> {
    return this.tail.then(() => Promise.all(this.unfinished)).then(() => undefined);
  }

  /**
   * Queues `run` behind the desk's earlier batches, or answers why not (nothing of it runs). `run`
   * may call `advance` to let the next batch start before it ends.
   */
  offer(batch: QueuedBatch, run: (advance: () => void) => Promise<void>): ErrorBody | undefined {
    const bytes = batchBytes(batch.methods);
    if (this.cut && !this.resumes(batch)) return this.refusal();
    if (this.waitingCount > 0 && this.waitingBytes + bytes > this.maxBytes) {
      this.cut ??= { ackId: batch.ackId };
      return this.refusal();
    }
    this.cut = undefined;
    const backlog = this.waitingCount > 0;
    this.waitingBytes += bytes;
    this.waitingCount++;
    const start = (advance: () => void) => {
      const go = () => run(advance);
      const finished = (backlog ? this.gate.afterLive().then(go) : this.gate.live(go))
        .catch((error: Error) => this.onError(error))
        .finally(() => {
          this.waitingBytes -= bytes;
          this.waitingCount--;
          this.unfinished.delete(finished);
          advance();
        });
      this.unfinished.add(finished);
    };
    this.tail = this.tail.then(() => new Promise<void>(start)).then(() => nextTurn());
    return undefined;
  }

  /** Whether a batch may end the refusals: the first refused one resent, or any once drained if it had no id. */
  private resumes(batch: QueuedBatch): boolean {
    const first = this.cut?.ackId;
    return first === undefined ? this.waitingCount === 0 : batch.ackId === first;
  }

  private refusal(): ErrorBody {
    const from = this.cut?.ackId === undefined ? '' : ` from ackId ${String(this.cut.ackId)}`;
    return {
      code: ErrorCode.QUEUE_FULL,
      message: `too much waiting in this connection's queue: after the acks of earlier batches, resend${from} in order`,
    };
  }
}

/**
 * Gives live batches (those that found their desk's queue empty) precedence over backlog batches
 * (those that waited behind their desk's earlier ones): a backlog batch starts when no live batch
 * has run for `quietMs`; after `maxDeferMs` it no longer waits for a quiet spell, only for the
 * running live batches to end, and after twice that for nothing, so a flushed queue cannot be
 * starved either. The quiet spell is the
 * moment a desk working live takes between an ack and its next batch: without it a backlog batch
 * would slip into every such gap and run beside the next live one. A running batch is never
 * interrupted; this only orders the starts.
 */
export class BacklogGate {
  private running = 0;
  private lastLiveEnd = -Infinity;
  private waiting: Array<{ go: () => void; overdue: boolean }> = [];
  private quiet?: NodeJS.Timeout;

  constructor(
    private readonly maxDeferMs = 100,
    private readonly quietMs = 10,
  ) {}

  /** Runs a live batch, counting it while it runs. */
  async live<T>(run: () => Promise<T>): Promise<T> {
    this.running++;
    clearTimeout(this.quiet);
    this.quiet = undefined;
    try {
      return await run();
    } finally {
      if (--this.running === 0) {
        this.lastLiveEnd = performance.now();
        this.release((waiter) => waiter.overdue);
        this.openAfterQuiet();
      }
    }
  }

  /** Resolves once no live batch has run for `quietMs` (at once if none has), or none runs past `maxDeferMs`. */
  afterLive(): Promise<void> {
    if (this.running === 0 && performance.now() - this.lastLiveEnd >= this.quietMs) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const waiter = { go: () => (clearTimeout(timer), resolve()), overdue: false };
      let timer = setTimeout(() => {
        waiter.overdue = true;
        if (this.running === 0) return this.release((each) => each === waiter);
        // Live batches that never pause (many desks at once) cannot hold it any longer than this.
        timer = setTimeout(() => this.release((each) => each === waiter), this.maxDeferMs);
      }, this.maxDeferMs);
      this.waiting.push(waiter);
      if (this.running === 0) this.openAfterQuiet();
    });
  }

  /** Lets the waiting backlog batches go once the quiet spell after the last live batch has passed. */
  private openAfterQuiet(): void {
    if (this.quiet || !this.waiting.length) return;
    const wait = Math.max(0, this.lastLiveEnd + this.quietMs - performance.now());
    this.quiet = setTimeout(() => {
      this.quiet = undefined;
      if (this.running === 0) this.release(() => true);
    }, wait);
  }

  private release(which: (waiter: { overdue: boolean }) => boolean): void {
    const going = this.waiting.filter(which);
    if (!going.length) return;
    this.waiting = this.waiting.filter((waiter) => !which(waiter));
    for (const waiter of going) waiter.go();
  }
}

/** A waiting batch's cost: its directives' JSON size, estimated without serialising, plus overhead. */
export function batchBytes(methods: unknown): number {
  return jsonSizeEstimate(methods) + BATCH_OVERHEAD_BYTES;
}

/**
 * About the length of `JSON.stringify(value)` for parsed JSON, in one walk that copies no string
 * (string lengths are read, not escaped). Iterative: deep nesting cannot overflow the stack.
 */
export function jsonSizeEstimate(value: unknown): number {
  let size = 0;
  const stack: unknown[] = [value];
  while (stack.length) {
    const item = stack.pop();
    if (typeof item === 'string') size += item.length + 2;
    else if (typeof item === 'number') size += numberLength(item);
    else if (typeof item === 'boolean') size += item ? 4 : 5;
    else if (item === null || typeof item !== 'object') size += 4;
    else if (Array.isArray(item)) {
      size += Math.max(item.length + 1, 2); // brackets and commas
      for (const element of item) stack.push(element);
    } else {
      const keys = Object.keys(item);
      size += Math.max(keys.length + 1, 2); // braces and commas
      for (const key of keys) {
        size += key.length + 3; // "key":
        stack.push((item as Record<string, unknown>)[key]);
      }
    }
  }
  return size;
}

/** Digits of an integer (and its sign); other numbers count as 12 characters. */
function numberLength(value: number): number {
  if (!Number.isSafeInteger(value)) return 12;
  const digits = Math.floor(Math.log10(Math.abs(value) || 1)) + 1;
  return value < 0 ? digits + 1 : digits;
}
