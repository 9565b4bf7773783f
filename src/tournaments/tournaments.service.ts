import { Injectable } from '@nestjs/common';
import { mocksEngine } from 'tods-competition-factory';
import { mayAccessProvider } from '../auth/access';
import type { AuthUser } from '../auth/auth-user';
import { AppError, ErrorCode, type ErrorBody } from '../common/errors';
import { QUERY_METHODS } from '../engine/engine-methods.generated';
import { Storage, type MutationLogEntry, type TournamentRecord } from '../storage/storage.types';
import { DeskFreshness } from './desk-freshness';
import { MutationExecutor } from './executor.service';
import type { BatchOrigin } from './tournament-events';

const QUERIES = new Set(QUERY_METHODS);
const MISSING = { code: 'ERR_MISSING_TOURNAMENT', message: 'Missing tournamentRecord' };

type Failure = { error: ErrorBody };

/** The private /factory reads and the conveniences built on the executor (score, generate). */
@Injectable()
export class TournamentsService {
  constructor(
    private readonly executor: MutationExecutor,
    private readonly storage: Storage,
    private readonly freshness: DeskFreshness,
  ) {}

  /**
   * The committed records as one JSON text, serialised at once: the hot copies may change as soon
   * as this function yields, so they are never handed out as objects.
   */
  async fetchJson(tournamentIds: string[], user: AuthUser, holder?: string): Promise<string | Failure> {
    const parts: string[] = [];
    const versions: Record<string, number> = {};
    for (const id of tournamentIds) {
      const current = await this.recordText(id, user);
      if ('error' in current) return current;
      parts.push(`${JSON.stringify(id)}:${current.value}`);
      versions[id] = current.version;
      if (current.updatedAt) this.freshness.fetched(id, holder, current.version, current.updatedAt);
    }
    return `{"success":true,"tournamentRecords":{${parts.join(',')}},"versions":${JSON.stringify(versions)}}`;
  }

  /**
   * The staleness probe desks call on reconnect, on a timer and when their tab shows again, without
   * reading the record: the commit time of the newest version the caller's copy may lack (see
   * DeskFreshness), and the stored version.
   */
  async updatedAt(tournamentId: string, user: AuthUser, holder?: string) {
    const summary = await this.executor.summary(tournamentId);
    if (!summary) return { error: { ...MISSING, tournamentId } };
    if (!mayAccessProvider(user, summary.providerId)) return forbidden(tournamentId);
    const updatedAt = this.freshness.answer(tournamentId, holder, summary);
    return { success: true, tournamentId, updatedAt, version: summary.version };
  }

  /** Runs a read-only query method on fresh copies of the records. */
  async query(tournamentIds: string[], method: string, params: Record<string, unknown>, user: AuthUser) {
    if (!QUERIES.has(method)) {
      return {
        error: { code: ErrorCode.METHOD_NOT_ALLOWED, message: `query method not allowed: ${method.slice(0, 100)}` },
      };
    }
    if (tournamentIds.length === 1) {
      const [id] = tournamentIds;
      const current = await this.executor.read<Record<string, unknown> | undefined>(id, {
        op: 'query',
        method,
        params,
      });
      if (!current) return { error: { ...MISSING, tournamentId: id } };
      if (!mayAccessProvider(user, current.providerId)) return forbidden(id);
      return { ...(current.value ?? {}), versions: { [id]: current.version } };
    }
    // Several tournaments: their committed texts, queried together by one engine host.
    const records: Record<string, string> = {};
    const versions: Record<string, number> = {};
    for (const id of tournamentIds) {
      const current = await this.recordText(id, user);
      if ('error' in current) return current;
      records[id] = current.value;
      versions[id] = current.version;
    }
    const result = (await this.executor.queryMany(tournamentIds, records, method, params)) as
      Record<string, unknown> | undefined;
    return { ...(result ?? {}), versions };
  }

