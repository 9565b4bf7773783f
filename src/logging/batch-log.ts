import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { TournamentEvents, type BatchReport } from '../tournaments/tournament-events';

/** A batch of 1000 directives names few distinct methods; more than this is cut off. */
const MAX_METHOD_NAMES = 20;

/**
 * One log line per batch, accepted or refused: which tournaments, which methods (names only, never
 * params), the outcome and where the time went. REST batches run inside their request, so the
 * line carries the request's id; desk batches carry the id the gateway gave them.
 */
@Injectable()
export class BatchLog implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Batch');
  private unsubscribe?: () => void;

  constructor(private readonly events: TournamentEvents) {}

  onModuleInit(): void {
    this.unsubscribe = this.events.onBatch((report) => this.logger.log(batchLine(report)));
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }
}

/** The fields of a batch's log line. */
export function batchLine(report: BatchReport): Record<string, unknown> {
  const { origin } = report;
  const names = [...new Set(report.methodNames)];
  return {
    msg: `batch ${report.outcome}`,
    ...(origin.requestId ? { reqId: origin.requestId } : {}),
    ...(origin.socketId ? { socketId: origin.socketId } : {}),
    tournamentIds: report.tournamentIds,
    methods: report.methodNames.length,
    methodNames: names.slice(0, MAX_METHOD_NAMES),
    outcome: report.outcome,
    ms: {
      total: round(report.totalMs),
      lockWait: round(report.lockWaitMs),
      load: round(report.loadMs),
      engine: round(report.engineMs),
      store: round(report.storeMs),
    },
    hot: { hits: report.hotHits, misses: report.hotMisses },
  };
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
