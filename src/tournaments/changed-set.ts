import type { TournamentChanges } from '../engine/run-directives';
import type { ChangedSet, Directive, MutationLogEntry, TournamentRecord } from '../storage/storage.types';
import { drawMatchUps } from './record-queries';

/** A committed batch that changed something a batch from an older copy changes too (the `ERR_CONFLICT` detail). */
export interface Conflict {
  tournamentId: string;
  version: number;
  userId: string;
  at: string;
  methods: string[];
  matchUpIds?: string[];
  drawIds?: string[];
  participantIds?: string[];
  /** Events whose entry lists both changed. */
  eventIds?: string[];
  venueIds?: string[];
  /** Both changed tournament details. */
  details?: true;
  /** Why, when it is not an overlap of ids: the log no longer reaches the base, or a whole record was saved. */
  reason?: 'HISTORY_TRUNCATED' | 'WHOLE_RECORD_SAVED' | 'CHANGES_UNKNOWN';
}

/**
 * What a batch changes in one tournament: what its directives target (matchUps by id, draws they
 * work on as a whole) plus what the engine's notices say it modified (draws added or deleted,
 * participants, entry lists, venues, tournament details). The matchUps the engine moved as a
 * consequence (a winner placed in the next round) are left out on purpose: two scores feeding the
 * same next-round matchUp do not conflict.
 */
export function changedSet(
  tournamentId: string,
  directives: Directive[],
  notices: TournamentChanges | undefined,
  onlyTournament: boolean,
): ChangedSet {
  const matchUpIds = new Set<string>();
  const matchUpDrawIds = new Set<string>();
  const drawIds = new Set<string>(notices?.restructuredDrawIds);
  for (const { params } of directives) {
    if (!params) continue;
    const target = params.tournamentId;
    if (target !== tournamentId && (target !== undefined || !onlyTournament)) continue;
    const matchUps = [params.matchUpId, ...(Array.isArray(params.matchUpIds) ? params.matchUpIds : [])].filter(isId);
    const draws = [
      params.drawId,
      ...(Array.isArray(params.drawIds) ? params.drawIds : []),
      (params.drawDefinition as { drawId?: unknown } | undefined)?.drawId,
    ].filter(isId);
    for (const id of matchUps) matchUpIds.add(id);
    // A directive on a draw without naming a matchUp works on the draw as a whole.
    for (const id of draws) (matchUps.length ? matchUpDrawIds : drawIds).add(id);
  }
  const set: ChangedSet = {};
  if (matchUpIds.size) set.matchUpIds = [...matchUpIds].sort();
  if (matchUpDrawIds.size) set.matchUpDrawIds = [...matchUpDrawIds].sort();
  if (drawIds.size) set.drawIds = [...drawIds].sort();
  if (notices?.participantIds.length) set.participantIds = [...notices.participantIds];
  if (notices?.entryEventIds.length) set.entryEventIds = [...notices.entryEventIds];
  if (notices?.venueIds.length) set.venueIds = [...notices.venueIds];
  if (notices?.topics.includes('modifyTournamentDetail')) set.details = true;
  return set;
}

/** The stored state of these matchUps (without the engine's `updatedAt` stamp), to tell a real change from a repeat. */
export function matchUpStates(record: TournamentRecord, matchUpIds: readonly string[]): Map<string, string> {
  const wanted = new Set(matchUpIds);
  const states = new Map<string, string>();
  if (!wanted.size) return states;
  const visit = (matchUp: Record<string, unknown> | undefined) => {
    if (!matchUp || !wanted.has(matchUp.matchUpId as string)) return;
    const { updatedAt: _updatedAt, ...state } = matchUp;
    states.set(matchUp.matchUpId as string, JSON.stringify(state));
  };
  for (const [, matchUp] of drawMatchUps(record)) {
    visit(matchUp);
    for (const tie of (matchUp.tieMatchUps as Array<Record<string, unknown>> | undefined) ?? []) visit(tie);
  }
  return states;
}

/** Drops the matchUps whose state the batch left as it found them: the same score again is no conflict. */
export function withoutRepeats(set: ChangedSet, before: Map<string, string>, after: Map<string, string>): ChangedSet {
  if (!set.matchUpIds) return set;
  const changed = set.matchUpIds.filter((id) => !before.has(id) || before.get(id) !== after.get(id));
  const { matchUpIds: _matchUpIds, ...rest } = set;
  return changed.length ? { ...rest, matchUpIds: changed } : rest;
}

/**
 * What of `mine` a committed log entry also changed; undefined when nothing overlaps, or when the
 * entry came from the same sign-in (`holder`): a desk's own queue does not conflict with itself.
 */
export function conflictWith(
  tournamentId: string,
  mine: ChangedSet,
  entry: MutationLogEntry,
  holder?: string,
): Conflict | undefined {
  if (holder && entry.by === holder) return undefined;
  const conflict: Conflict = {
    tournamentId,
    version: entry.version,
    userId: entry.userId,
    at: entry.at,
    methods: entry.methods.map((directive) => directive.method),
  };
  if (entry.kind === 'save') return { ...conflict, reason: 'WHOLE_RECORD_SAVED' };
  const theirs = entry.changes;
  if (!theirs) return { ...conflict, reason: 'CHANGES_UNKNOWN' };
  const matchUpIds = common(mine.matchUpIds, theirs.matchUpIds);
  const drawIds = [
    ...new Set([
      ...common(mine.drawIds, [...(theirs.drawIds ?? []), ...(theirs.matchUpDrawIds ?? [])]),
      ...common(mine.matchUpDrawIds, theirs.drawIds),
    ]),
  ].sort();
  const overlaps = {
    matchUpIds,
    drawIds,
    participantIds: common(mine.participantIds, theirs.participantIds),
    eventIds: common(mine.entryEventIds, theirs.entryEventIds),
    venueIds: common(mine.venueIds, theirs.venueIds),
  };
  let found = false;
  for (const [field, ids] of Object.entries(overlaps)) {
    if (!ids.length) continue;
    conflict[field as keyof typeof overlaps] = ids;
    found = true;
  }
  if (mine.details && theirs.details) conflict.details = found = true;
  return found ? conflict : undefined;
}

function common(a: readonly string[] | undefined, b: readonly string[] | undefined): string[] {
  if (!a?.length || !b?.length) return [];
  const other = new Set(b);
  return a.filter((id) => other.has(id));
}

function isId(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}
