import { Body } from '@nestjs/common';
import { ApiBody } from '@nestjs/swagger';
import type { z } from 'zod';
import { ZodPipe } from '../common/validation';
import { openApiSchemaOf } from './zod-json-schema';

/** Documents a route's JSON body with the OpenAPI schema derived from its zod schema. */
export function ApiZodBody(schema: z.ZodType): MethodDecorator {
  return ApiBody({ schema: openApiSchemaOf(schema) as object, required: true });
}

/**
 * `@ZodBody(schema)`: the request body validated by `schema` (400 `ERR_INVALID_INPUT` otherwise)
 * and documented in the OpenAPI description by the same schema, so the two cannot drift apart.
 */
export function ZodBody(schema: z.ZodType): ParameterDecorator {
  const validate = Body(new ZodPipe(schema));
  const document = ApiZodBody(schema);
  return (target, key, index) => {
    validate(target, key, index);
    if (key === undefined) return;
    const descriptor = Object.getOwnPropertyDescriptor(target, key);
    if (descriptor) document(target, key, descriptor);
  };
}
