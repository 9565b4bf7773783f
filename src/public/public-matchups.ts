import { queryGovernor } from 'tods-competition-factory';
import type { TournamentRecord } from '../storage/storage.types';
import type { PublicMatchUp, PublicPositionAssignments } from './public-events';
import type { PublishInfo } from './publish-state';

type Assignment = { drawPosition?: unknown; participantId?: unknown; bye?: unknown };
type RawMatchUp = Record<string, unknown> & { matchUpId?: unknown; tieMatchUps?: RawMatchUp[] };
type Structure = {
  structureId?: string;
  stage?: string;
  matchUps?: RawMatchUp[];
  structures?: Structure[];
  positionAssignments?: Assignment[];
};
type Draw = { drawId?: string; structures?: Structure[] };
type Event = { eventId?: string; drawDefinitions?: Draw[] };
type Detail = { published?: boolean; embargo?: string; roundLimit?: unknown };
type DrawDetails = { structureDetails?: Record<string, Detail>; stageDetails?: Record<string, Detail> };

export interface PublicMatchUpUpdate {
  matchUps: PublicMatchUp[];
  positionAssignments: PublicPositionAssignments[];
}

/** At most this many matchUps go in one update; a bigger change is announced for a re-read instead. */
export const MAX_UPDATE_MATCHUPS = 500;

/**
 * The changed matchUps as the public may see them, for `publicUpdate { type: 'matchUpUpdate' }`:
 * only matchUps of published events' visible draws (embargoes honoured), of published structures
 * and stages, within a structure's published round limit, and only the fields the public site
 * patches (no sides, participants, schedule, officials, notes or extensions).
 *
 * `structureIds` are structures whose position assignments changed (e.g. a loser placed into a
 * consolation): their assignments go along, and so do their undecided matchUps that hold an
 * assigned position, because the site fills a side in only for a matchUp it is sent.
 *
 * Synchronous: `record` may be the executor's hot copy. Reads the record in place (one pass over
 * the published draws' matchUps) and copies what it returns.
 */
export function publicMatchUpUpdate(
  record: TournamentRecord,
  publish: PublishInfo,
  changed: { matchUpIds: readonly string[]; structureIds?: readonly string[] },
  now = Date.now(),
): PublicMatchUpUpdate | undefined {
  const { matchUpIds, structureIds = [] } = changed;
  if (!matchUpIds.length || matchUpIds.length > MAX_UPDATE_MATCHUPS || !publish.eventIds.length) return undefined;
  const wanted = new Set(matchUpIds);
  const positioned = new Set(structureIds);
  const drawDetails = publishedDrawDetails(record);
  const matchUps: PublicMatchUp[] = [];
  const positionAssignments: PublicPositionAssignments[] = [];

  for (const event of (record.events as Event[] | undefined) ?? []) {
    const eventId = event?.eventId;
    if (typeof eventId !== 'string' || !publish.eventIds.includes(eventId)) continue;
    const visibleDrawIds = publish.visibleDrawIds[eventId] ?? [];
    for (const draw of event.drawDefinitions ?? []) {
      const drawId = draw?.drawId;
      if (typeof drawId !== 'string' || !visibleDrawIds.includes(drawId)) continue;
      const details = drawDetails[eventId]?.[drawId];
      for (const structure of draw.structures ?? []) {
        const structureId = structure?.structureId;
        if (typeof structureId !== 'string' || !structureVisible(structure, details, now)) continue;
        const roundLimit = details?.structureDetails?.[structureId]?.roundLimit;
        const limit = typeof roundLimit === 'number' && Number.isInteger(roundLimit) ? roundLimit : Infinity;
        const moved =
          positioned.has(structureId) ||
          (structure.structures ?? []).some((child) => positioned.has(child?.structureId as string));
        const assignments = moved ? assignmentsOf(structure) : [];
        const occupied = new Set(assignments.filter((a) => a.participantId).map((a) => a.drawPosition));
        for (const matchUp of structureMatchUps(structure)) {
          const roundNumber = matchUp.roundNumber;
          if (typeof roundNumber === 'number' && roundNumber > limit) continue;
          const where = { drawId, eventId, structureId };
          if (wanted.has(matchUp.matchUpId as string) || (moved && fillsSide(matchUp, occupied))) {
            matchUps.push(publicMatchUp(matchUp, where));
          }
          for (const tie of Array.isArray(matchUp.tieMatchUps) ? matchUp.tieMatchUps : []) {
            if (wanted.has(tie?.matchUpId as string)) matchUps.push(publicMatchUp(tie, where, matchUp));
          }
        }
        if (moved) positionAssignments.push({ drawId, structureId, assignments });
      }
    }
  }
  if (matchUps.length > MAX_UPDATE_MATCHUPS) return undefined;
  return matchUps.length ? { matchUps, positionAssignments } : undefined;
}

