import { tournamentEngine } from 'tods-competition-factory';
import type { Directive, TournamentRecord } from '../storage/storage.types';
import { runInEngineContext } from './engine-state';

/** What a committed batch changed in one tournament, from the engine's own notices. */
export interface TournamentChanges {
  /** Notice topics seen (e.g. `modifyMatchUp`, `publishOrderOfPlay`). */
  topics: string[];
  eventIds: string[];
  drawIds: string[];
  /** Structures whose position assignments changed (`modifyPositionAssignments`). */
  structureIds: string[];
  /** MatchUps the notices name (modified, added or deleted). */
  matchUpIds: string[];
  /** Participants the notices name (added, modified or deleted). */
  participantIds: string[];
  /** Venues the notices name (added, modified or deleted). */
  venueIds: string[];
  /** Draws added or deleted (`addDrawDefinition`, `deletedDrawIds`). */
  restructuredDrawIds: string[];
  /** Events whose entry lists changed (`modifyEventEntries`). */
  entryEventIds: string[];
}

const RESTRUCTURING = new Set(['addDrawDefinition', 'deletedDrawIds']);

export interface EngineError {
  message: string;
  code: string;
  [detail: string]: unknown;
}

export type DirectivesOutcome =
  | { success: true; results: unknown[]; changes: Record<string, TournamentChanges> }
  | { success: false; error: EngineError };

/**
 * Topics collected after a successful batch. Only topics whose notices the engine builds cheaply:
 * `publishEvent` (builds whole event data) and in-context / audit topics are left out on purpose;
 * publishing is recognised from the method names instead.
 */
export const WATCHED_TOPICS = [
  'addDrawDefinition',
  'addEvent',
  'addMatchUps',
  'addParticipants',
  'addVenue',
  'deleteEvent',
  'deleteParticipants',
  'deleteVenue',
  'deletedDrawIds',
  'deletedMatchUpIds',
  'modifyDrawDefinition',
  'modifyEvent',
  'modifyEventEntries',
  'modifyDrawEntries',
  'modifyMatchUp',
  'modifyParticipants',
  'modifyPositionAssignments',
  'modifySeedAssignments',
  'modifyTournamentDetail',
  'modifyVenue',
  'publishEventSeeding',
  'publishOrderOfPlay',
  'publishParticipants',
  'unPublishEvent',
  'unPublishEventSeeding',
  'unPublishOrderOfPlay',
  'unPublishParticipants',
  'unPublishTournament',
] as const;

/**
 * Runs directives on the given records, in engine state that belongs to this call alone. The
 * records are changed in place (no copy); on failure they may be half-changed and must be
 * discarded by the caller. The engine's own rollback is not used: a failed batch is never stored,
 * which makes every batch all-or-nothing without the engine's deep-copy snapshot.
 */
export function runDirectives(records: Record<string, TournamentRecord>, directives: Directive[]): DirectivesOutcome {
  const changes: Record<string, Collected> = {};
  const subscriptions = Object.fromEntries(
    WATCHED_TOPICS.map((topic) => [topic, (payloads: unknown[]) => collect(changes, topic, payloads)]),
  );
  const result = runInEngineContext(
    records,
    () => tournamentEngine.executionQueue(directives, false),
    subscriptions,
  ) as {
    success?: boolean;
    results?: unknown[];
    error?: unknown;
    [key: string]: unknown;
  };
  if (result?.error || !result?.success) return { success: false, error: toEngineError(result) };
  return {
    success: true,
    results: result.results ?? [],
    changes: Object.fromEntries(
      Object.entries(changes).map(([id, c]) => [
        id,
        {
          topics: [...c.topics].sort(),
          eventIds: [...c.eventIds].sort(),
          drawIds: [...c.drawIds].sort(),
          structureIds: [...c.structureIds].sort(),
          matchUpIds: [...c.matchUpIds].sort(),
          participantIds: [...c.participantIds].sort(),
          venueIds: [...c.venueIds].sort(),
          restructuredDrawIds: [...c.restructuredDrawIds].sort(),
          entryEventIds: [...c.entryEventIds].sort(),
        },
      ]),
    ),
  };
}

type Collected = Record<keyof TournamentChanges, Set<string>>;

/** Only ids and topic names are kept: payloads are live engine objects, and copying them would cost. */
function collect(changes: Record<string, Collected>, topic: string, payloads: unknown[]): void {
  for (const payload of payloads as Array<Record<string, any>>) {
    const tournamentId = payload?.tournamentId;
    if (typeof tournamentId !== 'string') continue;
    const entry = (changes[tournamentId] ??= {
      topics: new Set(),
      eventIds: new Set(),
      drawIds: new Set(),
      structureIds: new Set(),
      matchUpIds: new Set(),
      participantIds: new Set(),
      venueIds: new Set(),
      restructuredDrawIds: new Set(),
      entryEventIds: new Set(),
    });
    entry.topics.add(topic);
    addId(entry.eventIds, payload.eventId ?? payload.event?.eventId);
    addId(entry.drawIds, payload.drawId ?? payload.drawDefinition?.drawId ?? payload.matchUp?.drawId);
    if (topic === 'modifyPositionAssignments') addId(entry.structureIds, payload.structureId);
    addId(entry.matchUpIds, payload.matchUp?.matchUpId);
    addIds(entry.matchUpIds, payload.matchUpIds);
    addIds(entry.matchUpIds, payload.matchUps, 'matchUpId');
    addId(entry.venueIds, payload.venue?.venueId ?? payload.venueId);
    addIds(entry.participantIds, payload.participantIds);
    addIds(entry.participantIds, payload.participants, 'participantId');
    addId(entry.participantIds, payload.participant?.participantId);
    if (RESTRUCTURING.has(topic)) {
      addId(entry.restructuredDrawIds, payload.drawId ?? payload.drawDefinition?.drawId);
      addIds(entry.restructuredDrawIds, payload.drawIds);
    }
    if (topic === 'modifyEventEntries') addId(entry.entryEventIds, payload.eventId);
  }
}

function addId(ids: Set<string>, value: unknown): void {
  if (typeof value === 'string') ids.add(value);
}

/** Ids from a list of ids, or (with `field`) from a list of objects; bounded so a huge notice stays cheap. */
function addIds(ids: Set<string>, list: unknown, field?: string): void {
  if (!Array.isArray(list)) return;
  for (const item of list.slice(0, 10_000))
    addId(ids, field ? (item as Record<string, unknown> | undefined)?.[field] : item);
}

function toEngineError(result: Record<string, unknown> | undefined): EngineError {
  const error = result?.error as { message?: unknown; code?: unknown } | string | undefined;
  const message =
    typeof error === 'string' ? error : typeof error?.message === 'string' ? error.message : 'Engine error';
  const code = typeof error === 'object' && typeof error?.code === 'string' ? error.code : 'ERR_ENGINE';
  const detail: EngineError = { message, code };
  if (typeof result?.methodName === 'string') detail.methodName = result.methodName;
  if (typeof result?.info === 'string') detail.info = result.info;
  return detail;
}
