import type { CommittedEvent } from '../tournaments/tournament-events';
import type { PublicChange } from './public-events';
import type { PublishInfo } from './publish-state';

/** Engine notice topics → the public parts they move (as named in `publicUpdate.topics`). */
const TOPIC_PARTS: Record<string, string[]> = {
  modifyMatchUp: ['eventData', 'schedule'],
  deletedMatchUpIds: ['eventData', 'schedule'],
  addMatchUps: ['eventData'],
  modifyPositionAssignments: ['eventData'],
  modifySeedAssignments: ['eventData'],
  addDrawDefinition: ['eventData'],
  modifyDrawDefinition: ['eventData'],
  deletedDrawIds: ['eventData'],
  modifyDrawEntries: ['eventData'],
  modifyEventEntries: ['eventData'],
  addEvent: ['tournamentInfo'],
  modifyEvent: ['tournamentInfo', 'eventData'],
  deleteEvent: ['tournamentInfo', 'eventData'],
  modifyTournamentDetail: ['tournamentInfo'],
  addVenue: ['tournamentInfo', 'schedule'],
  modifyVenue: ['tournamentInfo', 'schedule'],
  deleteVenue: ['tournamentInfo', 'schedule'],
  addParticipants: ['participants'],
  deleteParticipants: ['participants'],
  modifyParticipants: ['participants'],
};

/** Topics whose notices name the event they concern: irrelevant when that event is not public. */
const EVENT_SCOPED = new Set([
  'modifyMatchUp',
  'deletedMatchUpIds',
  'addMatchUps',
  'modifyPositionAssignments',
  'modifySeedAssignments',
  'addDrawDefinition',
  'modifyDrawDefinition',
  'deletedDrawIds',
  'modifyDrawEntries',
  'modifyEventEntries',
  'modifyEvent',
  'deleteEvent',
]);

/**
 * Topics a score or a draw position change raises: a batch that raised only these can go out as a
 * `matchUpUpdate` (the site patches the matchUps in place instead of re-reading).
 */
const MATCHUP_TOPICS = new Set(['modifyMatchUp', 'modifyPositionAssignments', 'modifyDrawDefinition']);

export interface PublicChangeDecision {
  change: Omit<PublicChange, 'tournamentId' | 'version'>;
  /** Published events whose event data should be computed ahead of the next read. */
  warmEventIds: string[];
  /**
   * Set when the batch only changed matchUps: their ids. The change goes out as a `matchUpUpdate`
   * carrying those of them the public may see; as the plain announcement when it may see none.
   */
  matchUpIds?: string[];
}

/**
 * Whether a commit changed what the public sees of one tournament, by comparing the publish state
 * before and after and looking at what the engine reported changing. When unsure (a whole-record
 * save, a change the engine did not describe), it says yes: a needless re-read costs a cache hit,
 * a missed one leaves viewers stale. Never says yes for a tournament that was and is unpublished.
 */
