import { queryGovernor } from 'tods-competition-factory';
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
  if (!publish.tournamentPublished) return TOURNAMENT_NOT_FOUND;
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

export function participantsAnswer(
  record: TournamentRecord,
  publish: PublishInfo,
  _params: ParticipantsParams,
): Answer {
  if (!publish.tournamentPublished) return TOURNAMENT_NOT_FOUND;
  if (!publish.participants) return PARTICIPANTS_NOT_PUBLISHED;
  const result = engine.getParticipants({
    tournamentRecord: publicView(record, publish, publish.eventIds, { allParticipants: true }),
    participantFilters: { participantRoles: ['COMPETITOR'] },
    policyDefinitions: publicPrivacyPolicy(),
    usePublishState: true,
    withScaleValues: true,
  });
  if (result?.error) return engineError(result.error);
  return { success: true, participants: result.participants ?? [] };
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
