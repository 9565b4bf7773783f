import { Injectable } from '@nestjs/common';
import { mocksEngine } from 'tods-competition-factory';
import { mayAccessProvider } from '../auth/access';
import type { AuthUser } from '../auth/auth-user';
import { AppError, ErrorCode, type ErrorBody } from '../common/errors';
import { QUERY_METHODS } from '../engine/engine-methods.generated';
import { Storage, type MutationLogEntry, type TournamentRecord } from '../storage/storage.types';
import { DeskFreshness } from './desk-freshness';
import { MutationExecutor } from './executor.service';
import { findDrawIdOfMatchUp, runQuery } from './record-queries';
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
      const current = await this.executor.readCommitted(id);
      if (!current) return { error: { ...MISSING, tournamentId: id } };
      if (!mayAccessProvider(user, current.providerId)) return forbidden(id);
      // The record carries its version's commit time, as `/factory/updated-at` reports it (desks compare the two).
      const record = current.updatedAt ? { ...current.record, updatedAt: current.updatedAt } : current.record;
      parts.push(`${JSON.stringify(id)}:${JSON.stringify(record)}`);
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
    const loaded = await this.loadCopies(tournamentIds, user);
    if ('error' in loaded) return loaded;
    const result = runQuery(loaded.records, method, params) as Record<string, unknown> | undefined;
    return { ...(result ?? {}), versions: loaded.versions };
  }

  /** `setMatchUpStatus` for scoring apps; finds the draw when the client names only the matchUp. */
  async score(params: Record<string, unknown>, user: AuthUser, origin: BatchOrigin) {
    const { tournamentId, matchUpId, ackId, ...rest } = params;
    if (typeof tournamentId !== 'string' || typeof matchUpId !== 'string') {
      throw new AppError(ErrorCode.INVALID_INPUT, 'tournamentId and matchUpId are required');
    }
    let drawId = rest.drawId;
    if (drawId === undefined) {
      const current = await this.executor.readCommitted(tournamentId);
      if (!current) return { error: { ...MISSING, tournamentId } };
      if (!mayAccessProvider(user, current.providerId)) return forbidden(tournamentId);
      drawId = findDrawIdOfMatchUp(current.record, matchUpId);
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
    const loaded = await this.loadCopies([input.tournamentId], user);
    if ('error' in loaded) return loaded;
    const matchUpFilters: Record<string, unknown> = {};
    if (input.eventId) matchUpFilters.eventIds = [input.eventId];
    if (input.drawId) matchUpFilters.drawIds = [input.drawId];
    if (input.matchUpStatuses?.length) matchUpFilters.matchUpStatuses = input.matchUpStatuses;
    const result = runQuery(loaded.records, 'allTournamentMatchUps', { inContext: true, matchUpFilters }) as {
      matchUps?: unknown[];
      error?: ErrorBody;
    };
    if (result?.error) return { error: result.error };
    return { success: true, matchUps: result?.matchUps ?? [], versions: loaded.versions };
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
    const current = await this.executor.readCommitted(tournamentId);
    if (!mayAccessProvider(user, current?.providerId)) return forbidden(tournamentId);
    const entries = await this.storage.log.since(tournamentId, sinceVersion, limit);
    return { success: true, version, entries: entries.map(toHistoryEntry) };
  }

  private async loadCopies(
    tournamentIds: string[],
    user: AuthUser,
  ): Promise<{ records: Record<string, TournamentRecord>; versions: Record<string, number> } | Failure> {
    const records: Record<string, TournamentRecord> = {};
    const versions: Record<string, number> = {};
    for (const id of tournamentIds) {
      const stored = await this.storage.tournaments.get(id);
      if (!stored) return { error: { ...MISSING, tournamentId: id } };
      if (!mayAccessProvider(user, stored.providerId)) return forbidden(id);
      records[id] = stored.record;
      versions[id] = stored.version;
    }
    return { records, versions };
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
