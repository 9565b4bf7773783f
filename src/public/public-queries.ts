import { queryGovernor } from 'tods-competition-factory';
import { tournamentProviderId } from '../auth/access';
import type { ErrorBody } from '../common/errors';
import type { TournamentRecord } from '../storage/storage.types';
import { publicPrivacyPolicy } from './privacy-policy';
import { EVENT_NOT_FOUND, PARTICIPANTS_NOT_PUBLISHED, TOURNAMENT_NOT_FOUND } from './public-errors';
import type { EventDataParams, ParticipantsParams, ScheduleParams, TournamentInfoParams } from './public.schemas';
import type { PublishInfo } from './publish-state';
import { publicView } from './public-view';

/**
 * The public answers, computed from a committed record and its publish state. Synchronous on
 * purpose: the record may be the executor's hot copy, valid only until the next await.
 */
type Answer = Record<string, unknown>;
type Governor = Record<string, (params: Record<string, unknown>) => any>;
const engine = queryGovernor as unknown as Governor;

export function tournamentInfoAnswer(
  record: TournamentRecord,
  publish: PublishInfo,
  params: TournamentInfoParams,
): Answer {
  // A tournament on its provider's calendar is public already (the calendar lists it): its info
  // answers from the start, with `eventInfo: []` until an event is published.
  if (!publish.tournamentPublished && !tournamentProviderId(record)) return TOURNAMENT_NOT_FOUND;
  const result = engine.getTournamentInfo({
    // Every participant stays in view: staff contacts come from them (through the engine's staff policy).
    tournamentRecord: publicView(record, publish, publish.eventIds, { allParticipants: true }),
    usePublishState: true,
    withMatchUpStats: params.withMatchUpStats,
    withVenueData: params.withVenueData,
  });
  if (result?.error) return engineError(result.error);
  return { success: true, tournamentInfo: result.tournamentInfo };
}

export function eventDataAnswer(record: TournamentRecord, publish: PublishInfo, params: EventDataParams): Answer {
  if (!publish.tournamentPublished) return TOURNAMENT_NOT_FOUND;
  if (!publish.eventIds.includes(params.eventId)) return EVENT_NOT_FOUND;
  const result = engine.getEventData({
    tournamentRecord: publicView(record, publish, [params.eventId]),
    eventId: params.eventId,
    usePublishState: true,
    policyDefinitions: publicPrivacyPolicy(),
    hydrateParticipants: params.hydrateParticipants,
    participantsProfile: { withISO2: true, withIOC: true, withScaleValues: true },
    // Fills each matchUp's `competitiveProfile` ({ competitiveness, pctSpread }): the rounds table's Profile column.
    contextProfile: { withCompetitiveness: true },
    includePositionAssignments: true,
    allParticipantResults: true,
    refreshResults: true,
    pressureRating: true,
  });
  if (result?.error) return engineError(result.error);
  // The engine's own tournamentInfo here only knows the one event in view: use the public one.
  const info = tournamentInfoAnswer(record, publish, { withMatchUpStats: false, withVenueData: false });
  const eventData = { ...result.eventData, tournamentInfo: info.tournamentInfo };
  return { success: true, eventData, participants: result.participants ?? [] };
}

export function scheduleAnswer(record: TournamentRecord, publish: PublishInfo, params: ScheduleParams): Answer {
  if (!publish.tournamentPublished) return TOURNAMENT_NOT_FOUND;
  // Same shape as the engine's answer for an unpublished order of play, without venues or anything else.
  if (!publish.orderOfPlay) return { success: true, dateMatchUps: [], completedMatchUps: [], courtsData: [] };
  const { tournamentId } = record;
  const result = engine.competitionScheduleMatchUps({
    // The engine writes into the filter objects it is given.
    ...structuredClone(params),
    tournamentRecords: { [tournamentId]: publicView(record, publish, publish.eventIds) },
    activeTournamentId: tournamentId,
    usePublishState: true,
    policyDefinitions: publicPrivacyPolicy(),
  });
  if (result?.error) return engineError(result.error);
  return { ...result, success: true };
}

