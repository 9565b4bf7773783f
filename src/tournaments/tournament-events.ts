import { Injectable, Logger } from '@nestjs/common';
import type { TournamentChanges } from '../engine/run-directives';
import type { RunTiming } from '../engine/host/protocol';
import type { PublishInfo } from '../public/publish-state';
import type { Directive } from '../storage/storage.types';

/** Who sent a batch, so that broadcasts can skip the sender. */
export interface BatchOrigin {
  /** The Socket.IO id of the sending desk; undefined for REST. */
  socketId?: string;
  /** Per-request id for logs. */
  requestId?: string;
  /** The sign-in that sent it (a token fingerprint), kept in the log entry (conflict detection). */
  holder?: string;
}

/** Announced after a batch, save or removal is durably stored, in commit order per tournament. */
export interface CommittedEvent {
  kind: 'mutation' | 'save' | 'remove';
  tournamentIds: string[];
  /** The new version of each tournament (absent for `remove`). */
  versions: Record<string, number>;
  /** The directives as the client sent them; empty for saves and removals. Do not modify. */
  methods: Directive[];
  /** The signed-in user's email. */
  userId: string;
  ackId?: string;
  /** Commit time, epoch ms. */
  timestamp: number;
  origin: BatchOrigin;
  /** What the engine reported changing, per tournament (mutations only). */
  changes: Record<string, TournamentChanges>;
  /** Provider owning each tournament, when known. */
  providerIds: Record<string, string | undefined>;
  /** Per tournament, the versions this batch overwrote on purpose (`conflictPolicy: 'overwrite'`). */
  overrides?: Record<string, number[]>;
  /** The engine's results, when the sender asked for them in its ack (`returnResults`); never relayed. */
  results?: unknown[];
  /**
   * The seed of the batch's `Math.random` (its clock stood at `timestamp`): a desk that runs the
   * batch with both reaches the server's record exactly. Mutations only.
   */
  seed?: number;
  /** Publish state of each record after the batch, read by its engine host (this process only). */
  publish?: Record<string, PublishInfo>;
}

/** Outcome of every batch, accepted or not (for metrics and the batch log line). */
export interface BatchReport {
  outcome: 'ok' | string;
  /** The batch's tournaments, sorted; empty when it was refused before its check passed. */
  tournamentIds: string[];
  /** The directives' method names, in order; never their params. */
  methodNames: string[];
  origin: BatchOrigin;
  /** From the call to the answer, whatever the outcome. */
  totalMs: number;
  lockWaitMs: number;
  loadMs: number;
  engineMs: number;
  storeMs: number;
  hotHits: number;
  hotMisses: number;
  /**
   * Run on held records while the store answered its checks: `kept`, or `thrown_away` when the
   * answers said the batch was a repeat or another instance had committed first.
   */
  ranAhead?: 'kept' | 'thrown_away';
  /** Run on the record the batch before left, that batch's commit still on its way (Pipelining). */
  continued?: boolean;
  /** Where and when the engine ran the batch (its last attempt), when it ran. */
  run?: RunTiming;
}

type Listener<T> = (event: T) => void;

/**
 * The executor's announcements. Listeners run synchronously, in registration order, while the
 * tournament locks are still held, so every listener sees commits in commit order. A listener
 * must not block; its errors are logged and never reach the batch.
 */
@Injectable()
export class TournamentEvents {
  private readonly logger = new Logger(TournamentEvents.name);
  private readonly committed: Listener<CommittedEvent>[] = [];
  private readonly reports: Listener<BatchReport>[] = [];

  onCommitted(listener: Listener<CommittedEvent>): () => void {
    return add(this.committed, listener);
  }

  onBatch(listener: Listener<BatchReport>): () => void {
    return add(this.reports, listener);
  }

  emitCommitted(event: CommittedEvent): void {
    this.dispatch(this.committed, event, 'committed');
  }

  emitBatch(report: BatchReport): void {
    this.dispatch(this.reports, report, 'batch');
  }

  private dispatch<T>(listeners: Listener<T>[], event: T, name: string): void {
    for (const listener of listeners) {
      try {
        listener(event);
      } catch (error) {
        this.logger.error(`${name} listener failed: ${(error as Error).message}`);
      }
    }
  }
}

function add<T>(list: Listener<T>[], listener: Listener<T>): () => void {
  list.push(listener);
  return () => {
    const index = list.indexOf(listener);
    if (index >= 0) list.splice(index, 1);
  };
}
