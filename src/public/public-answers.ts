import { runInEngineContext } from '../engine/engine-state';
import type { TournamentRecord } from '../storage/storage.types';
import { encodeAnswer } from './cached-answer';
import { eventDataAnswer, participantsAnswer, scheduleAnswer, tournamentInfoAnswer } from './public-queries';
import type {
  EventDataParams,
  ParticipantsParams,
  PublicRoute,
  ScheduleParams,
  TournamentInfoParams,
} from './public.schemas';
import { publishInfoOf, type PublishInfo } from './publish-state';

/** Normalised params per route, without the tournament id (the key holds it). */
export interface RouteParams {
  tournamentinfo: TournamentInfoParams;
  eventdata: EventDataParams;
  scheduledmatchups: ScheduleParams;
  participants: ParticipantsParams;
}

type Compute<R extends PublicRoute> = (
  record: TournamentRecord,
  publish: PublishInfo,
  params: RouteParams[R],
) => object;
const COMPUTE: { [R in PublicRoute]: Compute<R> } = {
  tournamentinfo: tournamentInfoAnswer,
  eventdata: eventDataAnswer,
  scheduledmatchups: scheduleAnswer,
  participants: participantsAnswer,
};

/** A public answer computed from a committed record: cached bytes, when it expires, the publish state read. */
export interface ComputedPublicAnswer {
  encoded: Buffer;
  /** The next embargo to lift (epoch ms): the answer changes then. */
  next?: number;
  publish: PublishInfo;
}

/**
 * Computes, serialises and gzips one public answer (runs where the record lives: an engine host).
 * An engine exception on odd filters is the engine's failure, not the client's: a plain error answer.
 */
export function computePublicAnswer<R extends PublicRoute>(
  route: R,
  record: TournamentRecord,
  params: RouteParams[R],
  now: number,
  warn: (message: string) => void,
): ComputedPublicAnswer {
  const publish = publishInfoOf(record, now);
  let body: object;
  try {
    const compute = COMPUTE[route] as Compute<R>;
    body = runInEngineContext({ [record.tournamentId]: record }, () => compute(record, publish, params));
  } catch (error) {
    warn(`${route} failed for ${record.tournamentId}: ${(error as Error).message}`);
    body = { error: { code: 'ERR_ENGINE', message: 'could not compute this answer' } };
  }
  const { passed, next } = publish.embargoes;
  return { encoded: encodeAnswer(JSON.stringify(body), passed), next, publish };
}
