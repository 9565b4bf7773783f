import { BadRequestException, type PipeTransform } from '@nestjs/common';
import type { z } from 'zod';
import { ErrorCode } from './errors';

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** The first key path that could pollute a prototype (`__proto__`, `constructor`, `prototype`), if any. */
export function findForbiddenKey(value: unknown, path = '', depth = 0): string | undefined {
  if (value === null || typeof value !== 'object' || depth > 256) return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findForbiddenKey(value[i], `${path}[${i}]`, depth + 1);
      if (found) return found;
    }
    return undefined;
  }
  for (const key of Object.keys(value)) {
    const keyPath = path ? `${path}.${key}` : key;
    if (FORBIDDEN_KEYS.has(key)) return keyPath;
    const found = findForbiddenKey((value as Record<string, unknown>)[key], keyPath, depth + 1);
    if (found) return found;
  }
  return undefined;
}

export class InvalidInputException extends BadRequestException {
  constructor(message: string, details?: unknown) {
    super({ error: { message, code: ErrorCode.INVALID_INPUT, details } });
  }
}

/** Parses a value with a zod schema, throwing a 400 `ERR_INVALID_INPUT` that lists what is wrong. */
export function parseInput<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const forbidden = findForbiddenKey(value);
  if (forbidden) throw new InvalidInputException(`forbidden key in input: ${forbidden}`, [{ path: forbidden }]);
  const result = schema.safeParse(value);
  if (!result.success) {
    const details = result.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
    const summary = details.map((d) => (d.path ? `${d.path}: ${d.message}` : d.message)).join('; ');
    throw new InvalidInputException(`invalid input: ${summary}`, details);
  }
  return result.data;
}

/** `@Body(new ZodPipe(schema))`: validates a request body with a zod schema. */
export class ZodPipe<T extends z.ZodType> implements PipeTransform<unknown, z.infer<T>> {
  constructor(private readonly schema: T) {}
  transform(value: unknown): z.infer<T> {
    return parseInput(this.schema, value ?? {});
  }
}
