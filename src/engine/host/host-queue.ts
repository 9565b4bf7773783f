import type { EngineRequest } from './protocol';

/** How long a read may wait behind batches before it goes first (at most one such read per interval). */
export const READ_PATIENCE_MS = 200;

interface Queued<T> {
  item: T;
  at: number;
}

/**
 * The order a worker handles its requests in. Batches, and what keeps their records in step
 * (settle, put, drop) and snapshots (`urgent` reads, which the replay budget relies on), go in
 * arrival order, before the reads waiting: a desk's batch never queues behind public answers that
 * arrived first. So that reads never starve while batches keep coming, the oldest read goes first
 * once it has waited `patienceMs`, and then no other read for `patienceMs`: under a steady stream of
 * batches, reads still take their turn at least that often.
 */
export class HostQueue<T extends { request: EngineRequest }> {
  private readonly inTurn: Array<Queued<T>> = [];
  private readonly reads: Array<Queued<T>> = [];
  private lastOverdue = -Infinity;

  constructor(private readonly patienceMs = READ_PATIENCE_MS) {}

  get size(): number {
    return this.inTurn.length + this.reads.length;
  }

  push(item: T, now: number): void {
    (waitsForBatches(item.request) ? this.reads : this.inTurn).push({ item, at: now });
  }

  next(now: number): T | undefined {
    const read = this.reads[0];
    if (read && (!this.inTurn.length || this.overdue(read, now))) {
      if (this.inTurn.length) this.lastOverdue = now;
      return this.reads.shift()!.item;
    }
    return this.inTurn.shift()?.item;
  }

  private overdue(read: Queued<T>, now: number): boolean {
    return now - read.at >= this.patienceMs && now - this.lastOverdue >= this.patienceMs;
  }
}

function waitsForBatches(request: EngineRequest): boolean {
  return request.type === 'queryMany' || (request.type === 'read' && !request.urgent);
}