/** An undecided matchUp with a side at an occupied draw position: the site names that side from the assignments. */
function fillsSide(matchUp: RawMatchUp, occupied: Set<number>): boolean {
  if (typeof matchUp.winningSide === 'number' || !Array.isArray(matchUp.drawPositions)) return false;
  return matchUp.drawPositions.some((position) => occupied.has(position as number));
}

/** Per published event, per draw: the structure and stage publishing details (from the engine's publish state). */
function publishedDrawDetails(record: TournamentRecord): Record<string, Record<string, DrawDetails>> {
  const state = (queryGovernor.getPublishState({ tournamentRecord: record as never }) as { publishState?: any })
    ?.publishState;
  const details: Record<string, Record<string, DrawDetails>> = {};
  for (const [key, value] of Object.entries((state ?? {}) as Record<string, any>)) {
    const drawDetails = value?.status?.drawDetails;
    if (key !== 'tournament' && drawDetails && typeof drawDetails === 'object') details[key] = drawDetails;
  }
  return details;
}

/** As the engine's event data decides: with any structure (or stage) details, only those visibly published show. */
function structureVisible(structure: Structure, details: DrawDetails | undefined, now: number): boolean {
  const structures = details?.structureDetails;
  if (structures && Object.keys(structures).length && !visible(structures[structure.structureId as string], now)) {
    return false;
  }
  const stages = details?.stageDetails;
  if (stages && Object.keys(stages).length && !visible(stages[structure.stage as string], now)) return false;
  return true;
}

function visible(detail: Detail | undefined, now: number): boolean {
  if (!detail?.published) return false;
  const embargo = detail.embargo ? Date.parse(detail.embargo) : NaN;
  return !(Number.isFinite(embargo) && embargo > now);
}

/** A structure's matchUps, including those of its groups (round robin). */
function structureMatchUps(structure: Structure): RawMatchUp[] {
  if (Array.isArray(structure.structures)) return structure.structures.flatMap((child) => child?.matchUps ?? []);
  return structure.matchUps ?? [];
}

function assignmentsOf(structure: Structure): PublicPositionAssignments['assignments'] {
  const assignments = Array.isArray(structure.structures)
    ? structure.structures.flatMap((child) => child?.positionAssignments ?? [])
    : (structure.positionAssignments ?? []);
  return assignments.flatMap((assignment) => {
    if (typeof assignment?.drawPosition !== 'number') return [];
    const out: PublicPositionAssignments['assignments'][number] = { drawPosition: assignment.drawPosition };
    if (typeof assignment.participantId === 'string') out.participantId = assignment.participantId;
    if (assignment.bye === true) out.bye = true;
    return [out];
  });
}

/** Allow-listed fields, copied (the record moves on after this call). */
function publicMatchUp(
  matchUp: RawMatchUp,
  where: { drawId: string; eventId: string; structureId: string },
  parent?: RawMatchUp,
): PublicMatchUp {
  const out = { matchUpId: matchUp.matchUpId as string, ...where } as PublicMatchUp;
  const source = parent ?? matchUp;
  if (typeof source.roundNumber === 'number') out.roundNumber = source.roundNumber;
  if (typeof source.roundPosition === 'number') out.roundPosition = source.roundPosition;
  if (typeof matchUp.matchUpType === 'string') out.matchUpType = matchUp.matchUpType;
  if (typeof matchUp.collectionId === 'string') out.collectionId = matchUp.collectionId;
  if (typeof matchUp.matchUpStatus === 'string') out.matchUpStatus = matchUp.matchUpStatus;
  // A removed result must reach the site as removed: it copies every field that is not undefined.
  out.winningSide = typeof matchUp.winningSide === 'number' ? matchUp.winningSide : null;
  out.score = matchUp.score && typeof matchUp.score === 'object' ? JSON.parse(JSON.stringify(matchUp.score)) : {};
  if (!parent && Array.isArray(matchUp.drawPositions)) {
    out.drawPositions = matchUp.drawPositions.map((position) => (typeof position === 'number' ? position : null));
  }
  return out;
}
