import { createHash } from 'node:crypto';
import { queryGovernor } from 'tods-competition-factory';
import type { TournamentRecord } from '../storage/storage.types';

/** What the public may see of a tournament right now, read from the engine's publish state. */
export interface PublishInfo {
  /** Anything published: an event, the order of play or the participants. */
  tournamentPublished: boolean;
  /** Events the engine counts as published. */
  eventIds: string[];
  /** Per published event, its draws that are visible now (published and not under embargo). */
  visibleDrawIds: Record<string, string[]>;
  orderOfPlay: boolean;
  participants: boolean;
  /** Embargoes already lifted, and the next one to lift (epoch ms): answers change at that moment. */
  embargoes: { passed: number; next?: number };
  /** Changes whenever anything about publishing changes (per event, for `publicUpdate.eventIds`). */
  signature: string;
  eventSignatures: Record<string, string>;
}

interface PubStatus {
  status?: { published?: boolean; publishedDrawIds?: string[]; drawDetails?: Record<string, any> };
}
interface TournamentPubStatus {
  orderOfPlay?: { published?: boolean; embargo?: string };
  participants?: { published?: boolean; embargo?: string };
  status?: { published?: boolean; publishedEventIds?: string[] };
}

/** Reads the publish state. Cheap (well under a millisecond); the engine copies what it reads. */
export function publishInfoOf(record: TournamentRecord, now = Date.now()): PublishInfo {
  const result = queryGovernor.getPublishState({ tournamentRecord: record as never }) as {
    publishState?: Record<string, unknown> & {
      tournament?: TournamentPubStatus;
      embargoes?: Array<{ embargo?: string }>;
    };
  };
  const state = result?.publishState ?? {};
  const tournament = state.tournament ?? {};
  const eventIds = [...(tournament.status?.publishedEventIds ?? [])];
  const visibleDrawIds: Record<string, string[]> = {};
  const eventSignatures: Record<string, string> = {};
  for (const event of (record.events as Array<{ eventId?: string }> | undefined) ?? []) {
    const eventId = event?.eventId;
    if (typeof eventId !== 'string') continue;
    const status = (state[eventId] as PubStatus | undefined)?.status;
    eventSignatures[eventId] = digest(JSON.stringify(status ?? null));
    if (!eventIds.includes(eventId)) continue;
    visibleDrawIds[eventId] = (status?.publishedDrawIds ?? []).filter((drawId) =>
      visible(status?.drawDetails?.[drawId]?.publishingDetail ?? { published: true }, now),
    );
  }
  const times = (state.embargoes ?? []).map((e) => Date.parse(e.embargo ?? '')).filter((t) => Number.isFinite(t));
  const future = times.filter((t) => t > now);
  const orderOfPlay = visible(tournament.orderOfPlay, now);
  const participants = visible(tournament.participants, now);
  return {
    tournamentPublished:
      eventIds.length > 0 || !!tournament.orderOfPlay?.published || !!tournament.participants?.published,
    eventIds,
    visibleDrawIds,
    orderOfPlay,
    participants,
    embargoes: { passed: times.length - future.length, next: future.length ? Math.min(...future) : undefined },
    signature: digest(JSON.stringify({ tournament, eventSignatures })),
    eventSignatures,
  };
}

/** Published and not under an embargo that is still in the future. */
function visible(detail: { published?: boolean; embargo?: string } | undefined, now: number): boolean {
  if (!detail?.published) return false;
  const embargo = detail.embargo ? Date.parse(detail.embargo) : NaN;
  return !(Number.isFinite(embargo) && embargo > now);
}

function digest(text: string): string {
  return createHash('sha1').update(text).digest('base64url');
}
