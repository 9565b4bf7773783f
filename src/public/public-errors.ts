import { ErrorCode, type ErrorBody } from '../common/errors';

/** The same answer for an unknown and for an unpublished tournament: existence is not revealed. */
export const TOURNAMENT_NOT_FOUND: { error: ErrorBody } = {
  error: { code: ErrorCode.NOT_FOUND, message: 'Tournament not found or not published' },
};

export const EVENT_NOT_FOUND: { error: ErrorBody } = {
  error: { code: ErrorCode.NOT_FOUND, message: 'Event not found or not published' },
};

export const PARTICIPANTS_NOT_PUBLISHED: { error: ErrorBody } = {
  error: { code: ErrorCode.NOT_FOUND, message: 'Participants not published' },
};
