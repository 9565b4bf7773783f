import { Injectable, Logger } from '@nestjs/common';
import { PublicReads } from './public-reads.service';

interface WarmTask {
  tournamentId: string;
  version: number;
  eventId: string;
}

/**
 * Computes event data in the background after a commit touched a published event, so the first
 * public read after a score is already cached. One task at a time, each on its own turn of the
 * event loop (sockets and requests get their turns in between); a task whose tournament has moved
 * on by then is skipped, since a later commit queued its own.
 */
@Injectable()
export class PublicWarmer {
  private readonly logger = new Logger('PublicWarmer');
  private readonly pending = new Map<string, WarmTask>();
  private running: Promise<void> | undefined;
  /** Event data computed by warming (for tests and metrics). */
  warmed = 0;

  constructor(private readonly reads: PublicReads) {}

  schedule(tournamentId: string, version: number, eventIds: readonly string[]): void {
    for (const eventId of eventIds) {
      // The newest version wins: a burst of scores on one event warms once.
      this.pending.set(`${tournamentId}\n${eventId}`, { tournamentId, version, eventId });
    }
    this.kick();
  }

  /** Resolves when no warming is queued or running. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private kick(): void {
    if (this.running) return;
    this.running = this.drain().finally(() => {
      this.running = undefined;
      // A task queued while the last one was finishing.
      if (this.pending.size) this.kick();
    });
  }

  private async drain(): Promise<void> {
    for (;;) {
      await new Promise((resolve) => setImmediate(resolve));
      const next = this.pending.entries().next();
      if (next.done) return;
      const [key, task] = next.value;
      this.pending.delete(key);
      await this.reads
        .warm('eventdata', task.tournamentId, task.version, { eventId: task.eventId, hydrateParticipants: false })
        .then((computed) => {
          if (computed) this.warmed++;
        })
        .catch((error: Error) => this.logger.warn(`warming ${task.tournamentId} failed: ${error.message}`));
    }
  }
}
