import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mocksEngine, tournamentEngine, version as engineVersion } from 'tods-competition-factory';
import { runInEngineContext } from '../src/engine/engine-state';
import { firstRoundMatchUps, scoreOutcomes } from '../src/engine/host/warm-up';
import type { Directive, TournamentRecord } from '../src/storage/storage.types';

/** A generated tournament's shape. `courts` on one venue; events each with one single-elimination draw. */
export interface SizeProfile {
  events: number;
  drawSize: number;
  courts: number;
}

/**
 * medium and large are the sizes of the quality bar (docs/benchmarks.md); tiny and small are for the
 * smoke test and quick looks. Every fifth event reuses the first event's players (a player entering
 * two events), which gives large its ~1000 participants.
 */
export const SIZES: Record<string, SizeProfile> = {
  tiny: { events: 2, drawSize: 8, courts: 4 },
  small: { events: 2, drawSize: 32, courts: 8 },
  medium: { events: 4, drawSize: 64, courts: 16 },
  large: { events: 10, drawSize: 128, courts: 16 },
};

/** Bump when the preparation below changes, so cached files of the old kind are not reused. */
const PREPARATION = 1;
const DAY_1 = '2026-12-01';
const DAY_2 = '2026-12-02';

/** A generated, scheduled and published tournament, as cached on disk. */
export interface BenchTournament {
  size: string;
  engineVersion: string;
  generatedAt: string;
  generationMs: number;
  participants: number;
  matchUps: number;
  bytes: number;
  eventIds: string[];
  /** The record as JSON text: every copy handed out is parsed from it (and given a fresh id). */
  json: string;
  tournamentId: string;
}

export function cacheFile(cacheDir: string, size: string): string {
  return join(cacheDir, `${size}-engine-${engineVersion()}-prep-${PREPARATION}.json`);
}

/**
 * The tournament of a size: read from `cacheDir` when generated before with this engine version,
 * else generated (seconds for large) and cached. `cacheDir` undefined: never cached.
 */
