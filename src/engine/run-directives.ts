import { tournamentEngine } from 'tods-competition-factory';
import type { Directive, TournamentRecord } from '../storage/storage.types';
import { runInEngineContext } from './engine-state';

/** What a committed batch changed in one tournament, from the engine's own notices. */
export interface TournamentChanges {
  /** Notice topics seen (e.g. `modifyMatchUp`, `publishOrderOfPlay`). */
  topics: string[];
  eventIds: string[];
  drawIds: string[];
}

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
  const changes: Record<string, { topics: Set<string>; eventIds: Set<string>; drawIds: Set<string> }> = {};
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
        { topics: [...c.topics].sort(), eventIds: [...c.eventIds].sort(), drawIds: [...c.drawIds].sort() },
      ]),
    ),
  };
}

function collect(
  changes: Record<string, { topics: Set<string>; eventIds: Set<string>; drawIds: Set<string> }>,
  topic: string,
  payloads: unknown[],
): void {
  for (const payload of payloads as Array<Record<string, any>>) {
    const tournamentId = payload?.tournamentId;
    if (typeof tournamentId !== 'string') continue;
    const entry = (changes[tournamentId] ??= { topics: new Set(), eventIds: new Set(), drawIds: new Set() });
    entry.topics.add(topic);
    const eventId = payload.eventId ?? payload.event?.eventId;
    if (typeof eventId === 'string') entry.eventIds.add(eventId);
    const drawId = payload.drawId ?? payload.drawDefinition?.drawId ?? payload.matchUp?.drawId;
    if (typeof drawId === 'string') entry.drawIds.add(drawId);
  }
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