  /** `setMatchUpStatus` for scoring apps; finds the draw when the client names only the matchUp. */
  async score(params: Record<string, unknown>, user: AuthUser, origin: BatchOrigin) {
    const { tournamentId, matchUpId, ackId, ...rest } = params;
    if (typeof tournamentId !== 'string' || typeof matchUpId !== 'string') {
      throw new AppError(ErrorCode.INVALID_INPUT, 'tournamentId and matchUpId are required');
    }
    let drawId = rest.drawId;
    if (drawId === undefined) {
      const current = await this.executor.read<string | undefined>(tournamentId, { op: 'drawOfMatchUp', matchUpId });
      if (!current) return { error: { ...MISSING, tournamentId } };
      if (!mayAccessProvider(user, current.providerId)) return forbidden(tournamentId);
      drawId = current.value;
      if (!drawId) return { error: { code: 'ERR_NOT_FOUND_MATCHUP', message: 'MatchUp not found', matchUpId } };
    }
    const result = await this.executor.execute({
      tournamentIds: [tournamentId],
      methods: [{ method: 'setMatchUpStatus', params: { ...rest, tournamentId, matchUpId, drawId } }],
      ackId,
      user,
      origin,
    });
    return 'error' in result ? result : { success: true, versions: result.versions };
  }

  /** Filtered matchUps of one tournament, with context. */
  async matchUps(
    input: { tournamentId: string; eventId?: string; drawId?: string; matchUpStatuses?: string[] },
    user: AuthUser,
  ) {
    const matchUpFilters: Record<string, unknown> = {};
    if (input.eventId) matchUpFilters.eventIds = [input.eventId];
    if (input.drawId) matchUpFilters.drawIds = [input.drawId];
    if (input.matchUpStatuses?.length) matchUpFilters.matchUpStatuses = input.matchUpStatuses;
    const { tournamentId } = input;
    const params = { inContext: true, matchUpFilters };
    const current = await this.executor.read<{ matchUps?: unknown[]; error?: ErrorBody } | undefined>(tournamentId, {
      ...{ op: 'query', method: 'allTournamentMatchUps' },
      params,
    });
    if (!current) return { error: { ...MISSING, tournamentId } };
    if (!mayAccessProvider(user, current.providerId)) return forbidden(tournamentId);
    const result = current.value;
    if (result?.error) return { error: result.error };
    return { success: true, matchUps: result?.matchUps ?? [], versions: { [tournamentId]: current.version } };
  }

  /** Generates a mock tournament from a profile and saves it for the caller's provider. */
  async generate(profile: Record<string, unknown>, user: AuthUser, origin: BatchOrigin) {
    if (!user.provider && !user.roles.includes('superadmin')) {
      return { error: { code: ErrorCode.FORBIDDEN, message: 'a provider is needed to own the generated tournament' } };
    }
    const generated = mocksEngine.generateTournamentRecord({ ...profile }) as {
      tournamentRecord?: TournamentRecord;
      error?: ErrorBody;
    };
    if (generated.error || !generated.tournamentRecord) {
      return {
        error: generated.error ?? { code: ErrorCode.INVALID_INPUT, message: 'could not generate a tournament' },
      };
    }
    const record = generated.tournamentRecord;
    if (user.provider) record.parentOrganisation = { ...user.provider };
    // The executor keeps what it stores as its hot copy; the answer gets its own object.
    const saved = await this.executor.save({ records: [structuredClone(record)], user, origin });
    if ('error' in saved) return saved;
    return { success: true, tournamentRecord: record, versions: saved.versions };
  }

  /** The audit trail: log entries after `sinceVersion`, oldest first. */
  async history(tournamentId: string, sinceVersion: number, limit: number, user: AuthUser) {
    const version = await this.storage.tournaments.getVersion(tournamentId);
    if (version === undefined) return { error: { ...MISSING, tournamentId } };
    const current = await this.executor.summary(tournamentId);
    if (!mayAccessProvider(user, current?.providerId)) return forbidden(tournamentId);
    const entries = await this.storage.log.since(tournamentId, sinceVersion, limit);
    return { success: true, version, entries: entries.map(toHistoryEntry) };
  }

  /** A tournament's committed record as JSON text, with its version's commit time in it. */
  private async recordText(id: string, user: AuthUser) {
    // The record carries its version's commit time, as `/factory/updated-at` reports it (desks compare the two).
    const current = await this.executor.read<string>(id, { op: 'json' });
    if (!current) return { error: { ...MISSING, tournamentId: id } };
    if (!mayAccessProvider(user, current.providerId)) return forbidden(id);
    return current;
  }
}

function forbidden(tournamentId: string): Failure {
  return {
    error: { code: ErrorCode.FORBIDDEN, message: `not allowed to access tournament ${tournamentId}`, tournamentId },
  };
}

function toHistoryEntry(entry: MutationLogEntry) {
  const { version, methods, userId, ackId, at, kind, changes, overrides, seed } = entry;
  return { version, methods, userId, ackId, at, kind, changes, overrides, seed };
}
