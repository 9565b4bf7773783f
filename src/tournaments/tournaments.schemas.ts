import { z } from 'zod';

const id = z.string().min(1).max(200);
const ids = z.array(id).min(1).max(100);
const ackId = z.union([z.string().max(200), z.number()]).optional();

/** `tournamentId` or `tournamentIds`, as the contract allows everywhere. */
const tournamentRef = { tournamentId: id.optional(), tournamentIds: ids.optional() };
const refRequired = (value: { tournamentId?: string; tournamentIds?: string[] }) =>
  !!value.tournamentId || !!value.tournamentIds?.length;
const refMessage = { message: 'tournamentId or tournamentIds is required' };

export const executeSchema = z.looseObject({
  ...tournamentRef,
  methods: z.array(z.unknown()),
  rollbackOnError: z.boolean().optional(),
  ackId,
  /** The version of each tournament the sender's copy had: conflict detection (docs/mutations.md). */
  baseVersions: z.record(z.string(), z.number().int().min(0)).optional(),
  conflictPolicy: z.enum(['reject', 'overwrite']).optional(),
});

export const fetchSchema = z.looseObject(tournamentRef).refine(refRequired, refMessage);

/** `{ tournamentId }` as TMX sends it (or `tournamentIds` naming exactly one). */
export const updatedAtSchema = z
  .looseObject({ tournamentId: id.optional(), tournamentIds: z.array(id).length(1).optional() })
  .refine(refRequired, refMessage)
  .transform((body) => ({ tournamentId: (body.tournamentId ?? body.tournamentIds?.[0]) as string }));

const record = z.looseObject({ tournamentId: id });
export const saveSchema = z
  .looseObject({
    tournamentRecord: record.optional(),
    tournamentRecords: z.union([z.array(record).max(100), z.record(z.string(), record)]).optional(),
    baseVersion: z.number().int().min(0).optional(),
    versions: z.record(z.string(), z.number().int().min(0)).optional(),
    force: z.boolean().optional(),
    ackId,
  })
  .refine((body) => !!body.tournamentRecord || !!body.tournamentRecords, {
    message: 'tournamentRecord or tournamentRecords is required',
  });

export const removeSchema = z
  .looseObject({ ...tournamentRef, providerId: id.optional() })
  .refine(refRequired, refMessage);

export const querySchema = z
  .looseObject({
    ...tournamentRef,
    method: z.string().min(1).max(100),
    params: z.record(z.string(), z.unknown()).optional(),
  })
  .refine(refRequired, refMessage);

const scoreFields = z.looseObject({
  tournamentId: id,
  matchUpId: id,
  drawId: id.optional(),
  outcome: z.record(z.string(), z.unknown()).optional(),
  ackId,
});
/** Flat `{ tournamentId, matchUpId, outcome, ... }` or the older `{ params: { ... } }` wrapper. */
export const scoreSchema = z.union([z.object({ params: scoreFields }).transform((body) => body.params), scoreFields]);

export const matchUpsSchema = z.looseObject({
  tournamentId: id,
  eventId: id.optional(),
  drawId: id.optional(),
  matchUpStatuses: z.array(z.string().max(50)).max(50).optional(),
});

const count = (max: number) => z.number().int().min(1).max(max).optional();
/** A mocks profile; sizes are capped so one request cannot occupy the server for minutes. */
export const generateSchema = z.looseObject({
  tournamentName: z.string().max(200).optional(),
  startDate: z.string().max(30).optional(),
  endDate: z.string().max(30).optional(),
  participantsProfile: z.looseObject({ participantsCount: count(2048) }).optional(),
  drawProfiles: z
    .array(z.looseObject({ drawSize: count(256) }))
    .max(16)
    .optional(),
  eventProfiles: z
    .array(
      z.looseObject({
        drawProfiles: z
          .array(z.looseObject({ drawSize: count(256) }))
          .max(8)
          .optional(),
      }),
    )
    .max(16)
    .optional(),
  venueProfiles: z
    .array(z.looseObject({ courtsCount: count(64) }))
    .max(8)
    .optional(),
});

export const historySchema = z.object({
  tournamentId: id,
  sinceVersion: z.number().int().min(0).default(0),
  limit: z.number().int().min(1).max(10_000).default(1000),
});

/** The ids a body names, de-duplicated and sorted. */
export function tournamentIdsOf(body: { tournamentId?: string; tournamentIds?: string[] }): string[] {
  return [...new Set(body.tournamentIds ?? (body.tournamentId ? [body.tournamentId] : []))].sort();
}
