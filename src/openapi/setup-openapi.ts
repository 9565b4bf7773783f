import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

/** Where the Swagger UI is served; the JSON document is at `/api-json`. */
export const OPENAPI_PATH = 'api';

/**
 * Serves the OpenAPI description of every REST route: Swagger UI at /api, JSON at /api-json.
 * Bodies come from the routes' zod schemas (`@ZodBody`), access from `@Public()` / `@Roles()`.
 * Every route needs a bearer token unless marked public. Built at the first request, not at start.
 */
export function setupOpenApi(app: INestApplication): void {
  const config = new DocumentBuilder()
    .setTitle('Competition Factory Server')
    .setDescription(
      'REST routes of the server. Handled POSTs answer 200, with `{ error: { message, code } }` for refusals; ' +
        'bad input is 400 `ERR_INVALID_INPUT`. Desks use Socket.IO (`/tmx`), viewers `/public`: see docs/protocol.md.',
    )
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, 'bearer')
    .addSecurityRequirements('bearer')
    .build();
  SwaggerModule.setup(OPENAPI_PATH, app, () => SwaggerModule.createDocument(app, config), {
    jsonDocumentUrl: `${OPENAPI_PATH}-json`,
    yamlDocumentUrl: `${OPENAPI_PATH}-yaml`,
  });
}
