import { Injectable, Logger } from '@nestjs/common';

/**
 * `type` of a `publicUpdate`: `matchUpUpdate` carries the changed matchUps of published draws (the
 * site patches them in place), `publishChange` says publishing moved (the site re-reads
 * tournamentinfo, and leaves when nothing is published any more), `tournamentUpdate` anything
 * else (the site re-reads what it shows).
 */
export type PublicUpdateType = 'matchUpUpdate' | 'publishChange' | 'tournamentUpdate';

/** A changed matchUp as the public may see it: the fields the site patches, and where it sits. */
export interface PublicMatchUp {
  matchUpId: string;
  drawId: string;
  eventId: string;
  structureId: string;
  roundNumber?: number;
  roundPosition?: number;
  matchUpType?: string;
  collectionId?: string;
  matchUpStatus?: string;
  /** `null` when there is no winner (a removed result must reach the site as removed). */
  winningSide: number | null;
  /** The whole score object (`{}` when there is none). */
  score: unknown;
  drawPositions?: Array<number | null>;
}

/** Who now sits at which draw position of a published structure. */
export interface PublicPositionAssignments {
  drawId: string;
  structureId: string;
  assignments: Array<{ drawPosition: number; participantId?: string; bye?: boolean }>;
}

/**
 * A commit changed what the public may see of a tournament: exactly the `/public` namespace's
 * `publicUpdate`. Never carries directives, and nothing that is not published.
 */
export interface PublicChange {
  tournamentId: string;
  version: number;
  type: PublicUpdateType;
  /** Published events whose public data changed, when known. */
  eventIds?: string[];
  /** What moved: e.g. `tournamentInfo`, `eventData`, `schedule`, `participants`, `publishing`. */
  topics: string[];
  /** `publishChange`: the engine topic of the change, e.g. `publishEvent`, `unPublishEvent`, `publishOrderOfPlay`. */
  action?: string;
  /** `publishChange`: the event concerned, when the change is about one event. */
  eventId?: string;
  /** `matchUpUpdate`: the changed matchUps of published, visible draws. */
  matchUps?: PublicMatchUp[];
  /** `matchUpUpdate`: position assignments of the published structures whose assignments changed. */
  positionAssignments?: PublicPositionAssignments[];
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
