import { AppError, ErrorCode } from '../common/errors';
import { findForbiddenKey } from '../common/validation';
import type { Directive } from '../storage/storage.types';

export interface BatchLimits {
  maxMethods: number;
  maxTournaments: number;
  maxBytes: number;
}

export interface CheckedBatch {
  /** De-duplicated and sorted. */
  tournamentIds: string[];
  /** The directives exactly as the client sent them (logged and broadcast). */
  methods: Directive[];
  /** The same directives as JSON: the engine gets a fresh copy per run, since it keeps what it is given. */
  methodsJson: string;
  ackId?: string;
  /** The version of each tournament the sender's copy had (only tournaments of the batch). */
  baseVersions?: Record<string, number>;
  /** What to do when a batch since the base changed the same things. */
  conflictPolicy: ConflictPolicy;
}

export type ConflictPolicy = 'reject' | 'overwrite';

const MAX_ID_LENGTH = 200;

/**
 * Checks a batch before any lock is taken: shape, allow-listed method names, prototype keys and
 * size caps. The engine returns early without rolling back on an unknown method, so unknown names
 * must never reach it. Throws `AppError`.
 */
export function checkBatch(
  input: {
    tournamentIds?: unknown;
    tournamentId?: unknown;
    methods?: unknown;
    ackId?: unknown;
    baseVersions?: unknown;
    conflictPolicy?: unknown;
  },
  allowed: ReadonlySet<string>,
  limits: BatchLimits,
): CheckedBatch {
  const { methods } = input;
  if (!Array.isArray(methods) || methods.length === 0) invalid('methods must be a non-empty array');
  if (methods.length > limits.maxMethods) {
    throw new AppError(ErrorCode.BATCH_TOO_LARGE, `a batch may hold at most ${limits.maxMethods} methods`);
  }
  methods.forEach((directive, index) => checkDirective(directive, index, allowed));
  const forbidden = findForbiddenKey(methods);
  if (forbidden) invalid(`forbidden key in methods: ${forbidden}`);

  const methodsJson = JSON.stringify(methods);
  if (Buffer.byteLength(methodsJson) > limits.maxBytes) {
    throw new AppError(ErrorCode.BATCH_TOO_LARGE, `a batch may hold at most ${limits.maxBytes} bytes`);
  }

  const tournamentIds = normaliseTournamentIds(input, methods as Directive[]);
  if (tournamentIds.length > limits.maxTournaments) {
    throw new AppError(ErrorCode.BATCH_TOO_LARGE, `a batch may name at most ${limits.maxTournaments} tournaments`);
  }
  return {
    tournamentIds,
    methods: methods as Directive[],
    methodsJson,
    ackId: normaliseAckId(input.ackId),
    baseVersions: normaliseBaseVersions(input.baseVersions, tournamentIds),
    conflictPolicy: normalisePolicy(input.conflictPolicy),
  };
}

/** `{ [tournamentId]: version }`: whole versions from 0; entries for other tournaments are ignored. */
function normaliseBaseVersions(value: unknown, tournamentIds: string[]): Record<string, number> | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isPlainObject(value)) invalid('baseVersions must be an object of { tournamentId: version }');
  const bases: Record<string, number> = {};
  for (const id of tournamentIds) {
    const base = Object.hasOwn(value, id) ? value[id] : undefined;
    if (base === undefined) continue;
    if (typeof base !== 'number' || !Number.isSafeInteger(base) || base < 0) {
      invalid(`baseVersions.${id.slice(0, 100)} must be a whole number >= 0`);
    }
    bases[id] = base;
  }
  return Object.keys(bases).length ? bases : undefined;
}

function normalisePolicy(value: unknown): ConflictPolicy {
  if (value === undefined || value === null || value === 'reject') return 'reject';
  if (value === 'overwrite') return 'overwrite';
  return invalid("conflictPolicy must be 'reject' or 'overwrite'");
}

function checkDirective(directive: unknown, index: number, allowed: ReadonlySet<string>): void {
  if (!isPlainObject(directive)) invalid(`methods[${index}] must be an object`);
  const { method, params, pipe } = directive;
  if (typeof method !== 'string' || !method) invalid(`methods[${index}].method must be a string`);
  if (params !== undefined && !isPlainObject(params)) invalid(`methods[${index}].params must be an object`);
  if (pipe !== undefined && !isPlainObject(pipe)) invalid(`methods[${index}].pipe must be an object`);
  if (!allowed.has(method)) {
    throw new AppError(ErrorCode.METHOD_NOT_ALLOWED, `method not allowed: ${method.slice(0, 100)}`, {
      method: method.slice(0, 100),
    });
  }
}

/** `tournamentIds`, or `tournamentId`, or (older clients) the ids named in the directives' params. */
export function normaliseTournamentIds(
  input: { tournamentIds?: unknown; tournamentId?: unknown },
  methods: Directive[] = [],
): string[] {
  const named: unknown[] = Array.isArray(input.tournamentIds)
    ? input.tournamentIds
    : input.tournamentIds !== undefined
      ? invalid('tournamentIds must be an array of strings')
      : input.tournamentId !== undefined
        ? [input.tournamentId]
        : methods.map((directive) => directive.params?.tournamentId).filter((id) => id !== undefined);
  for (const id of named) {
    if (typeof id !== 'string' || !id || id.length > MAX_ID_LENGTH) invalid('tournament ids must be non-empty strings');
  }
  const ids = [...new Set(named as string[])].sort();
  if (!ids.length) invalid('tournamentIds is required');
  return ids;
}

function normaliseAckId(ackId: unknown): string | undefined {
  if (ackId === undefined || ackId === null || ackId === '') return undefined;
  if (
    (typeof ackId === 'string' && ackId.length <= MAX_ID_LENGTH) ||
    (typeof ackId === 'number' && Number.isFinite(ackId))
  ) {
    return String(ackId);
  }
  return invalid('ackId must be a string');
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalid(message: string): never {
  throw new AppError(ErrorCode.INVALID_INPUT, message);
}
