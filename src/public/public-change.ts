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

export interface PublicChangeDecision {
  change: Omit<PublicChange, 'tournamentId' | 'version'>;
  /** Published events whose event data should be computed ahead of the next read. */
  warmEventIds: string[];
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
  if (publishMoved) {
    topics.add('publishing');
    for (const eventId of movedEvents(event, before, after)) if (publicEventIds.has(eventId)) eventIds.add(eventId);
  }

  const reported = event.changes[tournamentId];
  // Publishing methods raise no notice of their own (the engine's publishEvent topic is not watched).
  const explained = publishMoved && event.methods.every(isPublishing);
  if (event.kind === 'save' || (!reported?.topics.length && !explained)) {
    // Anything may have changed.
    topics.add('tournament');
    return { change: { topics: [...topics] }, warmEventIds: after.eventIds };
  }
  const reportedTopics = reported?.topics ?? [];
  for (const topic of reportedTopics) for (const part of TOPIC_PARTS[topic] ?? []) topics.add(part);
  for (const eventId of reported?.eventIds ?? []) if (publicEventIds.has(eventId)) eventIds.add(eventId);
  const onlyUnpublishedEvents = reportedTopics.every((topic) => EVENT_SCOPED.has(topic)) && eventIds.size === 0;
  if (onlyUnpublishedEvents && !publishMoved) return undefined;
  if (!topics.size) topics.add('tournament');

  const warmEventIds = [...eventIds].filter((eventId) => after.eventIds.includes(eventId));
  const change = eventIds.size
    ? { eventIds: [...eventIds].sort(), topics: [...topics].sort() }
    : { topics: [...topics].sort() };
  return { change, warmEventIds };
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