export function participantsAnswer(record: TournamentRecord, publish: PublishInfo, params: ParticipantsParams): Answer {
  if (!publish.tournamentPublished) return TOURNAMENT_NOT_FOUND;
  if (!publish.participants) return PARTICIPANTS_NOT_PUBLISHED;
  const view = publicView(record, publish, publish.eventIds, { allParticipants: true });
  const result = engine.getParticipants({
    // The engine may write into filter objects: copies. Roles are fixed: staff and officials never show.
    participantFilters: { ...structuredClone(params.participantFilters ?? {}), participantRoles: ['COMPETITOR'] },
    contextFilters: params.contextFilters && structuredClone(params.contextFilters),
    matchUpFilters: params.matchUpFilters && structuredClone(params.matchUpFilters),
    tournamentRecord: view,
    policyDefinitions: publicPrivacyPolicy(),
    usePublishState: true,
    withScaleValues: params.withScaleValues,
    withIndividualParticipants: params.withIndividualParticipants,
    withISO2: params.withISO2,
    withIOC: params.withIOC,
  });
  if (result?.error) return engineError(result.error);
  const participants = (result.participants ?? []) as Array<Record<string, unknown>>;
  if (params.withEvents) {
    // The engine's own `withEvents` lists entries without event names, and its privacy policy drops
    // them: the published events each participant is entered in, from the public view.
    const events = publishedEventsByParticipant(view);
    for (const participant of participants) {
      participant.events = events.get(participant.participantId as string) ?? [];
    }
  }
  return { success: true, participants };
}

type PublicEvent = { eventId: string; eventName?: string; eventType?: string };
type ViewEvent = PublicEvent & { entries?: Array<{ participantId?: unknown; entryStatus?: unknown }> };

/**
 * Participant id → the published events it is entered in (`eventId`, `eventName`, `eventType`),
 * individuals of pairs and teams included. Withdrawn entries do not count.
 */
function publishedEventsByParticipant(view: TournamentRecord): Map<string, PublicEvent[]> {
  const individuals = new Map<string, string[]>();
  for (const participant of (view.participants as Array<Record<string, unknown>> | undefined) ?? []) {
    const ids = participant?.individualParticipantIds;
    if (typeof participant?.participantId === 'string' && Array.isArray(ids)) {
      individuals.set(
        participant.participantId,
        ids.filter((id): id is string => typeof id === 'string'),
      );
    }
  }
  const byParticipant = new Map<string, PublicEvent[]>();
  const add = (participantId: string, event: PublicEvent) => {
    const list = byParticipant.get(participantId) ?? [];
    if (!list.some((known) => known.eventId === event.eventId)) list.push(event);
    byParticipant.set(participantId, list);
  };
  for (const event of (view.events as ViewEvent[] | undefined) ?? []) {
    if (typeof event?.eventId !== 'string') continue;
    const info: PublicEvent = { eventId: event.eventId };
    if (typeof event.eventName === 'string') info.eventName = event.eventName;
    if (typeof event.eventType === 'string') info.eventType = event.eventType;
    for (const entry of event.entries ?? []) {
      if (typeof entry?.participantId !== 'string' || entry.entryStatus === 'WITHDRAWN') continue;
      add(entry.participantId, info);
      for (const id of individuals.get(entry.participantId) ?? []) add(id, info);
    }
  }
  return byParticipant;
}

function engineError(error: unknown): { error: ErrorBody } {
  if (typeof error === 'string') return { error: { code: 'ERR_ENGINE', message: error } };
  const { message, code } = (error ?? {}) as { message?: unknown; code?: unknown };
  return {
    error: {
      code: typeof code === 'string' ? code : 'ERR_ENGINE',
      message: typeof message === 'string' ? message : 'Engine error',
    },
  };
}