export function decidePublicChange(
  event: Pick<CommittedEvent, 'kind' | 'methods' | 'changes'>,
  tournamentId: string,
  before: PublishInfo | undefined,
  after: PublishInfo,
): PublicChangeDecision | undefined {
  const publishMoved = before ? before.signature !== after.signature : event.methods.some(isPublishing);
  const wasPublic = before ? before.tournamentPublished : publishMoved;
  if (!after.tournamentPublished && !wasPublic) return undefined;

  const publicEventIds = new Set([...after.eventIds, ...(before?.eventIds ?? [])]);
  const topics = new Set<string>();
  const eventIds = new Set<string>();
  const moved = publishMoved ? movedEvents(event, before, after).filter((eventId) => publicEventIds.has(eventId)) : [];
  if (publishMoved) {
    topics.add('publishing');
    for (const eventId of moved) eventIds.add(eventId);
  }
  const type = publishMoved ? ('publishChange' as const) : ('tournamentUpdate' as const);
  const publishing = publishMoved ? publishAction(event, before, after, moved) : {};

  const reported = event.changes[tournamentId];
  // Publishing methods raise no notice of their own (the engine's publishEvent topic is not watched).
  const explained = publishMoved && event.methods.every(isPublishing);
  if (event.kind === 'save' || (!reported?.topics.length && !explained)) {
    // Anything may have changed.
    topics.add('tournament');
    return { change: { type, ...publishing, topics: [...topics] }, warmEventIds: after.eventIds };
  }
  const reportedTopics = reported?.topics ?? [];
  for (const topic of reportedTopics) for (const part of TOPIC_PARTS[topic] ?? []) topics.add(part);
  for (const eventId of reported?.eventIds ?? []) if (publicEventIds.has(eventId)) eventIds.add(eventId);
  const onlyUnpublishedEvents = reportedTopics.every((topic) => EVENT_SCOPED.has(topic)) && eventIds.size === 0;
  if (onlyUnpublishedEvents && !publishMoved) return undefined;
  if (!topics.size) topics.add('tournament');

  const warmEventIds = [...eventIds].filter((eventId) => after.eventIds.includes(eventId));
  const change = eventIds.size
    ? { type, ...publishing, eventIds: [...eventIds].sort(), topics: [...topics].sort() }
    : { type, ...publishing, topics: [...topics].sort() };
  const onlyMatchUps = !publishMoved && reportedTopics.every((topic) => MATCHUP_TOPICS.has(topic));
  const matchUpIds = onlyMatchUps && reported?.matchUpIds?.length ? reported.matchUpIds : undefined;
  return matchUpIds ? { change, warmEventIds, matchUpIds } : { change, warmEventIds };
}

const EVENT_ACTIONS = ['publishEvent', 'unPublishEvent'] as const;
const TOURNAMENT_ACTIONS = new Set([
  'publishOrderOfPlay',
  'unPublishOrderOfPlay',
  'publishParticipants',
  'unPublishParticipants',
  'unPublishTournament',
]);

/**
 * `action` (the engine's topic name for the change) and `eventId` of a `publishChange`, for the
 * first thing that moved: an event, then the order of play, then the participants. With several,
 * `eventIds` lists every moved event.
 */
function publishAction(
  event: Pick<CommittedEvent, 'methods'>,
  before: PublishInfo | undefined,
  after: PublishInfo,
  moved: string[],
): { action: string; eventId?: string } {
  const [eventId] = moved;
  if (eventId) return { action: EVENT_ACTIONS[after.eventIds.includes(eventId) ? 0 : 1], eventId };
  if (before && before.orderOfPlay !== after.orderOfPlay) {
    return { action: after.orderOfPlay ? 'publishOrderOfPlay' : 'unPublishOrderOfPlay' };
  }
  if (before && before.participants !== after.participants) {
    return { action: after.participants ? 'publishParticipants' : 'unPublishParticipants' };
  }
  const method = event.methods.find((directive) => TOURNAMENT_ACTIONS.has(directive.method))?.method;
  if (method) return { action: method };
  return { action: after.tournamentPublished ? 'publishTournament' : 'unPublishTournament' };
}

/** Events whose publish state differs (or, with nothing known before, the events the methods name). */
function movedEvents(event: Pick<CommittedEvent, 'methods'>, before: PublishInfo | undefined, after: PublishInfo) {
  if (!before) {
    return event.methods.filter(isPublishing).flatMap((directive) => {
      const eventId = directive.params?.eventId;
      return typeof eventId === 'string' ? [eventId] : [];
    });
  }
  const ids = new Set([...Object.keys(before.eventSignatures), ...Object.keys(after.eventSignatures)]);
  return [...ids].filter((eventId) => before.eventSignatures[eventId] !== after.eventSignatures[eventId]);
}

/** Directives that may change publish state (publishing methods, or publish time items set directly). */
function isPublishing(directive: { method: string; params?: Record<string, unknown> }): boolean {
  if (/publish/i.test(directive.method) || directive.method === 'setEventDisplay') return true;
  const timeItem = directive.params?.timeItem as { itemType?: unknown } | undefined;
  return (
    /TimeItem$/.test(directive.method) && typeof timeItem?.itemType === 'string' && /^PUBLISH/.test(timeItem.itemType)
  );
}
