import { ErrorCode, type ErrorBody } from '../common/errors';
import { findForbiddenKey } from '../common/validation';

/**
 * Shape checks for incoming socket messages, done before anything else sees them. The executor
 * checks batches again in depth (allow-list, byte cap, access); these keep junk, prototype keys and
 * oversized lists away from it and give the client a precise reason.
 */
export type Parsed<T> = { value: T; error?: undefined } | { error: ErrorBody };

export interface BatchMessage {
  tournamentIds?: string[];
  tournamentId?: string;
  methods: unknown[];
  rollbackOnError?: unknown;
  ackId?: string | number;
  /** The desk's engine version, as TMX reports it with every batch; only compared, never trusted. */
  factoryVersion?: string;
  /** Conflict detection (checked by the executor): the versions the desk's copy had, and what to do. */
  baseVersions?: unknown;
  conflictPolicy?: unknown;
  /** The ack carries the engine's results (server-authoritative clients). */
  returnResults?: boolean;
}

export interface MessageLimits {
  maxMethods: number;
  maxTournaments: number;
}

const MAX_ID_LENGTH = 200;

/**
 * `{ type: 'executionQueue', payload: {...} }` as TMX sends it, or the bare payload that some
 * older clients send. Client claims such as `userId` are dropped: the token says who sent it.
 */
export function parseBatch(data: unknown, limits: MessageLimits): Parsed<BatchMessage> {
  const payload = batchPayload(data);
  if (!isObject(payload)) return invalid('expected { type: "executionQueue", payload: { methods, tournamentIds } }');
  const forbidden = findForbiddenKey(payload);
  if (forbidden) return invalid(`forbidden key in payload: ${forbidden}`);

  const { methods, tournamentIds, tournamentId, ackId, rollbackOnError, baseVersions, conflictPolicy } = payload;
  if (!Array.isArray(methods) || !methods.length) return invalid('payload.methods must be a non-empty array');
  if (methods.length > limits.maxMethods) {
    return {
      error: { code: ErrorCode.BATCH_TOO_LARGE, message: `a batch may hold at most ${limits.maxMethods} methods` },
    };
  }
  const bad = methods.findIndex((d) => !isObject(d) || typeof d.method !== 'string' || !d.method);
  if (bad >= 0) return invalid(`payload.methods[${bad}] must be { method, params }`);
  if (tournamentIds !== undefined) {
    if (!Array.isArray(tournamentIds) || !tournamentIds.every(isId)) {
      return invalid('payload.tournamentIds must be an array of ids');
    }
    if (tournamentIds.length > limits.maxTournaments) {
      const message = `a batch may name at most ${limits.maxTournaments} tournaments`;
      return { error: { code: ErrorCode.BATCH_TOO_LARGE, message } };
    }
  }
  if (tournamentId !== undefined && !isId(tournamentId)) return invalid('payload.tournamentId must be an id');
  const ack = ackIdOf(payload);
  if (ackId !== undefined && ackId !== null && ack === undefined) return invalid('payload.ackId must be a string');
  const factoryVersion =
    typeof payload.factoryVersion === 'string' && payload.factoryVersion.length <= 50
      ? payload.factoryVersion
      : undefined;
  if (payload.returnResults !== undefined && typeof payload.returnResults !== 'boolean') {
    return invalid('payload.returnResults must be true or false');
  }
  const returnResults = payload.returnResults === true;
  return {
    value: {
      ...{ methods, tournamentIds, tournamentId, ackId: ack, rollbackOnError, factoryVersion },
      ...{ baseVersions, conflictPolicy, returnResults },
    },
  };
}

/** What an error `ack` can echo from a message that may not have passed `parseBatch`. */
export function ackContext(data: unknown): { ackId?: string | number; tournamentIds: string[] } {
  const payload = batchPayload(data);
  if (!isObject(payload)) return { tournamentIds: [] };
  const { tournamentIds, tournamentId } = payload;
  const ids = Array.isArray(tournamentIds) ? tournamentIds : [tournamentId];
  return { ackId: ackIdOf(payload), tournamentIds: ids.filter(isId).slice(0, 100) };
}

/** `{ tournamentId }` (a bare id string is accepted too). */
export function parseTournamentRef(data: unknown): Parsed<string> {
  const id = typeof data === 'string' ? data : isObject(data) ? data.tournamentId : undefined;
  return isId(id) ? { value: id } : invalid('expected { tournamentId }');
}

/** `{ tournamentId, sinceVersion }` with a whole, non-negative version. */
export function parseMutationsSince(data: unknown): Parsed<{ tournamentId: string; sinceVersion: number }> {
  const ref = parseTournamentRef(data);
  if (ref.error) return ref;
  const sinceVersion = (data as Record<string, unknown>).sinceVersion;
  if (typeof sinceVersion !== 'number' || !Number.isSafeInteger(sinceVersion) || sinceVersion < 0) {
    return invalid('sinceVersion must be a whole number >= 0');
  }
  return { value: { tournamentId: ref.value, sinceVersion } };
}

function batchPayload(data: unknown): unknown {
  if (!isObject(data)) return undefined;
  if (data.type === undefined && data.payload === undefined) return data; // bare payload
  return data.type === 'executionQueue' ? data.payload : undefined;
}

function ackIdOf(payload: Record<string, unknown>): string | number | undefined {
  const { ackId } = payload;
  if (typeof ackId === 'string' && ackId && ackId.length <= MAX_ID_LENGTH) return ackId;
  if (typeof ackId === 'number' && Number.isFinite(ackId)) return ackId;
  return undefined;
}

function isId(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_ID_LENGTH;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalid(message: string): { error: ErrorBody } {
  return { error: { code: ErrorCode.INVALID_INPUT, message } };
}
