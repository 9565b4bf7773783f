import { Injectable, Logger } from '@nestjs/common';

/**
 * A commit changed what the public may see of a tournament. Carries no data and no directives:
 * viewers re-read the public routes. This is exactly the `/public` namespace's `publicUpdate`.
 */
export interface PublicChange {
  tournamentId: string;
  version: number;
  /** Published events whose public data changed, when known. */
  eventIds?: string[];
  /** What moved: e.g. `tournamentInfo`, `eventData`, `schedule`, `participants`, `publishing`. */
  topics: string[];
}

/**
 * Raised by the public module after it decides a commit touched published data; the `/public`
 * gateway forwards each one to the tournament's room. Listeners run synchronously and must not block.
 */
@Injectable()
export class PublicEvents {
  private readonly logger = new Logger(PublicEvents.name);
  private readonly listeners: Array<(change: PublicChange) => void> = [];

  onChange(listener: (change: PublicChange) => void): () => void {
    this.listeners.push(listener);
    return () => {
      const index = this.listeners.indexOf(listener);
      if (index >= 0) this.listeners.splice(index, 1);
    };
  }

  emit(change: PublicChange): void {
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch (error) {
        this.logger.error(`publicUpdate listener failed: ${(error as Error).message}`);
      }
    }
  }
}
