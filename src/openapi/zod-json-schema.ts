import { z } from 'zod';

export type JsonSchema = Record<string, unknown>;

type OverrideContext = Parameters<NonNullable<z.core.ToJSONSchemaParams['override']>>[0];

/**
 * The OpenAPI 3.0 schema of what a client may send for a zod schema: its input side, with parts
 * JSON Schema cannot express (transforms, refinements) left open rather than failing.
 */
export function openApiSchemaOf(schema: z.ZodType): JsonSchema {
  return z.toJSONSchema(schema, OPTIONS) as JsonSchema;
}

const OPTIONS: z.core.ToJSONSchemaParams = {
  target: 'openapi-3.0',
  io: 'input',
  unrepresentable: 'any',
  override: documentBothStages,
};

/**
 * zod documents `a.pipe(b)` as `a` alone. Several bodies normalise first (`tournamentId` or
 * `tournamentIds`) and read their own fields in `b`: list `b`'s fields too, so that, for example,
 * `eventId` shows up as required for /factory/eventdata.
 */
function documentBothStages(ctx: OverrideContext): void {
  const def = ctx.zodSchema._zod.def;
  if (def.type !== 'pipe' || def.in._zod.def.type === 'transform') return;
  const first = ctx.jsonSchema as JsonSchema;
  const second = z.toJSONSchema(def.out, OPTIONS) as JsonSchema;
  if (!isObjectSchema(first) || !isObjectSchema(second)) return;
  const known = first.properties as JsonSchema;
  const added = Object.keys(second.properties as JsonSchema).filter((key) => !(key in known));
  for (const key of added) known[key] = (second.properties as JsonSchema)[key];
  const required = new Set([...((first.required as string[]) ?? [])]);
  for (const key of (second.required as string[] | undefined) ?? []) if (added.includes(key)) required.add(key);
  if (required.size) first.required = [...required];
}

function isObjectSchema(schema: JsonSchema): boolean {
  return schema.type === 'object' && typeof schema.properties === 'object' && schema.properties !== null;
}
