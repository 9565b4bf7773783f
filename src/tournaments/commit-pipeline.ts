import { READ_PATIENCE_MS } from '../engine/host/host-queue';

/**
 * A batch that let go of its tournament's lock with its commit on its way to storage: the next batch
 * may run on the record it left in the host meanwhile (docs/mutations.md, Pipelining).
 */
export interface InFlight<E> {
  /** Its run: the one a continuing run names as `after`. */
  key: number;
  /** The tournament as its commit leaves it: what the next batch runs on. */
  entry: E;
  slot: number;
  generation: number;
  /** False once its commit failed: the next batch then waits for it to be over instead. */
  chainable: boolean;
  /** True when that commit landed; false when it did not, once the batch is over (retries and all). */
  landed: Promise<boolean>;
  finish: (landed: boolean) => void;
}

/**
 * Per tournament, the commit on its way of the batch that let go of the lock last, and the host
 * reads waiting meanwhile: what a next batch needs to decide whether it may continue that record.
 */
export class CommitPipeline<E extends { tournamentId: string }> {
  private readonly inFlight = new Map<string, InFlight<E>>();
  /** When each host read not yet answered was asked, oldest first. */
  private readonly readers = new Map<string, number[]>();

  /** The commit on its way of a tournament. */
  of(tournamentId: string): InFlight<E> | undefined {
    return this.inFlight.get(tournamentId);
  }

  /** A batch's commit is on its way and its lock let go: the next batch may continue its record. */
  letGo(key: number, entry: E, slot: number, generation: number): InFlight<E> {
    let finish: (landed: boolean) => void = () => undefined;
    const landed = new Promise<boolean>((resolve) => (finish = resolve));
    const inFlight: InFlight<E> = { key, entry, slot, generation, chainable: true, landed, finish };
    this.inFlight.set(entry.tournamentId, inFlight);
    return inFlight;
  }

  /** The batch is over: landed already when its commit did; otherwise the batch after it runs again. */
  over(inFlight: InFlight<E>): void {
    inFlight.finish(false);
    const id = inFlight.entry.tournamentId;
    if (this.inFlight.get(id) === inFlight) this.inFlight.delete(id);
  }

  /** Waits for the commits on their way of these tournaments (but `mine`); true when all landed. */
  async landed(tournamentIds: string[], mine?: InFlight<E>): Promise<boolean> {
    const before = tournamentIds.map((id) => this.inFlight.get(id)).filter((entry) => entry && entry !== mine);
    const landed = await Promise.all(before.map((entry) => entry!.landed));
    return landed.every(Boolean);
  }

  /** A host read of a tournament, known while it waits: a batch lets the host settle for one kept waiting. */
  async reading<T>(tournamentId: string, work: () => Promise<T>): Promise<T> {
    const asked = performance.now();
    this.readers.set(tournamentId, [...(this.readers.get(tournamentId) ?? []), asked]);
    try {
      return await work();
    } finally {
      const left = this.readers.get(tournamentId)!;
      left.splice(left.indexOf(asked), 1);
      if (!left.length) this.readers.delete(tournamentId);
    }
  }

  /** Whether a read of the tournament has waited for its host as long as a host lets reads wait behind batches. */
  readerKeptWaiting(tournamentId: string): boolean {
    const oldest = this.readers.get(tournamentId)?.[0];
    return oldest !== undefined && performance.now() - oldest >= READ_PATIENCE_MS;
  }
}