export function loadTournament(size: string, cacheDir: string | undefined): BenchTournament {
  const profile = SIZES[size];
  if (!profile) throw new Error(`unknown size "${size}" (known: ${Object.keys(SIZES).join(', ')})`);
  const file = cacheDir && cacheFile(cacheDir, size);
  if (file) {
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as BenchTournament;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  const tournament = generateTournament(size, profile);
  if (cacheDir && file) {
    mkdirSync(cacheDir, { recursive: true });
    // Written aside and renamed, so an interrupted run never leaves half a file to be read next time.
    writeFileSync(`${file}.tmp`, JSON.stringify(tournament));
    renameSync(`${file}.tmp`, file);
  }
  return tournament;
}

export function generateTournament(size: string, profile: SizeProfile): BenchTournament {
  const started = performance.now();
  const generated = mocksEngine.generateTournamentRecord({
    drawProfiles: Array.from({ length: profile.events }, (_, i) => ({
      eventName: `Event ${i + 1}`,
      drawSize: profile.drawSize,
      uniqueParticipants: i > 0 && i % 5 !== 4,
    })),
    venueProfiles: [{ courtsCount: profile.courts, venueName: 'Bench Park', startTime: '08:00', endTime: '20:00' }],
    tournamentName: `Bench ${size}`,
    startDate: DAY_1,
    endDate: '2026-12-07',
  }) as { tournamentRecord?: TournamentRecord; venueIds?: string[]; eventIds?: string[]; error?: unknown };
  if (!generated.tournamentRecord) throw new Error(`generation failed: ${JSON.stringify(generated.error)}`);
  const record = generated.tournamentRecord;
  scheduleAndPublish(record, generated.venueIds![0]);
  const json = JSON.stringify(record);
  return {
    size,
    engineVersion: engineVersion(),
    generatedAt: new Date().toISOString(),
    generationMs: Math.round(performance.now() - started),
    participants: (record.participants as unknown[]).length,
    matchUps: matchUpsOf(record).length,
    bytes: Buffer.byteLength(json),
    eventIds: generated.eventIds!,
    json,
    tournamentId: record.tournamentId,
  };
}

type RawMatchUp = { matchUpId: string; roundNumber?: number; drawPositions?: Array<number | undefined> };
type RawEvent = {
  eventId: string;
  drawDefinitions?: Array<{ drawId: string; structures?: Array<{ structureId: string; matchUps?: RawMatchUp[] }> }>;
};

/**
 * What public sites read: round 1 on day 1 and round 2 on day 2 (times by the engine's scheduler,
 * courts assigned round-robin within each time slot), every event and the order of play published.
 */
function scheduleAndPublish(record: TournamentRecord, venueId: string): void {
  const tournamentId = record.tournamentId;
  const events = record.events as RawEvent[];
  const rounds: Directive[] = events.flatMap((event) => {
    const draw = event.drawDefinitions![0];
    const structureId = draw.structures![0].structureId;
    return ([1, 2] as const).map((roundNumber) => ({
      method: 'addSchedulingProfileRound',
      params: {
        scheduleDate: roundNumber === 1 ? DAY_1 : DAY_2,
        venueId,
        round: { tournamentId, eventId: event.eventId, drawId: draw.drawId, structureId, roundNumber },
      },
    }));
  });
  const scheduled = run(record, [
    ...rounds,
    { method: 'scheduleProfileRounds', params: { scheduleDates: [DAY_1, DAY_2] } },
  ]).at(-1) as { scheduledMatchUpIds?: Record<string, string[]>; matchUpScheduleTimes?: Record<string, string> };

  const courtIds = ((record.venues as Array<{ courts: Array<{ courtId: string }> }>)[0]?.courts ?? []).map(
    (court) => court.courtId,
  );
  const matchUpDetails: unknown[] = [];
  for (const [scheduledDate, matchUpIds] of Object.entries(scheduled.scheduledMatchUpIds ?? {})) {
    const perSlot = new Map<string, number>();
    for (const matchUpId of matchUpIds) {
      const time = scheduled.matchUpScheduleTimes?.[matchUpId] ?? '';
      const index = perSlot.get(time) ?? 0;
      perSlot.set(time, index + 1);
      if (index >= courtIds.length) continue;
      matchUpDetails.push({ tournamentId, matchUpId, schedule: { venueId, courtId: courtIds[index], scheduledDate } });
    }
  }
  run(record, [
    { method: 'bulkScheduleMatchUps', params: { matchUpDetails } },
    ...events.map((event) => ({ method: 'publishEvent', params: { eventId: event.eventId } })),
    { method: 'publishOrderOfPlay', params: {} },
  ]);
}

/** Runs directives on a record in engine state of their own (as the server does); throws on error. */
function run(record: TournamentRecord, directives: Directive[]): unknown[] {
  const result = runInEngineContext({ [record.tournamentId]: record }, () =>
    tournamentEngine.executionQueue(directives, false),
  ) as { success?: boolean; results?: unknown[]; error?: unknown };
  if (!result?.success) throw new Error(`preparing the tournament failed: ${JSON.stringify(result?.error)}`);
  return result.results ?? [];
}

function matchUpsOf(record: TournamentRecord): Array<RawMatchUp & { drawId: string }> {
  return (record.events as RawEvent[]).flatMap((event) =>
    (event.drawDefinitions ?? []).flatMap((draw) =>
      (draw.structures ?? []).flatMap((structure) =>
        (structure.matchUps ?? []).map((matchUp) => ({ ...matchUp, drawId: draw.drawId })),
      ),
    ),
  );
}

/** A copy of the tournament under a new id (every mention of the old id replaced), as JSON and as a record. */
export function copyTournament(tournament: BenchTournament, name?: string): { json: string; record: TournamentRecord } {
  const tournamentId = randomUUID();
  const json = tournament.json.split(tournament.tournamentId).join(tournamentId);
  const record = JSON.parse(json) as TournamentRecord;
  if (name) record.tournamentName = name;
  return { json: name ? JSON.stringify(record) : json, record };
}

/** Scores a desk sends: the first pass decides each match, later passes correct the score (same winner). */
const OUTCOMES = scoreOutcomes();

/** The same batch with another score on each matchUp (same winner): a change that differs from it. */
export function rescored(batch: Directive[]): Directive[] {
  return batch.map((directive) => {
    const outcome = JSON.stringify(directive.params?.outcome);
    const index = OUTCOMES.findIndex((known) => JSON.stringify(known) === outcome);
    const other = structuredClone(OUTCOMES[(index + 1) % OUTCOMES.length]);
    return { ...directive, params: { ...directive.params, outcome: other } };
  });
}

/**
 * The scoring batches for one tournament, in order: one `setMatchUpStatus` per batch, on first-round
 * matches (both sides known, none depends on another, so desks sharing a plan never wait on each
 * other), events interleaved as several courts finish at once. After every match has a score, the
 * plan goes round again with corrected scores, so a run of any length always has valid batches.
 */
export class ScorePlan {
  private readonly targets: Array<{ matchUpId: string; drawId: string }>;
  private cursor = 0;

  /** `keepEvent`: the events (by index in the record) whose matches this plan scores; default all. */
  constructor(
    private readonly record: TournamentRecord,
    keepEvent: (index: number) => boolean = () => true,
  ) {
    const perEvent = (record.events as RawEvent[])
      .filter((_, index) => keepEvent(index))
      .map((event) => firstRoundMatchUps({ ...record, events: [event] } as TournamentRecord));
    const longest = Math.max(0, ...perEvent.map((list) => list.length));
    this.targets = [];
    for (let i = 0; i < longest; i++) {
      for (const list of perEvent) if (list[i]) this.targets.push(list[i]);
    }
    if (!this.targets.length) throw new Error('the tournament has no first-round matches to score');
  }

  get tournamentId(): string {
    return this.record.tournamentId;
  }

  /** The next batch's directives (fresh objects each time). */
  next(): Directive[] {
    const index = this.cursor++;
    const target = this.targets[index % this.targets.length];
    const pass = Math.floor(index / this.targets.length);
    const outcome = structuredClone(OUTCOMES[pass % OUTCOMES.length]) as Record<string, unknown>;
    return [{ method: 'setMatchUpStatus', params: { tournamentId: this.tournamentId, ...target, outcome } }];
  }
}
