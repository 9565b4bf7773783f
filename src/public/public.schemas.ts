import { z } from 'zod';

const id = z.string().min(1).max(200);
const flag = z.boolean().optional();
/** Engine filter objects pass through as they are, within a size that keeps keys and work bounded. */
const filters = z
  .record(z.string(), z.unknown())
  .refine((value) => JSON.stringify(value).length <= 4096, { message: 'too large (4096 bytes at most)' })
  .optional();

/** `tournamentId`, or `tournamentIds` naming exactly one tournament (the contract accepts both). */
const tournamentRef = z
  .looseObject({ tournamentId: id.optional(), tournamentIds: z.array(id).length(1).optional() })
  .refine((value) => !!value.tournamentId || !!value.tournamentIds, { message: 'tournamentId is required' })
  .transform(({ tournamentIds, ...rest }) => ({
    ...rest,
    tournamentId: (rest.tournamentId ?? tournamentIds?.[0]) as string,
  }));

/** Routes whose answers are cached, by name (also the `<route>` part of cache keys). */
export type PublicRoute = 'tournamentinfo' | 'eventdata' | 'scheduledmatchups' | 'participants';

export const tournamentInfoSchema = tournamentRef.pipe(
  z.looseObject({ tournamentId: id, withMatchUpStats: flag, withVenueData: flag }).transform((body) => ({
    tournamentId: body.tournamentId,
    withMatchUpStats: body.withMatchUpStats ?? false,
    withVenueData: body.withVenueData ?? false,
  })),
);

export const eventDataSchema = tournamentRef.pipe(
  z.looseObject({ tournamentId: id, eventId: id, hydrateParticipants: flag }).transform((body) => ({
    tournamentId: body.tournamentId,
    eventId: body.eventId,
    hydrateParticipants: body.hydrateParticipants ?? false,
  })),
);

const scheduleFields = z.looseObject({
  tournamentId: id,
  hydrateParticipants: flag,
  courtCompletedMatchUps: flag,
  courtByeMatchUps: flag,
  nextMatchUps: flag,
  withCourtGridRows: flag,
  minCourtGridRows: z.number().int().min(0).max(100).optional(),
  sortDateMatchUps: flag,
  sortCourtsData: flag,
  contextFilters: filters,
  matchUpFilters: filters,
});

/** Only the options listed here reach the engine (and the cache key); anything else is ignored. */
export const scheduleSchema = paramsWrapper(
  tournamentRef.pipe(scheduleFields).transform((body) => ({
    tournamentId: body.tournamentId,
    hydrateParticipants: body.hydrateParticipants ?? false,
    courtCompletedMatchUps: body.courtCompletedMatchUps ?? false,
    courtByeMatchUps: body.courtByeMatchUps ?? false,
    nextMatchUps: body.nextMatchUps ?? false,
    withCourtGridRows: body.withCourtGridRows ?? false,
    minCourtGridRows: body.minCourtGridRows,
    sortDateMatchUps: body.sortDateMatchUps ?? true,
    sortCourtsData: body.sortCourtsData ?? false,
    contextFilters: body.contextFilters,
    matchUpFilters: body.matchUpFilters,
  })),
);

const participantsFields = z.looseObject({
  tournamentId: id,
  participantFilters: filters,
  contextFilters: filters,
  matchUpFilters: filters,
  withEvents: flag,
  withScaleValues: flag,
  withIndividualParticipants: flag,
  withISO2: flag,
  withIOC: flag,
});

/**
 * What courthive-public sends is `{ params: { tournamentId } }`: events and scale values are on by
 * default. Filters narrow the published list and never widen it (participant roles stay competitors).
 */
export const participantsSchema = paramsWrapper(
  tournamentRef.pipe(participantsFields).transform((body) => ({
    tournamentId: body.tournamentId,
    participantFilters: body.participantFilters,
    contextFilters: body.contextFilters,
    matchUpFilters: body.matchUpFilters,
    withEvents: body.withEvents ?? true,
    withScaleValues: body.withScaleValues ?? true,
    withIndividualParticipants: body.withIndividualParticipants ?? false,
    withISO2: body.withISO2 ?? false,
    withIOC: body.withIOC ?? false,
  })),
);

export type TournamentInfoParams = Omit<z.infer<typeof tournamentInfoSchema>, 'tournamentId'>;
export type EventDataParams = Omit<z.infer<typeof eventDataSchema>, 'tournamentId'>;
export type ScheduleParams = Omit<z.infer<typeof scheduleSchema>, 'tournamentId'>;
export type ParticipantsParams = Omit<z.infer<typeof participantsSchema>, 'tournamentId'>;

/** `{ params: { ... } }` as the public site sends it; a flat body is accepted too. */
function paramsWrapper<T extends z.ZodType>(inner: T) {
  return z
    .preprocess((body) => {
      const params = (body as { params?: unknown } | undefined)?.params;
      return params && typeof params === 'object' ? params : body;
    }, inner)
    .describe('Sent as `{ params: { ... } }` by public sites; the fields alone are accepted too.');
}
